// Fuzz target: unpacking downloaded archives (extract_archive and extract_members, archive.hpp)
// on arbitrary bytes: every format and compression libarchive reads. Small limits so that the
// size checks are reached with small inputs.
// Finding: a crash or sanitizer report, an exception other than FetchError, or a file written
// outside the destination folder (the scratch folder must hold only input + out afterwards).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

#include "fuzz_support.hpp"
#include "lookalike/fetch/archive.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& scratch = lookalike::fuzz::scratch();
  const auto archive = scratch.write("input.archive", data, size);
  const auto out = scratch.dir() / "out";
  const lookalike::fetch::ExtractLimits limits{
      .max_member_bytes = 1 << 20, .max_total_bytes = 4 << 20, .max_members = 1000};
  std::error_code ec;
  fs::remove_all(out, ec);
  try {
    (void)lookalike::fetch::extract_archive(archive, out, limits);
  } catch (const lookalike::fetch::FetchError&) {
  }
  fs::remove_all(out, ec);
  try {
    lookalike::fetch::extract_members(archive, {"model/weights.bin", "a"}, out, limits);
  } catch (const lookalike::fetch::FetchError&) {
  }
  fs::remove_all(out, ec);
  for (const auto& entry : fs::directory_iterator(scratch.dir()))
    if (entry.path() != archive) std::abort();  // something escaped the destination
  return 0;
}

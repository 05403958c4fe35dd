// Fuzz target: the IMDB-WIKI importer (import_imdb, imdb_import.hpp) on an arbitrary imdb.mat:
// matio's MAT-file parser plus our walk over the struct's fields.
// Finding: a crash or sanitizer report, or an exception other than std::runtime_error.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz_support.hpp"
#include "lookalike/gallery/imdb_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = lookalike::fuzz::scratch().write("imdb.mat", data, size);
  try {
    lookalike::ImdbReport report;
    const auto photos = lookalike::import_imdb(path, {}, {}, &report);
    if (photos.size() != report.kept) std::abort();
  } catch (const std::runtime_error&) {
  }
  return 0;
}

// Replays fuzz inputs without libFuzzer: the normal test suite links each fuzz_<name>.cpp with
// this main and runs it on tests/fuzz/<name>/regressions/ and seeds/ (every crash the fuzzers
// found, kept forever). A finding aborts (sanitizer report, std::abort, uncaught exception), so
// CTest reports the test as failed; the input being replayed is printed first.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// README files document a folder; they are not inputs.
bool is_input(const fs::path& path) {
  const std::string name = path.filename().string();
  return !name.starts_with('.') && !name.starts_with("README");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg = argv[i];
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(arg))
        if (entry.is_regular_file() && is_input(entry.path())) inputs.push_back(entry.path());
    } else if (fs::is_regular_file(arg, ec)) {
      inputs.push_back(arg);
    }  // a missing folder (no regressions yet) is fine
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& path : inputs) {
    std::printf("replay %s\n", path.c_str());
    std::fflush(stdout);
    const auto bytes = read_all(path);
    // libFuzzer never passes a null pointer; keep that for empty files too.
    static const std::uint8_t empty = 0;
    LLVMFuzzerTestOneInput(bytes.empty() ? &empty : bytes.data(), bytes.size());
  }
  std::printf("%zu inputs replayed without a finding\n", inputs.size());
  return 0;
}

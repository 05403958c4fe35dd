// Helpers shared by the fuzz targets: a per-process scratch folder for loaders that only take a
// path. It lives in /dev/shm when there is one (no disk writes at thousands of runs a second) and
// is removed at exit.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lookalike::fuzz {

class Scratch {
 public:
  Scratch() {
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                           ? "/dev/shm"
                                           : std::filesystem::temp_directory_path();
    dir_ = base / ("lookalike-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  // Writes `bytes` to dir()/name (replacing it) and returns the path.
  std::filesystem::path write(const std::string& name, const void* bytes, std::size_t size) const {
    const auto path = dir_ / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(size));
    if (!out) throw std::logic_error("fuzz scratch: cannot write " + path.string());
    return path;
  }
  std::filesystem::path write(const std::string& name, std::string_view text) const {
    return write(name, text.data(), text.size());
  }

 private:
  std::filesystem::path dir_;
};

// One scratch folder per process (function-local static: destroyed at exit).
inline const Scratch& scratch() {
  static const Scratch instance;
  return instance;
}

}  // namespace lookalike::fuzz

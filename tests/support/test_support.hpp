// Helpers shared by the tests: where the shared photos are, where the built binaries are,
// temporary folders, and running a command to capture its output.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>

namespace lookalike::test {

// ../shared beside the source tree, or $LOOKALIKE_SHARED_DIR. nullopt when absent.
std::optional<std::filesystem::path> shared_dir();

// Path to ../shared/data/<relative>; the test is skipped (with the path in the message) when
// the shared folder is missing. Use through LOOKALIKE_REQUIRE_SHARED.
std::filesystem::path shared_data(const std::string& relative);

// The CMake binary dir of this build ($LOOKALIKE_BUILD_DIR).
std::filesystem::path build_dir();

// A fresh temporary directory removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};
// Runs `command` through /bin/sh, capturing stdout and stderr.
CommandResult run_command(const std::string& command);
// Starts `command` in the background, sends it SIG`signal` once the shell test `ready` holds
// (checked every 0.1 s; after `timeout_s` the signal is sent anyway, and the test's checks
// fail instead of hanging), then waits for it. SIGINT is ignored by a shell's background
// jobs: use TERM for "Ctrl-C".
CommandResult run_and_signal_when(const std::string& command, const std::string& ready,
                                  const std::string& signal = "TERM", int timeout_s = 120);

// ../shared/data/faces/lfw10 packed as LFW publishes it (lfw/<First_Last>/<First_Last>_NNNN.jpg
// in a gzipped tar) at dir/lfw.tgz; returns that path. Requires the shared folder.
std::filesystem::path write_lfw_archive(const std::filesystem::path& dir);

std::string read_file_text(const std::filesystem::path& path);

// The bytes of a PNG whose header claims 20000 x 20000 pixels (a decompression bomb's
// signature); the loaders must refuse it before decoding.
std::string bomb_png_header();

}  // namespace lookalike::test

// Skips the current test when ../shared is not there (never the case in CI).
#define LOOKALIKE_REQUIRE_SHARED()                                                        \
  do {                                                                                    \
    if (!::lookalike::test::shared_dir())                                                 \
      GTEST_SKIP() << "shared test data not found: expected ../shared beside the source " \
                      "tree or LOOKALIKE_SHARED_DIR";                                     \
  } while (0)

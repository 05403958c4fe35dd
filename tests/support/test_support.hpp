// Helpers shared by the tests: where the shared photos are, where the built binaries are,
// temporary folders, and running a command to capture its output.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "lookalike/gender.hpp"

namespace lookalike::test {

// ../shared beside the source tree, or $LOOKALIKE_SHARED_DIR. nullopt when absent.
std::optional<std::filesystem::path> shared_dir();

// Path to ../shared/data/<relative>; the test is skipped (with the path in the message) when
// the shared folder is missing. Use through LOOKALIKE_REQUIRE_SHARED.
std::filesystem::path shared_data(const std::string& relative);

// Every image file below `root`, sorted; files in folders whose name starts with `skip_prefix`
// (e.g. "_" for bbt/_group) are left out unless it is empty.
std::vector<std::filesystem::path> photos_under(const std::filesystem::path& root,
                                                const std::string& skip_prefix = "_");

// The standard output of a `--json` command: one JSON document per line.
std::vector<nlohmann::json> json_lines(const std::string& out);

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

// Runs the shell `script` in a private mount namespace where a tmpfs of `kilobytes` is mounted
// on `mount_point` (created if missing): a small disk that fills up for real (ENOSPC), seen
// only by the script and gone with it. nullopt when this machine allows no such namespace
// (neither root nor unprivileged user namespaces): the caller skips.
std::optional<CommandResult> run_with_small_disk(const std::filesystem::path& mount_point,
                                                 std::size_t kilobytes, const std::string& script);

// `lookalike-cli gallery build SOURCE -o OUT --threads 2 -q` with this build's CLI.
CommandResult build_gallery_with_cli(const std::filesystem::path& source,
                                     const std::filesystem::path& out);

// The gender each labelled folder of the shared photos is known by (BBT cast, lfw10, misc/train),
// unknown for any other name: the answer key of the gender tests.
Gender known_gender(const std::string& folder);
// The BBT cast's folders (faces/bbt/NAME/NAME1..5.png), in name order.
const std::vector<std::string>& bbt_cast();

// `text` as one single-quoted shell word.
std::string shell_quote(const std::string& text);

// ../shared/data/faces/lfw10 packed as LFW publishes it (lfw/<First_Last>/<First_Last>_NNNN.jpg
// in a gzipped tar) at dir/lfw.tgz; returns that path. Requires the shared folder.
std::filesystem::path write_lfw_archive(const std::filesystem::path& dir);

// One line of an LFW pair file (pairsDevTrain.txt, pairsDevTest.txt): two photos, relative to
// the file's folder (Name/Name_0001.jpg), of the same person or of two people.
struct LfwPair {
  std::string a, b;
  bool same = false;
};
// The pairs of `file` (a count, then "Name i j" and "Name1 i Name2 j" lines), in file order.
// Throws std::runtime_error naming the file when it cannot be read.
std::vector<LfwPair> read_lfw_pairs(const std::filesystem::path& file);

// An aligned face chip as a gallery stores it as its identity's thumbnail: scaled to the
// builder's thumbnail size, through JPEG at its quality, decoded.
cv::Mat as_gallery_thumbnail(const cv::Mat& chip);

std::string read_file_text(const std::filesystem::path& path);  // the bytes, as they are
// Writes `bytes` to `path` as they are; returns `path`.
std::filesystem::path write_file(const std::filesystem::path& path, const std::string& bytes);

// The bytes of a PNG whose header claims 20000 x 20000 pixels (a decompression bomb's
// signature); the loaders must refuse it before decoding.
std::string bomb_png_header();

// `jpeg` (a JPEG file's bytes) with an EXIF APP1 segment saying `orientation` (1-8; 6: the
// viewer must turn it 90 degrees clockwise), inserted right after the start-of-image marker.
std::vector<unsigned char> with_exif_orientation(std::vector<unsigned char> jpeg, int orientation);

}  // namespace lookalike::test

// Skips the current test when ../shared is not there (never the case in CI).
#define LOOKALIKE_REQUIRE_SHARED()                                                        \
  do {                                                                                    \
    if (!::lookalike::test::shared_dir())                                                 \
      GTEST_SKIP() << "shared test data not found: expected ../shared beside the source " \
                      "tree or LOOKALIKE_SHARED_DIR";                                     \
  } while (0)

namespace lookalike::test {

// A test suite over one gallery of the shared BBT cast, built once per suite by this build's
// lookalike-cli: cli_ and gallery_ name them. A suite that needs more calls
// BbtGallerySuite::SetUpTestSuite() first from its own.
class BbtGallerySuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!shared_dir()) return;
    dir_ = new TempDir;
    cli_ = (build_dir() / "app/lookalike-cli").string();
    gallery_ = (*dir_ / "bbt.lkg").string();
    const auto run = build_gallery_with_cli(shared_data("faces/bbt"), gallery_);
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override { LOOKALIKE_REQUIRE_SHARED(); }

  static inline TempDir* dir_ = nullptr;
  static inline std::string cli_, gallery_;
};

}  // namespace lookalike::test

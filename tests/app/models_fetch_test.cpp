// `lookalike-cli models fetch`: the pinned face-api tarball verified and converted into the
// user's data folder, where the CLI then finds it; a damaged tarball, a missing npm and a
// missing model each say what is wrong and which command fixes it.
#include <gtest/gtest.h>

#include <fstream>

#include "lookalike/engine/model_paths.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::test {
namespace {

std::string cli() {
  return (build_dir() / "app" / "lookalike-cli").string();
}

class ModelsFetchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // models/fetch (run by tests/run before the tests) left the pinned tarball here.
    tarball_ = default_model_dir() / "vladmandic-face-api-1.7.15.tgz";
    if (!fs::exists(tarball_)) GTEST_SKIP() << tarball_ << " missing: run models/fetch";
  }
  std::string env() const {
    return "XDG_DATA_HOME=" + (home_ / "data").string() +
           " XDG_CACHE_HOME=" + (home_ / "cache").string() + " ";
  }
  TempDir home_;
  fs::path tarball_;
};

TEST_F(ModelsFetchTest, ConvertsIntoTheUserDataFolderWhereTheCliFindsIt) {
  const auto r = run_command(env() + cli() + " models fetch --tarball " + tarball_.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path weights = home_ / "data/lookalike/models/face_recognition_resnet29.lkw";
  EXPECT_TRUE(fs::is_regular_file(weights)) << r.out << r.err;
  EXPECT_NE(r.err.find("converted 117 tensors"), std::string::npos) << r.err;
  // Byte-identical to the development copy made by the same code from the same tarball.
  const auto dev = default_model_dir() / "face_recognition_resnet29.lkw";
  EXPECT_EQ(fs::file_size(weights), fs::file_size(dev));

  const auto where = run_command(env() + cli() + " models where");
  EXPECT_NE(where.out.find("recognition: " + weights.string()), std::string::npos) << where.out;
  // Idempotent: a second run keeps the installed file.
  const auto again = run_command(env() + cli() + " models fetch --tarball " + tarball_.string());
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.err.find("already installed"), std::string::npos) << again.err;
}

TEST_F(ModelsFetchTest, DamagedTarballIsRefusedWithBothChecksums) {
  const fs::path bad = home_ / "damaged.tgz";
  fs::copy_file(tarball_, bad);
  {
    std::fstream f(bad, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(1000);
    f.put('\x5a');
  }
  const auto r = run_command(env() + cli() + " models fetch --tarball " + bad.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("checksum mismatch"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(home_ / "data/lookalike/models/face_recognition_resnet29.lkw"));
}

TEST_F(ModelsFetchTest, MissingNpmSaysHowToInstallIt) {
  const auto r = run_command(env() + "PATH=/nonexistent " + cli() + " models fetch");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("npm is not installed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("apt-get install npm"), std::string::npos) << r.err;
}

TEST_F(ModelsFetchTest, MissingModelNamesTheCommandThatFetchesIt) {
  const auto r = run_command("LOOKALIKE_MODEL_DIR=" + (home_ / "none").string() + " " + cli() +
                             " embed " + tarball_.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("lookalike-cli models fetch"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lookalike::test

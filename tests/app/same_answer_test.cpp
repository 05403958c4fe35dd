// The same photo through `lookalike-cli match --json` and through the app's photo mode (its
// PhotoAnalyzer worker, no window needed) gives the same faces, names and similarities: both
// run app::match_photo with the same options. The feature shapes too: the CLI fits the
// landmarks itself, photo mode takes the morph's, and both must measure the same.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "lookalike/app/photo_analyzer.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "test_support.hpp"
#include "ui_media.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lookalike::test {
namespace {

TEST(SameAnswerTest, CliMatchAndPhotoModeAgreeOnEveryFace) {
  LOOKALIKE_REQUIRE_SHARED();
  TempDir dir;
  const fs::path gallery_file = build_test_gallery(dir / "bbt.lkg", "bbt", 3);
  const fs::path group = shared_data("faces/bbt/_group/bbt1.jpg");
  const fs::path single = shared_data("faces/lfw10/Colin_Powell/Colin_Powell_0002.jpg");

  app::PhotoAnalyzerOptions options;
  options.search.top_k = 3;
  app::PhotoAnalyzer analyzer(options, Gallery::load(gallery_file));
  analyzer.submit({group, single});
  std::shared_ptr<const app::PhotoBatch> batch;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (!(batch = analyzer.latest()) || !batch->done) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "photo mode never finished";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(batch->photos.size(), 2u);

  const auto cli = run_command(
      (build_dir() / "app/lookalike-cli").string() + " match --json --features --top 3 --gallery " +
      gallery_file.string() + " " + group.string() + " " + single.string());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  std::istringstream lines(cli.out);
  std::string line;
  std::size_t compared_faces = 0;
  for (const auto& photo : batch->photos) {
    ASSERT_TRUE(std::getline(lines, line));
    const json j = json::parse(line);
    ASSERT_TRUE(photo.error.empty()) << photo.error;
    ASSERT_EQ(j["faces"].size(), photo.faces.size()) << photo.path;
    for (std::size_t f = 0; f < photo.faces.size(); ++f) {
      const auto& mine = photo.faces[f];
      const auto& theirs = j["faces"][f];
      EXPECT_EQ(theirs["box"],
                json::array({mine.box.x, mine.box.y, mine.box.width, mine.box.height}));
      ASSERT_EQ(theirs["matches"].size(), mine.matches.size());
      for (std::size_t m = 0; m < mine.matches.size(); ++m) {
        EXPECT_EQ(theirs["matches"][m]["name"], mine.matches[m].name);
        EXPECT_NEAR(theirs["matches"][m]["similarity"].get<double>(),
                    mine.matches[m].similarity_percent, 0.051);  // JSON rounds to 0.1
      }
      ASSERT_TRUE(mine.features) << photo.path;
      for (const app::FaceFeature feature : app::kFaceFeatures) {
        const std::string name(app::feature_name(feature));
        EXPECT_NEAR(theirs["matches"][0]["features"][name].get<double>(), (*mine.features)[feature],
                    0.051)
            << name;
      }
      ++compared_faces;
    }
  }
  EXPECT_GE(compared_faces, 4u) << "the group photo has several faces";
}

}  // namespace
}  // namespace lookalike::test

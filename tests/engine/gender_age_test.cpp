// Gender and age estimates (GenderAgeEstimator): accuracy on the shared photos whose gender
// follows from the names (BBT cast, lfw10, misc/train), combining estimates, and odd crops.
#include <map>
#include <opencv2/imgproc.hpp>

#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/gender_age.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

TEST(GenderAge, AccuracyOnTheLabelledSharedPhotos) {
  LOOKALIKE_REQUIRE_SHARED();
  auto engine = FaceEngine::create();
  auto estimator = GenderAgeEstimator::load();
  std::map<Gender, std::pair<int, int>> tally;  // right, total
  int faces_missing = 0;
  for (const char* set : {"faces/bbt", "faces/lfw10", "faces/misc/train"}) {
    for (const auto& path : test::photos_under(test::shared_data(set))) {
      const std::string folder = path.parent_path().filename().string();
      if (folder.starts_with("_")) continue;  // group photos
      const cv::Mat image = load_image(path);
      const auto faces = engine->analyze(image, {.embed = false});
      const int i = pick_primary_face(faces, image.size());
      if (i < 0) {
        ++faces_missing;
        continue;
      }
      const auto e = estimator->estimate(image, faces[static_cast<std::size_t>(i)]);
      ASSERT_TRUE(e.known()) << path;
      EXPECT_GE(e.gender_confidence, 0.5f) << path;
      EXPECT_LE(e.gender_confidence, 1.f) << path;
      EXPECT_GT(e.age, 5.f) << path;  // adults only in these sets
      EXPECT_LT(e.age, 100.f) << path;
      const Gender truth = test::known_gender(folder);
      auto& [right, total] = tally[truth];
      right += e.gender == truth;
      ++total;
    }
  }
  const auto [female_right, females] = tally[Gender::female];
  const auto [male_right, males] = tally[Gender::male];
  const double overall = double(female_right + male_right) / (females + males);
  const double balanced = (double(female_right) / females + double(male_right) / males) / 2;
  std::printf(
      "gender: %d/%d women, %d/%d men right: %.1f %% overall, %.1f %% balanced "
      "(%d photos without a face)\n",
      female_right, females, male_right, males, 100 * overall, 100 * balanced, faces_missing);
  ASSERT_GE(females, 15);
  ASSERT_GE(males, 120);
  // Floors a little under the measured 96.6 % overall, 93.0 % balanced (15/17 women, 128/131
  // men; README "Gender and age"): SSR-Net calls women men more often than the reverse.
  EXPECT_GE(overall, 0.93);
  EXPECT_GE(balanced, 0.85);
}

TEST(GenderAge, OddCropsNeverCrash) {
  auto estimator = GenderAgeEstimator::load();
  const Landmarks none{};
  EXPECT_FALSE(estimator->estimate(cv::Mat(), {0, 0, 10, 10}, none).known());
  const cv::Mat grey(100, 100, CV_8UC1, cv::Scalar(128));
  EXPECT_FALSE(estimator->estimate(grey, {10, 10, 50, 50}, none).known());
  const cv::Mat colour(100, 100, CV_8UC3, cv::Scalar(90, 120, 200));
  EXPECT_FALSE(estimator->estimate(colour, {10, 10, 0, 0}, none).known());
  EXPECT_FALSE(estimator->estimate(colour, {10, 10, 1, 1}, none).known());
  EXPECT_FALSE(estimator->estimate(colour, {-500, -500, 20, 20}, none).known());
  EXPECT_FALSE(estimator->estimate(colour, {5000, 20, 20, 20}, none).known());
  // Boxes partly or wholly past the border, a tiny image, a huge box, wild landmarks: an
  // estimate in range, no crash.
  Landmarks wild{};
  for (auto& p : wild) p = {1e6f, -1e6f};
  const cv::Mat tiny(2, 3, CV_8UC3, cv::Scalar(10, 20, 30));
  for (const auto& [image, box, marks] : {std::tuple{colour, cv::Rect(-40, -40, 90, 90), none},
                                          std::tuple{colour, cv::Rect(0, 0, 100000, 3), none},
                                          std::tuple{colour, cv::Rect(20, 20, 60, 60), wild},
                                          std::tuple{tiny, cv::Rect(0, 0, 2, 3), none},
                                          std::tuple{colour, cv::Rect(99, 99, 2, 2), none}}) {
    const auto e = estimator->estimate(image, box, marks);
    if (!e.known()) continue;
    EXPECT_GE(e.gender_confidence, 0.5f);
    EXPECT_LE(e.gender_confidence, 1.f);
    EXPECT_GE(e.age, 0.f);
  }
}

TEST(GenderAge, MissingModelsAreRefusedByName) {
  const fs::path empty = fs::temp_directory_path() / "lookalike-gender-age-none";
  fs::create_directories(empty);
  try {
    GenderAgeEstimator::load(empty);
    FAIL() << "loaded from an empty folder";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("gender-ssrnet-imdb.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("models fetch"), std::string::npos) << e.what();
  }
}

TEST(GenderAge, CombiningWeighsConfidenceAndIgnoresUnknowns) {
  const std::vector<GenderAgeEstimate> votes = {{Gender::female, 0.9f, 30.f},
                                                {Gender::male, 0.55f, 40.f},
                                                {Gender::unknown, 0.f, 0.f},
                                                {Gender::female, 0.6f, 20.f}};
  const auto c = combine_estimates(votes);
  EXPECT_EQ(c.gender, Gender::female);
  // female: 0.9 + 0.45 + 0.6 = 1.95 of 3 votes
  EXPECT_NEAR(c.gender_confidence, 1.95f / 3, 1e-5);
  EXPECT_NEAR(c.age, 30.f, 1e-5);
  EXPECT_FALSE(combine_estimates({}).known());
  const std::vector<GenderAgeEstimate> unknown(3);
  EXPECT_FALSE(combine_estimates(unknown).known());
}

}  // namespace
}  // namespace lookalike

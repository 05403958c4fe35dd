// Per-feature resemblance: the Procrustes distances ignore position, size and tilt, a changed
// feature changes only its own score, photos of the same person score higher on average than
// strangers, and `lookalike-cli match --features` carries the five scores.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <numeric>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "lookalike/app/feature_resemblance.hpp"
#include "lookalike/app/morph.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

double mean_of(const FeatureValues& v) {
  return std::accumulate(v.values.begin(), v.values.end(), 0.0) / v.values.size();
}

class FeatureResemblanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::shared_dir()) return;
    engine_ = FaceEngine::create().release();
  }
  static void TearDownTestSuite() {
    delete engine_;
    engine_ = nullptr;
  }
  void SetUp() override { LOOKALIKE_REQUIRE_SHARED(); }

  // The aligned chip of the photo's main face.
  static cv::Mat chip(const fs::path& photo) {
    const cv::Mat image = cv::imread(photo.string());
    EXPECT_FALSE(image.empty()) << photo;
    if (image.empty()) return {};
    const auto faces = engine_->analyze(image, {.embed = false, .thorough = true});
    const int primary = pick_primary_face(faces, image.size());
    EXPECT_GE(primary, 0) << "no face in " << photo;
    return primary < 0 ? cv::Mat() : faces[static_cast<std::size_t>(primary)].chip;
  }
  // A real face's 68 landmarks.
  static std::vector<cv::Point2f> landmarks() {
    auto points =
        morph_face(*engine_, chip(test::shared_data("faces/bbt/penny/penny1.png"))).points;
    points.resize(68);  // without the morph's border points
    return points;
  }

  static inline FaceEngine* engine_ = nullptr;
};

TEST_F(FeatureResemblanceTest, IdenticalLandmarksAreAHundredPercentEverywhere) {
  const auto points = landmarks();
  const FeatureValues same = feature_resemblance(points, points);
  for (const FaceFeature f : kFaceFeatures) EXPECT_NEAR(same[f], 100.0, 1e-6) << feature_name(f);
}

TEST_F(FeatureResemblanceTest, PositionSizeAndTiltDoNotCount) {
  const auto points = landmarks();
  // Turned 25 degrees, scaled 1.7x, moved by (40, -30).
  cv::Mat similarity = cv::getRotationMatrix2D({100, 100}, 25, 1.7);
  similarity.at<double>(0, 2) += 40;
  similarity.at<double>(1, 2) -= 30;
  std::vector<cv::Point2f> moved;
  cv::transform(points, moved, similarity);
  ASSERT_GT(cv::norm(moved[0] - points[0]), 10.0) << "the points did move";
  const FeatureValues v = feature_resemblance(points, moved);
  for (const FaceFeature f : kFaceFeatures) EXPECT_GT(v[f], 99.9) << feature_name(f);
}

TEST_F(FeatureResemblanceTest, AMirroredFeatureIsNotTheSameShape) {
  // Only a proper rotation is allowed: the jaw mirrored left to right (point 0 now on the
  // right) is the same curve read backwards, which a reflection would match exactly.
  const auto points = landmarks();
  auto flipped = points;
  for (std::size_t i = 0; i <= 16; ++i) flipped[i].x = -flipped[i].x;
  EXPECT_LT(feature_resemblance(points, flipped)[FaceFeature::jaw], 50.0);
}

TEST_F(FeatureResemblanceTest, AnOpenedMouthLowersOnlyTheMouth) {
  const auto points = landmarks();
  auto opened = points;
  const float mouth_width = static_cast<float>(cv::norm(points[54] - points[48]));
  // The lower lip, outer (55-59) and inner (65-67), drops by a third of the mouth's width.
  for (const int i : {55, 56, 57, 58, 59, 65, 66, 67})
    opened[static_cast<std::size_t>(i)].y += mouth_width / 3;
  const FeatureValues v = feature_resemblance(points, opened);
  EXPECT_LT(v[FaceFeature::mouth], 80.0) << features_text(v);
  for (const FaceFeature f : kFaceFeatures) {
    if (f == FaceFeature::mouth) continue;
    EXPECT_NEAR(v[f], 100.0, 1e-6) << feature_name(f);
  }
}

TEST_F(FeatureResemblanceTest, TooFewLandmarksAreRefused) {
  const std::vector<cv::Point2f> five(5);
  const auto points = landmarks();
  EXPECT_THROW(feature_resemblance(points, five), std::invalid_argument);
}

// A face's chip against its own gallery thumbnail: near-identical shapes (only the landmark
// fit's jitter on the smaller JPEG), so every feature is close to 100 %.
TEST_F(FeatureResemblanceTest, APhotoAgainstItsOwnThumbnailIsNearAHundred) {
  for (const char* photo :
       {"faces/lfw10/Tony_Blair/Tony_Blair_0001.jpg", "faces/bbt/sheldon/sheldon1.png"}) {
    const cv::Mat c = chip(test::shared_data(photo));
    const FeatureValues v = chip_feature_resemblance(*engine_, c, test::as_gallery_thumbnail(c));
    std::printf("%s against its thumbnail: %s\n", photo, features_text(v).c_str());
    for (const FaceFeature f : kFaceFeatures)
      EXPECT_GT(v[f], 85.0) << photo << " " << feature_name(f);
  }
}

// lfw10: four photos of each of the ten people, each against the other three's thumbnails
// (120 same-person pairs) and against the other people's (1,440 pairs). Single pairs go either
// way (shapes, not identity: AUC about 0.6 on LFW); the means must not.
TEST_F(FeatureResemblanceTest, SamePersonScoresHigherOnAverageThanStrangers) {
  struct Photo {
    std::size_t person;
    std::vector<cv::Point2f> probe, thumbnail;  // as chip_feature_resemblance fits them
  };
  std::vector<Photo> photos;
  std::vector<fs::path> people;
  for (const auto& entry : fs::directory_iterator(test::shared_data("faces/lfw10")))
    people.push_back(entry.path());
  std::sort(people.begin(), people.end());
  ASSERT_EQ(people.size(), 10u);
  for (std::size_t p = 0; p < people.size(); ++p)
    for (int i = 1; i <= 4; ++i) {
      char name[16];
      std::snprintf(name, sizeof name, "_%04d.jpg", i);
      const cv::Mat c = chip(people[p] / (people[p].filename().string() + name));
      if (c.empty()) continue;
      photos.push_back(
          {p, morph_face(*engine_, c, kFeatureChipSide).points,
           morph_face(*engine_, test::as_gallery_thumbnail(c), kFeatureChipSide).points});
    }
  ASSERT_EQ(photos.size(), 40u);
  std::array<FeatureValues, 2> sum;  // [same person, strangers]
  std::array<double, 2> mean_sum{}, pairs{};
  for (std::size_t i = 0; i < photos.size(); ++i)
    for (std::size_t j = 0; j < photos.size(); ++j) {
      if (i == j) continue;
      const std::size_t kind = photos[i].person == photos[j].person ? 0 : 1;
      const FeatureValues v = feature_resemblance(photos[i].probe, photos[j].thumbnail);
      for (const FaceFeature f : kFaceFeatures) sum[kind][f] += v[f];
      mean_sum[kind] += mean_of(v);
      ++pairs[kind];
    }
  ASSERT_EQ(pairs[0], 120.0);
  for (const FaceFeature f : kFaceFeatures)
    std::printf("%-6s same person %5.1f %%, strangers %5.1f %%\n",
                std::string(feature_name(f)).c_str(), sum[0][f] / pairs[0], sum[1][f] / pairs[1]);
  std::printf("mean   same person %5.1f %%, strangers %5.1f %%\n", mean_sum[0] / pairs[0],
              mean_sum[1] / pairs[1]);
  EXPECT_GT(mean_sum[0] / pairs[0], mean_sum[1] / pairs[1]);
}

class FeatureResemblanceCli : public ::testing::Test {
 protected:
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    cli_ = (test::build_dir() / "app/lookalike-cli").string();
    gallery_ = (dir_ / "bbt.lkg").string();
    const auto run = test::build_gallery_with_cli(test::shared_data("faces/bbt"), gallery_);
    ASSERT_EQ(run.exit_code, 0) << run.err;
  }
  std::string cli_, gallery_;
  test::TempDir dir_;
};

void expect_five_features(const nlohmann::json& match) {
  ASSERT_TRUE(match.contains("features")) << match.dump();
  const auto& features = match.at("features");
  EXPECT_EQ(features.size(), kFaceFeatures.size()) << features.dump();
  for (const FaceFeature f : kFaceFeatures) {
    const double v = features.at(std::string(feature_name(f))).get<double>();
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 100.0);
  }
}

TEST_F(FeatureResemblanceCli, MatchJsonCarriesTheFiveFeaturesForTopOneAndPart) {
  const std::string group = test::shared_data("faces/bbt/_group/bbt1.jpg").string();
  const auto run = test::run_command(cli_ + " match --gallery " + gallery_ +
                                     " --json --features --assign unique --top 2 " + group);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto line = nlohmann::json::parse(run.out);
  ASSERT_GE(line.at("faces").size(), 2u) << run.out;
  for (const auto& face : line.at("faces")) {
    expect_five_features(face.at("matches").at(0));
    EXPECT_FALSE(face.at("matches").at(1).contains("features")) << "only the top-1";
    expect_five_features(face.at("assigned"));
  }
  // Without the flag the output is as before.
  const auto plain = test::run_command(cli_ + " match --gallery " + gallery_ + " --json " + group);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out.find("\"features\""), std::string::npos) << plain.out;
}

TEST_F(FeatureResemblanceCli, MatchTextPrintsOneFeatureLinePerFace) {
  const std::string photo = test::shared_data("faces/bbt/sheldon/sheldon2.png").string();
  const auto run =
      test::run_command(cli_ + " match --gallery " + gallery_ + " --features " + photo);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("feature shapes vs sheldon: eyes "), std::string::npos) << run.out;
  for (const FaceFeature f : kFaceFeatures)
    EXPECT_NE(run.out.find(std::string(feature_name(f)) + " "), std::string::npos) << run.out;
}

}  // namespace
}  // namespace lookalike::app

// Detection and alignment on real photos: one face in each BBT crop, the labelled face in each
// lfw10 photo, and sane landmarks, chips and qualities.
#include <opencv2/imgproc.hpp>

#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

class EngineOnPhotos : public ::testing::Test {
 protected:
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    engine_ = FaceEngine::create();
  }
  std::unique_ptr<FaceEngine> engine_;
};

TEST_F(EngineOnPhotos, FindsExactlyOneFaceInEachBbtCrop) {
  const auto photos = test::photos_under(test::shared_data("faces/bbt"));
  ASSERT_EQ(photos.size(), 40u);
  for (const auto& path : photos) {
    cv::Mat image = load_image(path);
    auto faces = engine_->analyze(image, {.embed = false, .thorough = true});
    EXPECT_EQ(faces.size(), 1u) << path;
  }
}

TEST_F(EngineOnPhotos, FindsTheLabelledFaceInEachLfw10Photo) {
  const auto photos = test::photos_under(test::shared_data("faces/lfw10"));
  ASSERT_EQ(photos.size(), 100u);
  const cv::Rect central(77, 89, 105, 105);  // where LFW centres the labelled face
  int extra_faces = 0;
  for (const auto& path : photos) {
    cv::Mat image = load_image(path);
    auto faces = engine_->analyze(image, {.embed = false});
    ASSERT_GE(faces.size(), 1u) << path;
    extra_faces += static_cast<int>(faces.size()) - 1;
    // Dataset mode (as the gallery builder runs): exactly the one labelled face, detected.
    auto labelled = engine_->analyze(image, {.embed = false, .expected_face = central});
    ASSERT_EQ(labelled.size(), 1u) << path;
    EXPECT_GT(labelled[0].score, 0.f) << path << ": the central face was not detected";
    EXPECT_GT((labelled[0].box & central).area(), central.area() / 2) << path;
  }
  // A few LFW photos show other people at the border; those are real faces, not errors.
  std::printf("lfw10: %d additional background faces in 100 photos\n", extra_faces);
}

TEST_F(EngineOnPhotos, LandmarksChipsAndQualityAreSane) {
  cv::Mat image = load_image(test::shared_data("faces/misc/test/obama-720p.jpg"));
  auto faces = engine_->analyze(image);
  ASSERT_EQ(faces.size(), 1u);
  const FaceResult& f = faces[0];
  EXPECT_EQ(f.chip.size(), cv::Size(kChipSize, kChipSize));
  EXPECT_EQ(f.chip.type(), CV_8UC3);
  // Eyes (36-47) are above the mouth (48-67) and inside the box.
  const float eye_y = (f.landmarks[36].y + f.landmarks[45].y) / 2,
              mouth_y = (f.landmarks[48].y + f.landmarks[54].y) / 2;
  EXPECT_LT(eye_y, mouth_y);
  for (const auto& p : f.landmarks)
    EXPECT_TRUE(
        cv::Rect(f.box.x - 20, f.box.y - 40, f.box.width + 40, f.box.height + 60).contains(p));
  EXPECT_GT(f.quality, 0.5f);
  // The aligned chip is eyes-level: the chip of a rotated photo embeds like the upright one.
  cv::Mat rotated;
  cv::Point2f centre(f.box.x + f.box.width / 2.f, f.box.y + f.box.height / 2.f);
  cv::warpAffine(image, rotated, cv::getRotationMatrix2D(centre, 20, 1.0), image.size());
  auto turned = engine_->analyze(rotated, {.thorough = true});
  ASSERT_GE(turned.size(), 1u);
  EXPECT_LT(euclidean_distance(turned[0].embedding, f.embedding), 0.3f);
}

TEST_F(EngineOnPhotos, BatchedAndSingleEmbeddingsAgree) {
  cv::Mat image = load_image(test::shared_data("faces/misc/test/obama_and_biden.jpg"));
  auto faces = engine_->analyze(image);
  ASSERT_EQ(faces.size(), 2u);
  for (const auto& face : faces) {
    auto single = engine_->embed(std::span(&face.chip, 1));
    EXPECT_LT(euclidean_distance(single[0], face.embedding), 1e-5f);
  }
  // Different people are far apart.
  EXPECT_GT(euclidean_distance(faces[0].embedding, faces[1].embedding), kSamePersonDistance);
}

TEST(EngineFactory, MissingModelNamesTheFileAndTheFix) {
  EngineOptions options;
  options.models.recognition_weights = "/nonexistent/face_recognition_resnet29.lkw";
  try {
    FaceEngine::create(options);
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/face_recognition_resnet29.lkw"),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("lookalike-cli models fetch"), std::string::npos);
  }
  options = EngineOptions{};
  options.models.landmarks = "/nonexistent/shape_predictor_68_face_landmarks.dat";
  try {
    FaceEngine::create(options);
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("libdlib-data"), std::string::npos);
  }
}

TEST(EngineFactory, HaarDetectorFindsFacesToo) {
  LOOKALIKE_REQUIRE_SHARED();
  EngineOptions options;
  options.detector.kind = DetectorKind::haar;
  auto engine = FaceEngine::create(options);
  cv::Mat image = load_image(test::shared_data("faces/misc/test/obama_and_biden.jpg"));
  auto haar_faces = engine->analyze(image, {.embed = false});
  auto hog_faces = FaceEngine::create()->analyze(image, {.embed = false});
  ASSERT_EQ(hog_faces.size(), 2u);
  // Viola-Jones has more false positives than HOG, but it must find both real faces.
  for (const auto& real : hog_faces) {
    bool found = false;
    for (const auto& f : haar_faces) found |= (f.box & real.box).area() > real.box.area() / 2;
    EXPECT_TRUE(found) << "Haar missed the face at " << real.box;
  }
  EXPECT_EQ(engine->model().detector, "haar");
}

}  // namespace
}  // namespace lookalike

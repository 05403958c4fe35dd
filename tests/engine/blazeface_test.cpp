// BlazeFace: MediaPipe's anchors, decoding and weighted NMS on hand-made tensors; the real
// networks on a real photo (box around the face, keypoints at the eyes, nose and mouth that the
// 68-point landmarks confirm); faces lying down are fitted upright; a tight crop is one face;
// hostile images never crash.
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "lookalike/engine/aligner.hpp"
#include "lookalike/engine/blazeface.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

using blazeface::Candidate;

TEST(BlazefaceAnchors, FollowMediaPipesGridsForBothModels) {
  // Both models (128 and 256 input) use the same normalised anchors: 16x16 cells x 2, then
  // 8x8 cells x 6.
  const auto anchors = blazeface::make_anchors();
  ASSERT_EQ(anchors.size(), 896u);
  EXPECT_FLOAT_EQ(anchors[0].x, 0.5f / 16);
  EXPECT_FLOAT_EQ(anchors[0].y, 0.5f / 16);
  EXPECT_FLOAT_EQ(anchors[1].x, anchors[0].x);  // two anchors share a cell
  EXPECT_FLOAT_EQ(anchors[2].x, 1.5f / 16);
  EXPECT_FLOAT_EQ(anchors[2 * 16].y, 1.5f / 16);  // second row of the fine grid
  EXPECT_FLOAT_EQ(anchors[511].x, 15.5f / 16);
  EXPECT_FLOAT_EQ(anchors[511].y, 15.5f / 16);
  EXPECT_FLOAT_EQ(anchors[512].x, 0.5f / 8);  // coarse grid starts
  for (int i = 512; i < 518; ++i) EXPECT_FLOAT_EQ(anchors[i].y, 0.5f / 8);
  EXPECT_FLOAT_EQ(anchors[518].x, 1.5f / 8);
  EXPECT_FLOAT_EQ(anchors[895].x, 7.5f / 8);
  EXPECT_FLOAT_EQ(anchors[895].y, 7.5f / 8);
}

struct RawTensors {
  std::vector<float> logits = std::vector<float>(896, -20.f);
  std::vector<float> regressors = std::vector<float>(896 * blazeface::kRegressorValues, 0.f);
  float* at(int anchor) { return regressors.data() + anchor * blazeface::kRegressorValues; }
};

TEST(BlazefaceDecode, OffsetsAreInInputPixelsAroundTheAnchor) {
  RawTensors raw;
  const int anchor = 512 + 6 * (8 * 3 + 2);  // coarse grid, cell (2, 3): centre (2.5/8, 3.5/8)
  raw.logits[anchor] = 2.f;
  float* r = raw.at(anchor);
  r[0] = 12.8f, r[1] = -6.4f, r[2] = 64.f, r[3] = 32.f;  // on a 128 input
  r[4] = -10.f, r[5] = -5.f;                             // first keypoint
  const auto found = blazeface::decode(raw.logits, raw.regressors, 128, 0.5f);
  ASSERT_EQ(found.size(), 1u);
  const Candidate& c = found[0];
  EXPECT_NEAR(c.score, 1 / (1 + std::exp(-2.f)), 1e-6);
  EXPECT_NEAR(c.box.x + c.box.width / 2, 2.5f / 8 + 0.1f, 1e-6);
  EXPECT_NEAR(c.box.y + c.box.height / 2, 3.5f / 8 - 0.05f, 1e-6);
  EXPECT_NEAR(c.box.width, 0.5f, 1e-6);
  EXPECT_NEAR(c.box.height, 0.25f, 1e-6);
  EXPECT_NEAR(c.keypoints[0].x, 2.5f / 8 - 10.f / 128, 1e-6);
  EXPECT_NEAR(c.keypoints[0].y, 3.5f / 8 - 5.f / 128, 1e-6);
  EXPECT_NEAR(c.keypoints[1].x, 2.5f / 8, 1e-6);  // zero offset: the anchor itself
  // The full-range model's unit is its 256 input: the same raw values mean half the offsets.
  const auto back = blazeface::decode(raw.logits, raw.regressors, 256, 0.5f);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_NEAR(back[0].box.width, 0.25f, 1e-6);
}

TEST(BlazefaceDecode, ScoresAreClippedSigmoidsFilteredByTheThreshold) {
  RawTensors raw;
  raw.logits[3] = 1e6f;   // clipped to 100 before the sigmoid: no overflow
  raw.logits[4] = -0.1f;  // 0.475 < 0.5
  raw.logits[5] = 0.1f;   // 0.525
  const auto found = blazeface::decode(raw.logits, raw.regressors, 128, 0.5f);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_FLOAT_EQ(found[0].score, 1.f);
  EXPECT_NEAR(found[1].score, 0.525f, 1e-3);
  EXPECT_THROW(blazeface::decode(std::span(raw.logits).first(10), raw.regressors, 128, 0.5f),
               std::invalid_argument);
}

TEST(BlazefaceNms, MergesOverlappingBoxesByScoreWeight) {
  Candidate a{{0.0f, 0.0f, 1.0f, 1.0f}, 0.9f, {}};
  Candidate b{{0.2f, 0.0f, 1.0f, 1.0f}, 0.6f, {}};  // IoU with a: 0.8 / 1.2
  Candidate far{{5.f, 5.f, 1.f, 1.f}, 0.7f, {}};
  a.keypoints[2] = {0.5f, 0.5f};
  b.keypoints[2] = {0.7f, 0.5f};
  const auto merged = blazeface::weighted_nms({b, far, a}, 0.3f);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_FLOAT_EQ(merged[0].score, 0.9f);  // the best score survives
  EXPECT_NEAR(merged[0].box.x, (0.9f * 0.0f + 0.6f * 0.2f) / 1.5f, 1e-6);
  EXPECT_NEAR(merged[0].box.width, 1.0f, 1e-6);
  EXPECT_NEAR(merged[0].keypoints[2].x, (0.9f * 0.5f + 0.6f * 0.7f) / 1.5f, 1e-6);
  EXPECT_EQ(merged[1].box, far.box);  // not overlapping: kept as it is, after the better one
  // Below the overlap threshold nothing merges.
  EXPECT_EQ(blazeface::weighted_nms({a, b}, 0.9f).size(), 2u);
}

// A face on a photo turned r degrees clockwise stands upright again after 360 - r more.
TEST(BlazefaceKeypoints, UprightTurnUndoesTheTurnOfThePhoto) {
  // Right eye, left eye, nose tip, mouth, ears of an upright face in a 100x100 photo.
  std::vector<cv::Point2f> points{{40, 40}, {60, 40}, {50, 50}, {50, 62}, {30, 45}, {70, 45}};
  for (const int turn : {0, 90, 180, 270}) {
    EXPECT_EQ(blazeface::upright_turn(points), (360 - turn) % 360) << "photo turned " << turn;
    for (cv::Point2f& p : points) p = {99 - p.y, p.x};  // as cv::rotate turns pixels 90 degrees
  }
  // Slightly tilted heads stay as they are; missing keypoints mean no turn.
  EXPECT_EQ(blazeface::upright_turn(std::vector<cv::Point2f>{
                {40, 40}, {60, 45}, {48, 52}, {47, 62}, {30, 45}, {70, 50}}),
            0);
  EXPECT_EQ(blazeface::upright_turn({}), 0);
}

TEST(BlazefaceNames, EveryNameRoundTrips) {
  for (const std::string& name : detector_names())
    EXPECT_EQ(to_string(detector_kind_from_string(name)), name);
  EXPECT_EQ(detector_kind_from_string("blazeface"), DetectorKind::blazeface);
  EXPECT_THROW(detector_kind_from_string("blaze"), std::invalid_argument);
}

class BlazefaceOnPhotos : public ::testing::TestWithParam<DetectorKind> {
 protected:
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    EngineOptions options;
    options.detector.kind = GetParam();
    engine_ = FaceEngine::create(options);
  }
  std::unique_ptr<FaceEngine> engine_;
};

TEST_P(BlazefaceOnPhotos, BoxAroundTheFaceKeypointsOnEyesNoseAndMouth) {
  cv::Mat image = load_image(test::shared_data("faces/misc/test/obama-720p.jpg"));
  const auto found = engine_->detect(image);
  ASSERT_EQ(found.size(), 1u);
  const Detection& d = found[0];
  ASSERT_EQ(d.keypoints.size(), 6u);
  // The 68 landmarks fitted in the calibrated box agree with HOG's box and with the keypoints.
  const auto hog = FaceEngine::create()->detect(image);
  ASSERT_EQ(hog.size(), 1u);
  EXPECT_GT(blazeface::iou(cv::Rect2f(d.box), cv::Rect2f(hog[0].box)), 0.6f)
      << d.box << " vs HOG " << hog[0].box;
  const Landmarks l = engine_->landmarks(image, d.box);
  const auto mean = [&](int from, int to) {
    cv::Point2f sum(0, 0);
    for (int i = from; i <= to; ++i) sum += l[i];
    return sum / static_cast<float>(to - from + 1);
  };
  const cv::Point2f right_eye = mean(36, 41), left_eye = mean(42, 47);  // image left, right
  const float eyes = static_cast<float>(cv::norm(left_eye - right_eye));
  const auto near = [&](cv::Point2f keypoint, cv::Point2f landmark) {
    return cv::norm(keypoint - landmark) < 0.25 * eyes;
  };
  EXPECT_TRUE(near(d.keypoints[0], right_eye)) << d.keypoints[0] << " vs " << right_eye;
  EXPECT_TRUE(near(d.keypoints[1], left_eye)) << d.keypoints[1] << " vs " << left_eye;
  EXPECT_TRUE(near(d.keypoints[2], l[30])) << "nose tip " << d.keypoints[2] << " vs " << l[30];
  EXPECT_TRUE(near(d.keypoints[3], mean(60, 67))) << "mouth " << d.keypoints[3];
  // Ears lie outside the eyes, on their own side.
  EXPECT_LT(d.keypoints[4].x, right_eye.x);
  EXPECT_GT(d.keypoints[5].x, left_eye.x);
}

// Every face HOG finds, BlazeFace finds (the full photo also shows a girl HOG misses).
TEST_P(BlazefaceOnPhotos, FindsTheFacesHogFindsInATwoPersonPhoto) {
  const cv::Mat photo = load_image(test::shared_data("faces/misc/test/obama_and_biden.jpg"));
  // The short-range model is for faces near the camera: it gets the two men's upper bodies at
  // webcam size (630x455).
  cv::Mat close_up;
  cv::resize(photo(cv::Rect(600, 250, 900, 650)), close_up, {}, 0.7, 0.7, cv::INTER_AREA);
  auto hog = FaceEngine::create();
  for (const cv::Mat& image : {close_up, photo}) {
    if (GetParam() == DetectorKind::blazeface_front && image.cols > 640) continue;
    const auto found = engine_->detect(image), expected = hog->detect(image);
    ASSERT_EQ(expected.size(), 2u);
    for (const Detection& face : expected) {
      float best = 0;
      for (const Detection& d : found)
        best = std::max(best, blazeface::iou(cv::Rect2f(d.box), cv::Rect2f(face.box)));
      EXPECT_GT(best, 0.5f) << "missed the face HOG finds at " << face.box << " in "
                            << image.size();
    }
    for (std::size_t i = 1; i < found.size(); ++i)
      EXPECT_GE(found[i - 1].score, found[i].score);  // best first
  }
}

// BlazeFace finds faces lying on their side, where the 68-point fit cannot follow: photo mode
// (try_rotations) turns the photo so that they stand upright and embeds them there.
TEST_P(BlazefaceOnPhotos, FacesLyingDownAreFittedUpright) {
  const cv::Mat photo = load_image(test::shared_data("faces/misc/test/obama-480p.jpg"));
  const AnalyzeOptions options{.try_rotations = true};
  const auto upright = engine_->analyze(photo, options);
  ASSERT_EQ(upright.size(), 1u);
  EXPECT_EQ(upright[0].rotation, 0);
  for (const int turn : {90, 180, 270}) {
    const auto found = engine_->analyze(turned_clockwise(photo, turn), options);
    ASSERT_EQ(found.size(), 1u) << "photo turned " << turn;
    EXPECT_EQ(found[0].rotation, (360 - turn) % 360) << "photo turned " << turn;
    EXPECT_LT(euclidean_distance(found[0].embedding, upright[0].embedding), 0.15f)
        << "photo turned " << turn;
  }
}

// On tight crops BlazeFace may box one face twice or add a weak box on part of it; fitted,
// those land on the same face and analyze() keeps one (same_face).
TEST_P(BlazefaceOnPhotos, EveryTightCastCropIsOneFace) {
  int doubled = 0;
  for (const auto& crop : test::photos_under(test::shared_data("faces/bbt"))) {  // not _group
    const cv::Mat image = load_image(crop);
    doubled += engine_->detect(image).size() > 1;
    EXPECT_EQ(engine_->analyze(image, {.embed = false}).size(), 1u) << crop;
  }
  std::printf("%s: %d crops with more than one box before the fit\n",
              std::string(to_string(GetParam())).c_str(), doubled);
}

TEST(SameFace, FitsOfOneFaceAgreeFitsOfNeighboursDoNot) {
  Landmarks face{};
  for (std::size_t i = 0; i < face.size(); ++i)  // a 100 px face: a ring of points
    face[i] = {150 + 50 * std::cos(i * 0.1f), 150 + 50 * std::sin(i * 0.1f)};
  Landmarks shifted = face, neighbour = face, lower_half{};
  for (auto& p : shifted) p += cv::Point2f(20, 10);
  for (auto& p : neighbour) p += cv::Point2f(105, 0);  // the next person, shoulder to shoulder
  for (std::size_t i = 0; i < face.size(); ++i)        // a small fit on the chin
    lower_half[i] = {150 + 15 * std::cos(i * 0.1f), 185 + 15 * std::sin(i * 0.1f)};
  EXPECT_TRUE(same_face(face, face));
  EXPECT_TRUE(same_face(face, shifted));
  EXPECT_TRUE(same_face(face, lower_half));
  EXPECT_TRUE(same_face(lower_half, face));
  EXPECT_FALSE(same_face(face, neighbour));
}

TEST_P(BlazefaceOnPhotos, HostileImagesNeverCrash) {
  cv::Mat photo = load_image(test::shared_data("faces/misc/test/obama-480p.jpg"));
  cv::Mat gray, bgra, huge;
  cv::cvtColor(photo, gray, cv::COLOR_BGR2GRAY);
  cv::cvtColor(photo, bgra, cv::COLOR_BGR2BGRA);
  cv::resize(photo, huge, {}, 10, 10, cv::INTER_NEAREST);  // 8540x4800-ish
  // Gray and 4-channel photos find the face the colour photo does.
  EXPECT_EQ(engine_->detect(gray).size(), engine_->detect(photo).size());
  EXPECT_EQ(engine_->detect(bgra).size(), engine_->detect(photo).size());
  EXPECT_FALSE(engine_->detect(huge).empty());
  const std::vector<cv::Mat> hostile{cv::Mat(),
                                     cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(255)),
                                     cv::Mat(2, 3000, CV_8UC3, cv::Scalar::all(128)),
                                     cv::Mat(3000, 1, CV_8UC1, cv::Scalar::all(7)),
                                     cv::Mat(64, 64, CV_16UC3, cv::Scalar::all(40000)),
                                     cv::Mat(64, 64, CV_8UC2, cv::Scalar::all(1)),
                                     cv::Mat(480, 640, CV_8UC3, cv::Scalar::all(0))};
  for (const cv::Mat& image : hostile) {
    EXPECT_NO_THROW(engine_->detect(image)) << image.size << " type " << image.type();
    EXPECT_TRUE(engine_->detect(image).empty()) << image.size << " type " << image.type();
  }
  EXPECT_NO_THROW(engine_->analyze(cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(0))));
}

INSTANTIATE_TEST_SUITE_P(Models, BlazefaceOnPhotos,
                         ::testing::Values(DetectorKind::blazeface, DetectorKind::blazeface_front,
                                           DetectorKind::blazeface_back),
                         [](const auto& test_info) {
                           std::string name(to_string(test_info.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(BlazefaceFactory, MissingModelNamesTheFileAndTheFix) {
  EngineOptions options;
  options.detector.kind = DetectorKind::blazeface;
  options.models.recognition_weights = "/nonexistent/face_recognition_resnet29.lkw";
  try {
    make_detector(options.detector, options.models);
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/human-models/blazeface-"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("models fetch"), std::string::npos);
  }
}

}  // namespace
}  // namespace lookalike

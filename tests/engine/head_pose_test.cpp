// Head pose from the landmarks on real photos: finite for every face, frontal LFW portraits
// come out frontal, a mirrored photo flips the yaw's sign, and the bins follow the thresholds.
#include <opencv2/core.hpp>

#include <cmath>

#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/head_pose.hpp"
#include "lookalike/engine/image_io.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

class HeadPoseOnPhotos : public ::testing::Test {
 protected:
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    engine_ = FaceEngine::create();
  }
  // The labelled (central) face of an LFW photo, as the gallery builder finds it.
  std::optional<HeadPose> lfw_pose(const cv::Mat& image) {
    const cv::Rect central(77, 89, 105, 105);
    const cv::Rect box = image.cols == 250 ? central : cv::Rect{};
    AnalyzeOptions options{.embed = false};
    if (!box.empty()) options.expected_face = box;
    auto faces = engine_->analyze(image, options);
    if (faces.empty()) return std::nullopt;
    return estimate_head_pose(faces.front().landmarks, image.size());
  }
  std::unique_ptr<FaceEngine> engine_;
};

// Every face the engine finds, in every kind of shared photo (crops, group shots, phone-size
// portraits), gets a finite pose inside the half sphere facing the camera.
TEST_F(HeadPoseOnPhotos, FiniteForEveryFace) {
  int faces_seen = 0;
  for (const char* folder : {"faces/bbt", "faces/misc/test", "faces/lfw10/Tony_Blair"}) {
    for (const auto& path : test::photos_under(test::shared_data(folder), "")) {
      const cv::Mat image = load_image(path);
      for (const auto& face : engine_->analyze(image, {.embed = false})) {
        ++faces_seen;
        const auto pose = estimate_head_pose(face.landmarks, image.size());
        ASSERT_TRUE(pose.has_value()) << path << " face at " << face.box;
        EXPECT_TRUE(std::isfinite(pose->yaw) && std::isfinite(pose->pitch)) << path;
        EXPECT_LE(std::abs(pose->yaw), 90.f) << path;
        EXPECT_LE(std::abs(pose->pitch), 90.f) << path;
      }
    }
  }
  EXPECT_GT(faces_seen, 60);
}

// Portraits that look straight into the camera (chosen by eye from lfw10) are frontal, and so
// are their mirror images.
TEST_F(HeadPoseOnPhotos, FrontalLfwPortraitsAreFrontal) {
  const auto lfw = test::shared_data("faces/lfw10");
  for (const char* name :
       {"Ariel_Sharon/Ariel_Sharon_0002.jpg", "Donald_Rumsfeld/Donald_Rumsfeld_0006.jpg",
        "George_W_Bush/George_W_Bush_0006.jpg", "Tony_Blair/Tony_Blair_0002.jpg",
        "Jacques_Chirac/Jacques_Chirac_0009.jpg", "Vladimir_Putin/Vladimir_Putin_0006.jpg"}) {
    const cv::Mat image = load_image(lfw / name);
    cv::Mat mirrored;
    cv::flip(image, mirrored, 1);
    for (const cv::Mat& photo : {image, mirrored}) {
      const auto pose = lfw_pose(photo);
      ASSERT_TRUE(pose.has_value()) << name;
      EXPECT_EQ(pose_bin(*pose), PoseBin::frontal)
          << name << ": yaw " << pose->yaw << ", pitch " << pose->pitch;
    }
  }
}

// Mirroring a photo turns the head the other way: every clearly turned lfw10 face (|yaw| of
// 10 degrees or more) changes the yaw's sign, and the two yaws nearly cancel (the landmarks
// of the mirror image are fitted anew, so not exactly).
TEST_F(HeadPoseOnPhotos, MirroringFlipsTheYaw) {
  std::vector<float> mismatch;
  int turned = 0;
  for (const auto& path : test::photos_under(test::shared_data("faces/lfw10"), "")) {
    const cv::Mat image = load_image(path);
    cv::Mat mirrored;
    cv::flip(image, mirrored, 1);
    const auto pose = lfw_pose(image);
    const auto flipped = lfw_pose(mirrored);
    ASSERT_TRUE(pose && flipped) << path;
    mismatch.push_back(std::abs(pose->yaw + flipped->yaw));
    if (std::abs(pose->yaw) < 10.f) continue;
    ++turned;
    EXPECT_LT(pose->yaw * flipped->yaw, 0.f)
        << path << ": yaw " << pose->yaw << ", mirrored " << flipped->yaw;
  }
  EXPECT_GT(turned, 30) << "lfw10 has many turned faces";
  std::nth_element(mismatch.begin(), mismatch.begin() + mismatch.size() / 2, mismatch.end());
  EXPECT_LT(mismatch[mismatch.size() / 2], 5.f) << "median |yaw + mirrored yaw|";
}

TEST(HeadPoseBins, ThresholdsAndCentres) {
  EXPECT_EQ(pose_bin({0.f, 0.f}), PoseBin::frontal);
  EXPECT_EQ(pose_bin({kFrontalYaw, -kFrontalPitch}), PoseBin::frontal);
  EXPECT_EQ(pose_bin({-kFrontalYaw - 1, 0.f}), PoseBin::left);
  EXPECT_EQ(pose_bin({kFrontalYaw + 1, 0.f}), PoseBin::right);
  EXPECT_EQ(pose_bin({0.f, kFrontalPitch + 1}), PoseBin::up);
  EXPECT_EQ(pose_bin({0.f, -kFrontalPitch - 1}), PoseBin::down);
  // The axis that leaves its threshold by the larger factor decides.
  EXPECT_EQ(pose_bin({40.f, 15.f}), PoseBin::right);
  EXPECT_EQ(pose_bin({16.f, -30.f}), PoseBin::down);
  for (std::size_t b = 0; b < kPoseBinCount; ++b) {
    const auto bin = static_cast<PoseBin>(b);
    EXPECT_EQ(pose_bin(bin_centre(bin)), bin) << to_string(bin);
  }
  EXPECT_FLOAT_EQ(pose_distance({3.f, 4.f}, {0.f, 0.f}), 5.f);
}

// Degenerate landmarks (all on one point) give no pose rather than garbage or an exception.
TEST(HeadPoseBins, DegenerateLandmarksGiveNoPose) {
  Landmarks same{};
  for (auto& p : same) p = {50.f, 50.f};
  const auto pose = estimate_head_pose(same, {100, 100});
  if (pose) {
    EXPECT_TRUE(std::isfinite(pose->yaw) && std::isfinite(pose->pitch));
  }
  EXPECT_FALSE(estimate_head_pose(same, {0, 0}).has_value());
}

}  // namespace
}  // namespace lookalike

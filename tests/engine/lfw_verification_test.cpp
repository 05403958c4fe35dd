// LFW View 1 (pairsDevTest.txt: 500 same + 500 different pairs), for each detector: a face is
// found in every photo and verification accuracy at dlib's 0.6 threshold is at least the
// detector's floor for the gallery builder's default recipe (kGalleryJitter), and at least
// kOtherRecipeFloor for plain embeddings and jitter 4 (method: lfw_view1.hpp; embeddings average
// the chip and its mirror image). BlazeFace's boxes reach the landmark model through its
// keypoints and two refits, fitted and chosen on pairsDevTrain (never on these pairs).
//
// Floors: BlazeFace 98.9 %, the figure issue 12 asks of it (HOG's; it measures 99.0 %); HOG
// 98.5 % (it measures 98.9 %). One pair is 0.1 %: pairs within 0.01 of the threshold can flip
// when another vector ISA rounds differently, which is why the floors are not the measurements.
#include <algorithm>
#include <cstdio>
#include <set>

#include "lfw_view1.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

struct DetectorCase {
  DetectorKind detector;
  double min_accuracy;  // the default recipe
};
constexpr double kOtherRecipeFloor = 98.5;

class LfwView1 : public ::testing::TestWithParam<DetectorCase> {};

TEST_P(LfwView1, VerificationAccuracyAtDlibThreshold) {
  LOOKALIKE_REQUIRE_SHARED();
  const DetectorKind detector = GetParam().detector;
  const auto chips = test::lfw_view1_chips(test::shared_data("faces/lfw_view1"), 0, 0, detector);
  ASSERT_EQ(chips.pairs.size(), 1000u);
  ASSERT_TRUE(chips.failures.empty()) << chips.failures.front();
  std::printf("LFW View 1 pairsDevTest, %s: %zu photos, detector found the central face in %zu\n",
              std::string(to_string(detector)).c_str(), chips.chips.size(),
              chips.chips.size() - chips.no_detection.size());
  for (const auto& p : chips.no_detection) std::printf("  no detection: %s\n", p.c_str());
  EXPECT_TRUE(chips.no_detection.empty())
      << chips.no_detection.size() << " photos without a detected face";

  // Plain embeddings, the jitter galleries are built with by default, and a jittered recipe.
  for (const int jitter : std::set<int>{0, kGalleryJitter, 4}) {
    const auto score = test::score_lfw_view1(chips, /*mirror_average=*/true, jitter);
    std::printf("  jitter %d: accuracy %.1f %% at 0.6 (same %d/%d, different %d/%d)\n", jitter,
                score.accuracy_percent, score.same_correct, score.same_total,
                score.different_correct, score.different_total);
    EXPECT_GE(score.accuracy_percent,
              jitter == kGalleryJitter ? GetParam().min_accuracy : kOtherRecipeFloor)
        << "jitter " << jitter;
  }
}

INSTANTIATE_TEST_SUITE_P(Detectors, LfwView1,
                         ::testing::Values(DetectorCase{DetectorKind::hog, 98.5},
                                           DetectorCase{DetectorKind::blazeface, 98.9}),
                         [](const auto& test_info) {
                           std::string name(to_string(test_info.param.detector));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace lookalike

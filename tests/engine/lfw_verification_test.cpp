// LFW View 1 (pairsDevTest.txt: 500 same + 500 different pairs): a face is found in every
// photo and verification accuracy at dlib's 0.6 threshold is at least 98 %, for plain
// embeddings, the gallery builder's default jitter and jitter 4 (method: lfw_view1.hpp;
// embeddings average the chip and its mirror image).
#include <cstdio>
#include <set>

#include "lfw_view1.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

TEST(LfwView1, VerificationAccuracyAtDlibThreshold) {
  LOOKALIKE_REQUIRE_SHARED();
  const auto chips = test::lfw_view1_chips(test::shared_data("faces/lfw_view1"));
  ASSERT_EQ(chips.pairs.size(), 1000u);
  ASSERT_TRUE(chips.failures.empty()) << chips.failures.front();
  std::printf("LFW View 1 pairsDevTest: %zu photos, detector found the central face in %zu\n",
              chips.chips.size(), chips.chips.size() - chips.no_detection.size());
  for (const auto& p : chips.no_detection) std::printf("  no detection: %s\n", p.c_str());
  EXPECT_TRUE(chips.no_detection.empty())
      << chips.no_detection.size() << " photos without a detected face";

  // Plain embeddings, the jitter galleries are built with by default, and a jittered recipe.
  for (const int jitter : std::set<int>{0, kGalleryJitter, 4}) {
    const auto score = test::score_lfw_view1(chips, /*mirror_average=*/true, jitter);
    std::printf("  jitter %d: accuracy %.1f %% at 0.6 (same %d/%d, different %d/%d)\n", jitter,
                score.accuracy_percent, score.same_correct, score.same_total,
                score.different_correct, score.different_total);
    EXPECT_GE(score.accuracy_percent, 98.0) << "jitter " << jitter;
  }
}

}  // namespace
}  // namespace lookalike

// LFW View 1 (pairsDevTest.txt: 500 same + 500 different pairs): a face is found in every
// photo and verification accuracy at dlib's 0.6 threshold is at least 98 %, for plain
// embeddings and for the gallery builder's default jitter (method: lfw_view1.hpp; embeddings
// average the chip and its mirror image).
#include <cstdio>

#include "lfw_view1.hpp"
#include "lookalike/gallery/builder.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

class LfwView1 : public ::testing::TestWithParam<int> {};

TEST_P(LfwView1, VerificationAccuracyAtDlibThreshold) {
  LOOKALIKE_REQUIRE_SHARED();
  const int jitter = GetParam();
  const auto result =
      test::run_lfw_view1(test::shared_data("faces/lfw_view1"),
                          {.mirror_average = true, .jitter = jitter, .thorough = true});
  ASSERT_EQ(result.pairs, 1000u);
  ASSERT_TRUE(result.failures.empty()) << result.failures.front();

  std::printf(
      "LFW View 1 pairsDevTest, jitter %d: %zu photos, detector found the central face in %zu; "
      "accuracy %.1f %% at 0.6 (same %d/%d, different %d/%d); %.1f ms per face\n",
      jitter, result.photos, result.photos - result.no_detection.size(), result.accuracy_percent,
      result.same_correct, result.same_total, result.different_correct, result.different_total,
      result.analyze_ms_per_face);
  for (const auto& p : result.no_detection) std::printf("  no detection: %s\n", p.c_str());
  EXPECT_TRUE(result.no_detection.empty())
      << result.no_detection.size() << " photos without a detected face";
  EXPECT_GE(result.accuracy_percent, 98.0);
}

// Plain embeddings, and the jitter galleries are built with by default.
INSTANTIATE_TEST_SUITE_P(Jitter, LfwView1, ::testing::Values(0, BuildOptions{}.jitter),
                         [](const ::testing::TestParamInfo<int>& p) {
                           return "jitter" + std::to_string(p.param);
                         });

}  // namespace
}  // namespace lookalike

// AnalyzeOptions::jitter on real photos and the real network: 0 leaves the embedding as it
// was (bit for bit), N is deterministic (same bytes from another engine and in another batch),
// and the averaged embedding stays near the plain one (same face, a small perturbation).
#include <algorithm>

#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/image_io.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

class Jitter : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!test::shared_dir()) GTEST_SKIP() << "shared test data not found (../shared)";
    engine_ = FaceEngine::create();
    for (const char* name :
         {"Tony_Blair/Tony_Blair_0005.jpg", "Colin_Powell/Colin_Powell_0001.jpg"}) {
      const cv::Mat image = load_image(test::shared_data(std::string("faces/lfw10/") + name));
      auto faces = engine_->analyze(image, {.embed = false, .thorough = true});
      const int primary = pick_primary_face(faces, image.size());
      ASSERT_GE(primary, 0) << name;
      chips_.push_back(faces[primary].chip);
    }
  }
  Embedding one(const cv::Mat& chip, bool mirror, int jitter) {
    return engine_->embed(std::span<const cv::Mat>(&chip, 1), mirror, jitter).at(0);
  }

  std::unique_ptr<FaceEngine> engine_;
  std::vector<cv::Mat> chips_;
};

TEST_F(Jitter, ZeroIsThePlainAndMirroredEmbeddingBitForBit) {
  const cv::Mat& chip = chips_[0];
  cv::Mat flipped;
  cv::flip(chip, flipped, 1);
  const std::vector<cv::Mat> both{chip, flipped};
  const auto plain = engine_->embed(both);
  Embedding mirrored;
  for (std::size_t k = 0; k < kEmbeddingDim; ++k) mirrored[k] = 0.5f * (plain[0][k] + plain[1][k]);

  EXPECT_EQ(one(chip, false, 0), plain[0]);
  EXPECT_EQ(one(chip, true, 0), mirrored);
  // analyze() passes its options through: default jitter is 0.
  const cv::Mat image = load_image(test::shared_data("faces/lfw10/Tony_Blair/Tony_Blair_0005.jpg"));
  const auto faces = engine_->analyze(image, {.mirror_average = true, .thorough = true});
  const int primary = pick_primary_face(faces, image.size());
  ASSERT_GE(primary, 0);
  EXPECT_EQ(faces[primary].embedding, mirrored);
}

TEST_F(Jitter, SameChipGivesTheSameBytesFromAnotherEngineAndBatch) {
  const Embedding first = one(chips_[0], true, 10);
  auto other = FaceEngine::create();
  // Another engine, the chip second in a batch after a different face.
  const auto batch = other->embed(chips_, true, 10);
  const std::vector<cv::Mat> reversed{chips_[1], chips_[0]};
  const auto reversed_batch = other->embed(reversed, true, 10);
  EXPECT_EQ(batch[0], first);
  EXPECT_EQ(reversed_batch[1], first);
  EXPECT_EQ(reversed_batch[0], batch[1]);
}

TEST_F(Jitter, AveragedEmbeddingStaysNearThePlainOne) {
  // Between two different people (Blair, Powell): what "far" means for these photos.
  const float between_people = euclidean_distance(one(chips_[0], true, 0), one(chips_[1], true, 0));
  for (const cv::Mat& chip : chips_) {
    const Embedding plain = one(chip, true, 0);
    for (const int jitter : {4, 10}) {
      const Embedding jittered = one(chip, true, jitter);
      const float moved = euclidean_distance(plain, jittered);
      std::printf("jitter %d moved the embedding by %.4f (two people: %.4f apart)\n", jitter, moved,
                  between_people);
      EXPECT_GT(moved, 0.f) << "jitter " << jitter << " changed nothing";
      // Far below the distance between two photos of one person (0.3-0.5) or two people.
      EXPECT_LT(moved, 0.15f) << "jitter " << jitter;
      EXPECT_LT(moved, 0.25f * between_people) << "jitter " << jitter;
    }
  }
}

TEST_F(Jitter, OutOfRangeIsRefused) {
  EXPECT_THROW(one(chips_[0], false, -1), std::invalid_argument);
  EXPECT_THROW(one(chips_[0], false, kMaxJitter + 1), std::invalid_argument);
  EXPECT_NO_THROW(one(chips_[0], false, 1));
}

}  // namespace
}  // namespace lookalike

// Every network implementation reproduces face-api's descriptors for the 63 reference chips
// (../shared/data/reference) to a max absolute difference of 1e-4.
#include <dlib_embedder.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "lookalike/engine/embedder.hpp"
#include "lookalike/engine/model_paths.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

constexpr float kTolerance = 1e-4f;

struct Reference {
  std::vector<std::string> names;
  std::vector<cv::Mat> chips;
  std::vector<Embedding> expected;
};

Reference load_reference() {
  Reference ref;
  const auto dir = test::shared_data("reference");
  std::ifstream in(dir / "faceapi_descriptors.json");
  const auto json = nlohmann::json::parse(in);
  for (const auto& [name, values] : json.items()) {
    cv::Mat chip = cv::imread((dir / "chips" / name).string(), cv::IMREAD_COLOR);
    EXPECT_FALSE(chip.empty()) << name;
    Embedding e{};
    EXPECT_EQ(values.size(), kEmbeddingDim) << name;
    for (std::size_t i = 0; i < kEmbeddingDim; ++i) e[i] = values[i].get<float>();
    ref.names.push_back(name);
    ref.chips.push_back(chip);
    ref.expected.push_back(e);
  }
  return ref;
}

void expect_matches(FaceEmbedder& embedder, const Reference& ref, std::size_t batch) {
  float worst = 0.f;
  std::string worst_name;
  for (std::size_t start = 0; start < ref.chips.size(); start += batch) {
    const std::size_t n = std::min(batch, ref.chips.size() - start);
    auto got = embedder.embed(std::span(ref.chips).subspan(start, n));
    ASSERT_EQ(got.size(), n);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < kEmbeddingDim; ++k) {
        const float diff = std::abs(got[i][k] - ref.expected[start + i][k]);
        if (diff > worst) worst = diff, worst_name = ref.names[start + i];
      }
  }
  std::printf("[ %-10s ] batch %zu: max |difference| = %.3g (%s) over %zu chips\n",
              std::string(embedder.name()).c_str(), batch, worst, worst_name.c_str(),
              ref.chips.size());
  EXPECT_LE(worst, kTolerance) << embedder.name() << " worst chip " << worst_name;
}

class GoldenDescriptors : public ::testing::Test {
 protected:
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    const auto paths = ModelPaths::defaults();
    paths.verify_recognition();
    weights_ = load_resnet_weights(paths.recognition_weights);
    reference_ = load_reference();
    ASSERT_EQ(reference_.chips.size(), 63u);
  }
  ResNetWeights weights_;
  Reference reference_;
};

TEST_F(GoldenDescriptors, OnednnMatchesFaceApi) {
  auto embedder = make_embedder(EmbedderKind::onednn, weights_);
  expect_matches(*embedder, reference_, 1);
  expect_matches(*embedder, reference_, 7);  // 4 + 2 + 1 plans
}

TEST_F(GoldenDescriptors, DlibReferenceMatchesFaceApi) {
  auto embedder = make_dlib_embedder(weights_);
  expect_matches(*embedder, reference_, 16);
}

TEST_F(GoldenDescriptors, OpencvDnnMatchesFaceApi) {
  auto embedder = make_embedder(EmbedderKind::opencv_dnn, weights_);
  expect_matches(*embedder, reference_, 1);
  expect_matches(*embedder, reference_, 8);
}

TEST_F(GoldenDescriptors, DescriptorNormsAreInTheTrainedRange) {
  auto embedder = make_embedder(EmbedderKind::onednn, weights_);
  for (const Embedding& e : embedder->embed(reference_.chips)) {
    float norm = 0.f;
    for (float v : e) norm += v * v;
    norm = std::sqrt(norm);
    EXPECT_GT(norm, 1.2f);
    EXPECT_LT(norm, 1.8f);
  }
}

}  // namespace
}  // namespace lookalike

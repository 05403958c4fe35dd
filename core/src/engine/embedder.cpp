#include "lookalike/engine/embedder.hpp"

#include <stdexcept>

namespace lookalike {

std::unique_ptr<FaceEmbedder> make_onednn_embedder(const ResNetWeights& weights, int threads);
std::unique_ptr<FaceEmbedder> make_opencv_dnn_embedder(const ResNetWeights& weights, int threads);

std::unique_ptr<FaceEmbedder> make_embedder(EmbedderKind kind, const ResNetWeights& weights,
                                            int threads) {
  switch (kind) {
    case EmbedderKind::onednn:
      return make_onednn_embedder(weights, threads);
    case EmbedderKind::opencv_dnn:
      return make_opencv_dnn_embedder(weights, threads);
  }
  throw std::invalid_argument("unknown embedder kind");
}

void chips_to_tensor(std::span<const cv::Mat> chips, float* out) {
  constexpr int kPlane = kChipSize * kChipSize;
  for (std::size_t n = 0; n < chips.size(); ++n) {
    const cv::Mat& chip = chips[n];
    if (chip.rows != kChipSize || chip.cols != kChipSize || chip.type() != CV_8UC3)
      throw std::invalid_argument("face chip must be 150x150 CV_8UC3");
    float* r = out + n * 3 * kPlane;
    float* g = r + kPlane;
    float* b = g + kPlane;
    for (int y = 0; y < kChipSize; ++y) {
      const auto* row = chip.ptr<cv::Vec3b>(y);
      const int base = y * kChipSize;
      for (int x = 0; x < kChipSize; ++x) {
        r[base + x] = (row[x][2] - kInputMean[0]) * kInputScale;
        g[base + x] = (row[x][1] - kInputMean[1]) * kInputScale;
        b[base + x] = (row[x][0] - kInputMean[2]) * kInputScale;
      }
    }
  }
}

}  // namespace lookalike

// Face descriptor backends: 150x150 aligned chips in, 128-D embeddings out.
//
// Contract: an embedder is NOT thread-safe; create one per thread (on that thread). The
// weights it is built from are copied or folded at construction, so they may be shared
// read-only. embed() takes kChipSize x kChipSize CV_8UC3 BGR chips and returns one embedding
// per chip in order; any batch size works (batches run in one forward pass).
#pragma once

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "lookalike/engine/resnet_weights.hpp"
#include "lookalike/types.hpp"

namespace lookalike {

class FaceEmbedder {
 public:
  virtual ~FaceEmbedder() = default;
  virtual std::vector<Embedding> embed(std::span<const cv::Mat> chips) = 0;
  virtual std::string_view name() const = 0;
};

enum class EmbedderKind {
  onednn,      // production: oneDNN f32, scale folded, ReLU and residual add fused
  opencv_dnn,  // OpenCV dnn graph built layer by layer
};

std::unique_ptr<FaceEmbedder> make_embedder(EmbedderKind kind, const ResNetWeights& weights,
                                            int threads = 1);

// Chips to a planar float tensor N x 3 x 150 x 150 in RGB order, normalized as face-api does.
void chips_to_tensor(std::span<const cv::Mat> chips, float* out);

}  // namespace lookalike

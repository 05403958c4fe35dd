#include <stdexcept>

#include "lookalike/embedder.hpp"

namespace lookalike {

// Placeholder until the OpenCV dnn graph lands.
std::unique_ptr<FaceEmbedder> make_opencv_dnn_embedder(const ResNetWeights&, int) {
  throw std::invalid_argument("the OpenCV dnn backend is not built yet");
}

}  // namespace lookalike

// dlib's own implementation of the ResNet-29 descriptor network (anet_type from dlib's
// dnn_face_recognition_ex.cpp), filled from ResNetWeights. It is the reference the production
// backends are tested against, not a production path (it is ~4x slower than oneDNN here).
//
// Contract: as FaceEmbedder (one instance per thread). dlib's input layer divides by 256
// where face-api divides by 255; the first convolution's filters are scaled by 256/255 so
// the outputs match face-api's.
#pragma once

#include <memory>

#include "lookalike/engine/embedder.hpp"

namespace lookalike {

std::unique_ptr<FaceEmbedder> make_dlib_embedder(const ResNetWeights& weights);

}  // namespace lookalike

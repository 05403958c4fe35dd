// ModelInfo: which embedding network produced a set of descriptors. A gallery records the
// ModelInfo of the engine that built it; descriptors of two networks are not comparable, so a
// gallery is only usable with an engine whose model is the same (same_model()).
//
// Contract: a plain value, cheap to copy. The compatibility key is `id` + `weights_sha256`;
// `detector` and `alignment` are informative (a different detector still yields comparable
// descriptors).
#pragma once

#include <string>

namespace lookalike {

struct ModelInfo {
  std::string id;              // network identity, e.g. "dlib-resnet29-v1"
  std::string weights_sha256;  // SHA-256 of the source weights (gallery compatibility key)
  std::string detector;        // e.g. "hog"
  std::string alignment;       // e.g. "dlib-68pt-chip150-pad0.25"
};

// True when descriptors of `a` and `b` can be compared (same network, same weights).
inline bool same_model(const ModelInfo& a, const ModelInfo& b) {
  return a.id == b.id && a.weights_sha256 == b.weights_sha256;
}

}  // namespace lookalike

#include <cmath>

#include "lookalike/types.hpp"

namespace lookalike {

float euclidean_distance(const Embedding& a, const Embedding& b) {
  float sum = 0.f;
  for (std::size_t i = 0; i < kEmbeddingDim; ++i) {
    const float d = a[i] - b[i];
    sum += d * d;
  }
  return std::sqrt(sum);
}

float cosine_similarity(const Embedding& a, const Embedding& b) {
  float dot = 0.f, na = 0.f, nb = 0.f;
  for (std::size_t i = 0; i < kEmbeddingDim; ++i) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (na == 0.f || nb == 0.f) return 0.f;
  return dot / std::sqrt(na * nb);
}

}  // namespace lookalike

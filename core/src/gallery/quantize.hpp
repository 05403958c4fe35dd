// The one int8 quantizer of gallery embeddings, used by the HNSW graph (hnsw_index.cpp), the
// optional in-memory int8 copy (gallery.cpp) and the int8 candidate pass's query (search.cpp).
// Internal to core.
//
// Contract: q[j] = clamp(round(x[j] * kInt8Scale), -127, 127), a pure function (thread-safe).
// One fixed scale for every site, so a query and the vectors it is compared with are always in
// the same units, whatever gallery they come from.
//
// Why 200: it is the scale the HNSW graphs stored in gallery files were built with (changing it
// would make every stored index answer in other units: existing galleries would have to be
// rebuilt). dlib descriptor components stay within +-0.55 (measured on lfw10 and bbt), and
// 127 / 200 = +-0.635 leaves headroom; the rounding error is at most 0.5 / 200 = 0.0025 per
// component, far below the 0.6 same-person distance. Callers re-rank candidates exactly.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "lookalike/types.hpp"

namespace lookalike::detail {

inline constexpr float kInt8Scale = 200.f;
inline constexpr float kInt8Max = 127.f / kInt8Scale;  // largest component represented exactly

using Int8Vector = std::array<std::int8_t, kEmbeddingDim>;

// Quantizes one embedding (kEmbeddingDim floats) into `out`; returns its squared int8 norm.
inline std::int32_t quantize_int8(const float* x, std::int8_t* out) {
  std::int32_t norm = 0;
  for (std::size_t j = 0; j < kEmbeddingDim; ++j) {
    const long v = std::clamp(std::lround(x[j] * kInt8Scale), -127L, 127L);
    out[j] = static_cast<std::int8_t>(v);
    norm += static_cast<std::int32_t>(v * v);
  }
  return norm;
}

inline Int8Vector quantize_int8(const float* x) {
  Int8Vector q;
  quantize_int8(x, q.data());
  return q;
}

// Squared L2 in quantized units -> squared L2 in descriptor units.
inline constexpr float kInt8SquaredToFloat = 1.f / (kInt8Scale * kInt8Scale);

// The int8 copy of `count` consecutive embeddings and their squared norms (gallery.cpp).
inline void quantize_all(const float* embeddings, std::size_t count, std::vector<std::int8_t>& q,
                         std::vector<std::int32_t>& norms) {
  q.resize(count * kEmbeddingDim);
  norms.resize(count);
  for (std::size_t p = 0; p < count; ++p)
    norms[p] = quantize_int8(embeddings + p * kEmbeddingDim, q.data() + p * kEmbeddingDim);
}

}  // namespace lookalike::detail

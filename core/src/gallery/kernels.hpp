// Distance kernels over kEmbeddingDim floats, written so GCC vectorizes them without
// -ffast-math: 16 independent partial sums (one zmm / two ymm registers) reduced in a fixed
// order, so results are deterministic. Internal to core.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lookalike/types.hpp"

namespace lookalike::detail {

inline constexpr std::size_t kLanes = 16;
static_assert(kEmbeddingDim % kLanes == 0);

inline float reduce_lanes(const float (&acc)[kLanes]) {
  float s = 0.f;
  for (std::size_t l = 0; l < kLanes; ++l) s += acc[l];
  return s;
}

inline float l2_squared(const float* __restrict a, const float* __restrict b) {
  float acc[kLanes] = {};
  for (std::size_t j = 0; j < kEmbeddingDim; j += kLanes)
    for (std::size_t l = 0; l < kLanes; ++l) {
      float d = a[j + l] - b[j + l];
      acc[l] += d * d;
    }
  return reduce_lanes(acc);
}

// dot(q, x) and |x|^2 in one pass.
inline void dot_and_norm(const float* __restrict q, const float* __restrict x, float& dot,
                         float& norm2) {
  float d[kLanes] = {}, n[kLanes] = {};
  for (std::size_t j = 0; j < kEmbeddingDim; j += kLanes)
    for (std::size_t l = 0; l < kLanes; ++l) {
      d[l] += q[j + l] * x[j + l];
      n[l] += x[j + l] * x[j + l];
    }
  dot = reduce_lanes(d);
  norm2 = reduce_lanes(n);
}

inline std::int32_t dot_int8(const std::int8_t* __restrict a, const std::int8_t* __restrict b) {
  std::int32_t acc = 0;
  for (std::size_t j = 0; j < kEmbeddingDim; ++j)
    acc += static_cast<std::int32_t>(a[j]) * static_cast<std::int32_t>(b[j]);
  return acc;
}

}  // namespace lookalike::detail

// The similarity percentage shown to users, kept apart from the "same person" verdict.
//
// Mapping (a display choice, not a probability): a logistic on dlib's euclidean distance d
// between descriptors, centred on dlib's same-person margin 0.6:
//
//     similarity(d) = 100 / (1 + exp((d - 0.6) / 0.1))
//
//   d = 0.3 -> 95 %,  0.4 -> 88 %,  0.5 -> 73 %,  0.6 -> 50 %,  0.7 -> 27 %,  0.8 -> 12 %,
//   d = 0.9 -> 5 %.
// The scale 0.1 spreads typical look-alike distances (0.5 - 0.8) over most of the range, so the
// ranking a user sees is readable; the verdict `same_person` stays `d < 0.6` and is never
// derived from the percentage. The percentage always uses the euclidean distance to the best
// photo, whatever metric ranked the identities, so it means the same thing everywhere.
// Pure functions, thread-safe.
#pragma once

#include <cmath>

#include "lookalike/types.hpp"

namespace lookalike {

inline constexpr float kSimilarityCentre = kSamePersonDistance;  // 50 % at dlib's margin
inline constexpr float kSimilarityScale = 0.1f;                  // distance per e-fold

inline float similarity_percent(float euclidean) {
  return 100.f / (1.f + std::exp((euclidean - kSimilarityCentre) / kSimilarityScale));
}

}  // namespace lookalike

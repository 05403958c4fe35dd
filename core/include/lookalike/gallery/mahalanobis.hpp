// Mahalanobis distance from a query to one identity, with a shrinkage covariance estimated
// from that identity's photos.
//
// Estimator: S = (1/n) sum (x_i - mu)(x_i - mu)^T over the identity's n photos, shrunk toward
// m*I with m = tr(S)/d by the Ledoit-Wolf (2004) intensity lambda (computed in the n x n Gram
// space, no d x d matrix is formed):  Sigma = lambda*m*I + (1 - lambda)*S.
// Guards: m is floored at kVarianceFloorFraction * the gallery's pooled within-identity
// variance (near-identical photos would otherwise make every query infinitely far);
// lambda >= kMinShrinkage keeps Sigma invertible; a single photo gives Sigma = pooled * I
// (Mahalanobis becomes euclidean over the pooled standard deviation). At most
// kMaxMahalanobisPhotos photos are used (the first ones). The distance is sqrt(x^T Sigma^-1 x),
// evaluated with the Woodbury identity in O(n^2 d).
// Pure function, thread-safe.
#pragma once

#include <cstddef>
#include <span>

#include "lookalike/types.hpp"

namespace lookalike {

inline constexpr float kMinShrinkage = 0.05f;
inline constexpr float kVarianceFloorFraction = 0.25f;
inline constexpr std::size_t kMaxMahalanobisPhotos = 64;

// photos: n rows of kEmbeddingDim floats; pooled_variance > 0.
float mahalanobis_distance(const Embedding& query, std::span<const float> photos,
                           float pooled_variance);

}  // namespace lookalike

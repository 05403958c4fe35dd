// Resemblance percentile: "closer to X than 97 % of the gallery's other photos".
//
// At write time, for every identity X with centre c_X (the mean of X's photo embeddings), the
// euclidean distances from the photos of every OTHER identity to c_X are summarized by a few
// quantiles (kResemblanceLevels, dense at the close end where look-alikes are). Galleries
// above kResemblanceSample photos use a deterministic, evenly strided sample of that many
// photos (0.1 % is then still 20 photos). At query time the distance from a face to c_X is
// placed among those quantiles by linear interpolation, so it costs nothing live.
//
// Contract: pure functions, thread-safe, deterministic (same embeddings in, same floats out).
// An identity with no other photos to compare with (a one-identity gallery) gets a row of NaN,
// which resemblance_percentile() reports as unknown.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "lookalike/types.hpp"

namespace lookalike {

// Fractions of the other photos at or below each stored distance (0 = the nearest other
// photo, 1 = the farthest).
inline constexpr std::array<float, 11> kResemblanceLevels = {
    0.f, 0.001f, 0.005f, 0.01f, 0.02f, 0.05f, 0.1f, 0.25f, 0.5f, 0.75f, 1.f};
inline constexpr std::size_t kResemblanceSample = 20'000;

// Mean of n photos (n x kEmbeddingDim floats), accumulated in double; zeros for n = 0.
Embedding identity_centre(std::span<const float> photos);

// `embeddings`: photo_count x kEmbeddingDim floats; `ranges`: each identity's [first, end)
// photo range into them. Returns identity_count x kResemblanceLevels.size() quantiles.
std::vector<float> resemblance_quantiles(
    std::span<const float> embeddings,
    std::span<const std::pair<std::uint32_t, std::uint32_t>> ranges);

// Percent (0..100) of the other photos farther from the centre than `distance`; nullopt when
// the row is unknown (NaN) or malformed.
std::optional<float> resemblance_percentile(std::span<const float> quantiles, float distance);

}  // namespace lookalike

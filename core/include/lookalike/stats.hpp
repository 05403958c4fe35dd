// Small statistics helpers shared by the CLI, the UI and the benchmarks (one definition each,
// so every front end reports the same figure for the same samples).
//
// Contract: pure functions over the caller's values (copied, never modified); thread-safe.
#pragma once

#include <algorithm>
#include <optional>
#include <span>
#include <vector>

namespace lookalike {

// The p-th percentile (p in 0..100, clamped) of `values` by linear interpolation between the
// closest ranks (the "R-7" / NumPy default definition): position p/100 * (n - 1) in the sorted
// values. p50 of {1, 2, 3, 4} is 2.5; p0 is the minimum, p100 the maximum. nullopt when empty.
inline std::optional<double> percentile(std::span<const double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  const double pos = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

}  // namespace lookalike

// Resemblance quantiles and percentiles (resemblance.hpp).
#include "lookalike/gallery/resemblance.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "kernels.hpp"

namespace lookalike {
namespace {

constexpr std::size_t kLevels = kResemblanceLevels.size();
constexpr std::size_t kCentreBlock = 64;  // 64 centres = 32 KB: an L1/L2-sized block

// Photos whose distances summarize the gallery: all of them, or an even stride of
// kResemblanceSample (deterministic: the same gallery always gives the same sample).
std::vector<std::uint32_t> sample_photos(std::size_t photo_count) {
  const std::size_t n = std::min(photo_count, kResemblanceSample);
  std::vector<std::uint32_t> sample(n);
  for (std::size_t i = 0; i < n; ++i) sample[i] = static_cast<std::uint32_t>(i * photo_count / n);
  return sample;
}

// Nearest-rank quantiles of `distances` (reordered), largest level first so that each
// nth_element only works on the part below the previous one.
void quantiles_of(std::vector<float>& distances, float* out) {
  const std::size_t n = distances.size();
  auto end = distances.end();
  for (std::size_t l = kLevels; l-- > 0;) {
    const auto rank = static_cast<std::size_t>(
        std::lround(static_cast<double>(kResemblanceLevels[l]) * static_cast<double>(n - 1)));
    const auto nth = distances.begin() + static_cast<std::ptrdiff_t>(rank);
    std::nth_element(distances.begin(), nth, end);
    out[l] = *nth;
    end = nth + 1;
  }
}

}  // namespace

Embedding identity_centre(std::span<const float> photos) {
  std::array<double, kEmbeddingDim> sum{};
  const std::size_t n = photos.size() / kEmbeddingDim;
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t j = 0; j < kEmbeddingDim; ++j) sum[j] += photos[p * kEmbeddingDim + j];
  Embedding centre{};
  if (n == 0) return centre;
  for (std::size_t j = 0; j < kEmbeddingDim; ++j)
    centre[j] = static_cast<float>(sum[j] / static_cast<double>(n));
  return centre;
}

std::vector<float> resemblance_quantiles(
    std::span<const float> embeddings,
    std::span<const std::pair<std::uint32_t, std::uint32_t>> ranges) {
  const std::size_t photo_count = embeddings.size() / kEmbeddingDim;
  std::vector<float> out(ranges.size() * kLevels, std::numeric_limits<float>::quiet_NaN());
  const auto sample = sample_photos(photo_count);
  auto valid = [&](std::pair<std::uint32_t, std::uint32_t> r) {
    return r.first < r.second && r.second <= photo_count;
  };
  // Identities in blocks whose centres stay in cache while the sample streams past once per
  // block (one pass per identity would read the whole sample from memory each time). Blocks
  // write disjoint rows: workers take them in any order, the result is the same.
  auto run_block = [&](std::size_t block, std::vector<std::vector<float>>& squared) {
    const std::size_t n = std::min(kCentreBlock, ranges.size() - block);
    std::vector<Embedding> centres(n);
    for (std::size_t b = 0; b < n; ++b) {
      const auto [first, end] = ranges[block + b];
      squared[b].clear();
      if (valid(ranges[block + b]))
        centres[b] = identity_centre(embeddings.subspan(std::size_t{first} * kEmbeddingDim,
                                                        std::size_t{end - first} * kEmbeddingDim));
    }
    for (std::uint32_t p : sample) {
      const float* photo = embeddings.data() + std::size_t{p} * kEmbeddingDim;
      for (std::size_t b = 0; b < n; ++b) {
        const auto [first, end] = ranges[block + b];
        if (!valid(ranges[block + b]) || (p >= first && p < end)) continue;  // X's own photos
        squared[b].push_back(detail::l2_squared(centres[b].data(), photo));
      }
    }
    for (std::size_t b = 0; b < n; ++b) {
      if (squared[b].empty()) continue;
      float* q = out.data() + (block + b) * kLevels;
      quantiles_of(squared[b], q);
      for (std::size_t l = 0; l < kLevels; ++l) q[l] = std::sqrt(q[l]);  // order-preserving
    }
  };
  const std::size_t blocks = (ranges.size() + kCentreBlock - 1) / kCentreBlock;
  const std::size_t workers =
      std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), blocks);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::vector<std::vector<float>> squared(kCentreBlock);
    for (std::size_t b; (b = next++) < blocks;) run_block(b * kCentreBlock, squared);
  };
  {
    std::vector<std::jthread> pool;
    for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work);
    work();
  }
  return out;
}

std::optional<float> resemblance_percentile(std::span<const float> q, float distance) {
  if (q.size() != kLevels || !std::isfinite(distance)) return std::nullopt;
  for (std::size_t l = 0; l < kLevels; ++l)
    if (!std::isfinite(q[l]) || (l > 0 && q[l] < q[l - 1])) return std::nullopt;
  // F(distance): the fraction of other photos at most this far, linear between the quantiles.
  float closer = 1.f;
  if (distance < q[0]) {
    closer = 0.f;
  } else {
    for (std::size_t l = 0; l + 1 < kLevels; ++l) {
      if (distance >= q[l + 1]) continue;
      const float span = q[l + 1] - q[l];
      const float t = span > 0 ? (distance - q[l]) / span : 1.f;
      closer = kResemblanceLevels[l] + t * (kResemblanceLevels[l + 1] - kResemblanceLevels[l]);
      break;
    }
  }
  return std::clamp(100.f * (1.f - closer), 0.f, 100.f);
}

}  // namespace lookalike

#include "curate.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

namespace lookalike::detail {
namespace {

// Among photos at least this fraction as good as the best one, the representative is the
// one nearest the identity's mean: sharp, frontal and typical.
constexpr float kRepresentativeQualityFraction = 0.8f;

}  // namespace

Curated curate_identity(const std::string& name, const std::vector<Candidate>& candidates,
                        const CurationOptions& options) {
  Curated out;
  const std::size_t n = candidates.size();
  // 1. Near-duplicates: existing photos first, then new ones best quality first.
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (candidates[a].existing != candidates[b].existing) return candidates[a].existing;
    return candidates[a].quality > candidates[b].quality;
  });
  std::vector<bool> keep(n, false);
  std::vector<std::size_t> kept_so_far;
  for (std::size_t i : order) {
    const auto& c = candidates[i];
    bool duplicate = false;
    if (!c.existing)
      for (std::size_t k : kept_so_far) {
        float d = euclidean_distance(c.embedding, candidates[k].embedding);
        if (d < options.near_duplicate_distance) {
          out.dropped.push_back({c.source, fmt::format("near-duplicate of {} (distance {:.3f})",
                                                       candidates[k].source, d)});
          duplicate = true;
          break;
        }
      }
    if (!duplicate) {
      keep[i] = true;
      kept_so_far.push_back(i);
    }
  }
  // 2. Outliers: distance to the mean of the identity's other kept photos.
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < n; ++i)
    if (keep[i]) kept.push_back(i);
  if (kept.size() >= options.outlier_min_photos) {
    std::array<double, kEmbeddingDim> sum{};
    for (std::size_t i : kept)
      for (std::size_t j = 0; j < kEmbeddingDim; ++j) sum[j] += candidates[i].embedding[j];
    std::vector<std::pair<std::size_t, float>> flagged;
    for (std::size_t i : kept) {
      if (candidates[i].existing) continue;
      Embedding others;
      const double m = static_cast<double>(kept.size() - 1);
      for (std::size_t j = 0; j < kEmbeddingDim; ++j)
        others[j] = static_cast<float>((sum[j] - candidates[i].embedding[j]) / m);
      float d = euclidean_distance(candidates[i].embedding, others);
      if (d > options.outlier_distance) flagged.emplace_back(i, d);
    }
    // More than half "outliers" means the label itself is mixed: judge nothing.
    if (flagged.size() * 2 > kept.size()) flagged.clear();
    for (const auto& [i, d] : flagged) {
      out.outliers.push_back(
          fmt::format("{} ({:.2f} from the other photos of {})", candidates[i].source, d, name));
      if (!options.keep_outliers) {
        keep[i] = false;
        out.dropped.push_back(
            {candidates[i].source,
             fmt::format("outlier: {:.2f} from the mean of the other photos of {}", d, name)});
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i)
    if (keep[i]) out.kept.push_back(i);
  // 3. Representative among new photos.
  float best_quality = 0;
  Embedding mean{};
  for (std::size_t i : out.kept) {
    if (!candidates[i].existing) best_quality = std::max(best_quality, candidates[i].quality);
    for (std::size_t j = 0; j < kEmbeddingDim; ++j)
      mean[j] += candidates[i].embedding[j] / static_cast<float>(out.kept.size());
  }
  float best_distance = INFINITY;
  for (std::size_t i : out.kept) {
    if (candidates[i].existing) continue;
    if (candidates[i].quality < kRepresentativeQualityFraction * best_quality) continue;
    float d = euclidean_distance(candidates[i].embedding, mean);
    if (d < best_distance) {
      best_distance = d;
      out.representative = static_cast<int>(i);
    }
  }
  return out;
}

std::vector<PoseThumbnail> pick_pose_thumbnails(const std::vector<PoseThumbnail>& current,
                                                std::span<const PosedPhoto> photos) {
  std::array<std::optional<PoseThumbnail>, kPoseBinCount> best;
  auto offer = [&](PoseBin bin, const HeadPose& pose, const std::vector<unsigned char>& jpeg) {
    if (!std::isfinite(pose.yaw) || !std::isfinite(pose.pitch) || jpeg.empty()) return;
    auto& slot = best[static_cast<std::size_t>(bin) % kPoseBinCount];
    const float d = pose_distance(pose, bin_centre(bin));
    if (!slot || d < pose_distance(slot->pose, bin_centre(bin)))
      slot = PoseThumbnail{bin, pose, jpeg};
  };
  for (const auto& t : current) offer(t.bin, t.pose, t.jpeg);
  for (const auto& p : photos)
    if (p.jpeg) offer(pose_bin(p.pose), p.pose, *p.jpeg);
  std::vector<PoseThumbnail> out;
  for (auto& slot : best)
    if (slot) out.push_back(std::move(*slot));
  return out;
}

}  // namespace lookalike::detail

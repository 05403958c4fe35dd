// Gallery search: exact scan, HNSW / int8 candidates with exact re-scoring, Mahalanobis.
#include <algorithm>
#include <cmath>
#include <thread>
#include <unordered_set>

#include "gallery_impl.hpp"
#include "kernels.hpp"
#include "lookalike/gallery/mahalanobis.hpp"
#include "lookalike/gallery/similarity.hpp"
#include "quantize.hpp"

namespace lookalike {
namespace {

// Photos the HNSW index returns per query before grouping them into identities (64 covers the
// top-10 identities when each has a few photos among the nearest); widened x4 up to the
// maximum when a few identities own them all.
constexpr std::size_t kHnswPhotoCandidates = 64;
constexpr std::size_t kMaxHnswPhotoCandidates = 1024;
// Identities re-scored exactly after an approximate (int8) pass or re-ranked by Mahalanobis.
std::size_t candidate_identities(int top_k) {
  return std::max<std::size_t>(32, 4 * static_cast<std::size_t>(top_k));
}
constexpr int kMaxMeanOfTop = 64;
// Exact scans of galleries this large run on several threads (see exact_scan).
constexpr std::uint64_t kParallelScanPhotos = 100'000;
constexpr std::size_t kMaxScanThreads = 8;

struct Scored {
  float distance;  // metric distance (euclidean: squared during scans)
  std::uint32_t identity;
  std::uint32_t best_photo;
};

bool better(const Scored& a, const Scored& b) {
  return a.distance < b.distance || (a.distance == b.distance && a.identity < b.identity);
}

// Bounded max-heap of the best k by (distance, identity).
class TopK {
 public:
  explicit TopK(std::size_t k) : k_(k) { heap_.reserve(k + 1); }
  void offer(const Scored& s) {
    if (k_ == 0) return;
    if (heap_.size() < k_) {
      heap_.push_back(s);
      std::push_heap(heap_.begin(), heap_.end(), better);
    } else if (better(s, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), better);
      heap_.back() = s;
      std::push_heap(heap_.begin(), heap_.end(), better);
    }
  }
  std::vector<Scored> sorted() && {
    std::sort_heap(heap_.begin(), heap_.end(), better);
    return std::move(heap_);
  }

 private:
  std::size_t k_;
  std::vector<Scored> heap_;
};

struct Query {
  const float* q;
  float norm;  // |q|
  Metric metric;
  IdentityScore mode;
  int n_top;
};

// Distance of one photo in the query's metric (euclidean squared, cosine 1 - cos).
inline float photo_distance(const Gallery::Impl& g, const Query& query, std::uint32_t p) {
  const float* x = g.embedding(p);
  if (query.metric == Metric::cosine) {
    float dot, n2;
    detail::dot_and_norm(query.q, x, dot, n2);
    const float denom = query.norm * std::sqrt(n2);
    return denom > 0 ? 1.f - dot / denom : 1.f;
  }
  return detail::l2_squared(query.q, x);
}

inline float finish(const Query& query, float d) {
  return query.metric == Metric::cosine ? d : std::sqrt(d);
}

// Exact score of one identity over all its photos.
Scored score_identity(const Gallery::Impl& g, const Query& query, std::uint32_t identity) {
  const auto& rec = g.identities[identity];
  const std::uint32_t first = rec.photo_first, end = rec.photo_first + rec.photo_count;
  Scored s{INFINITY, identity, first};
  if (query.mode == IdentityScore::best_photo || query.n_top <= 1) {
    for (std::uint32_t p = first; p < end; ++p) {
      float d = photo_distance(g, query, p);
      if (d < s.distance) s = {d, identity, p};
    }
    s.distance = finish(query, s.distance);
    return s;
  }
  float best[kMaxMeanOfTop];
  int count = 0;
  const int n = std::min(query.n_top, kMaxMeanOfTop);
  for (std::uint32_t p = first; p < end; ++p) {
    float d = photo_distance(g, query, p);
    if (d < s.distance) s = {d, identity, p};
    if (count < n) {
      best[count++] = d;
      std::push_heap(best, best + count);
    } else if (d < best[0]) {
      std::pop_heap(best, best + count);
      best[count - 1] = d;
      std::push_heap(best, best + count);
    }
  }
  float sum = 0;
  for (int i = 0; i < count; ++i) sum += finish(query, best[i]);
  s.distance = count > 0 ? sum / static_cast<float>(count) : INFINITY;
  return s;
}

std::vector<std::uint32_t> int8_candidates(const Gallery::Impl& g, const Embedding& query,
                                           std::size_t count) {
  std::int8_t q[kEmbeddingDim];
  const std::int32_t qn = detail::quantize_int8(query.data(), q);
  TopK top(count);
  for (std::uint32_t id = 0; id < g.identities.size(); ++id) {
    const auto& rec = g.identities[id];
    std::int32_t best = INT32_MAX;
    for (std::uint32_t p = rec.photo_first; p < rec.photo_first + rec.photo_count; ++p) {
      std::int32_t d = qn + g.int8_norms[p] -
                       2 * detail::dot_int8(q, g.int8.data() + std::size_t{p} * kEmbeddingDim);
      best = std::min(best, d);
    }
    if (rec.photo_count) top.offer({static_cast<float>(best), id, rec.photo_first});
  }
  std::vector<std::uint32_t> ids;
  for (const auto& s : std::move(top).sorted()) ids.push_back(s.identity);
  return ids;
}

// Exact scan over identities [first, end).
void scan_identities(const Gallery::Impl& g, const Query& query, std::uint32_t first,
                     std::uint32_t end, TopK& top) {
  for (std::uint32_t id = first; id < end; ++id)
    if (g.identities[id].photo_count) top.offer(score_identity(g, query, id));
}

// Exact top-k over every identity. Large galleries are memory-bound (1M photos = 512 MB per
// query), so they are split into equal photo ranges scanned on all cores: one core cannot
// saturate the memory bus. Threads are started per query; at this size that costs < 1 %.
std::vector<Scored> exact_scan(const Gallery::Impl& g, const Query& query, std::size_t k) {
  const auto identity_count = static_cast<std::uint32_t>(g.identities.size());
  const std::size_t parts =
      g.header.photo_count < kParallelScanPhotos
          ? 1
          : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxScanThreads);
  if (parts == 1) {
    TopK top(k);
    scan_identities(g, query, 0, identity_count, top);
    return std::move(top).sorted();
  }
  // Part boundaries at equal photo counts (photo ranges are contiguous in identity order).
  std::vector<std::uint32_t> bounds{0};
  for (std::size_t part = 1; part < parts; ++part) {
    const std::uint64_t photo = g.header.photo_count * part / parts;
    auto it = std::partition_point(
        g.identities.begin(), g.identities.end(),
        [&](const detail::IdentityRecord& rec) { return rec.photo_first < photo; });
    bounds.push_back(static_cast<std::uint32_t>(it - g.identities.begin()));
  }
  bounds.push_back(identity_count);
  std::vector<TopK> tops(parts, TopK(k));
  {
    std::vector<std::jthread> helpers;
    for (std::size_t part = 1; part < parts; ++part)
      helpers.emplace_back(
          [&, part] { scan_identities(g, query, bounds[part], bounds[part + 1], tops[part]); });
    scan_identities(g, query, bounds[0], bounds[1], tops[0]);
  }  // joined
  TopK merged(k);
  for (TopK& top : tops)
    for (const Scored& s : std::move(top).sorted()) merged.offer(s);
  return std::move(merged).sorted();
}

// Identities owning the nearest photos in the HNSW index, nearest first: 2k of them (the
// first k are the answer up to quantization error; the rest is margin), re-scored exactly by
// the caller. When a few identities own all the nearest photos, the search widens; empty
// when even kMaxHnswPhotoCandidates photos do not cover enough identities (scan instead).
std::vector<std::uint32_t> hnsw_candidates(const Gallery::Impl& g, const HnswIndex& index,
                                           const Embedding& embedding, std::size_t k) {
  const std::size_t wanted =
      std::min<std::size_t>(std::max<std::size_t>(2 * k, k + 4), g.identities.size());
  std::vector<std::uint32_t> candidates;
  std::unordered_set<std::uint32_t> seen;
  for (std::size_t photos = std::max(kHnswPhotoCandidates, 4 * k);
       photos <= kMaxHnswPhotoCandidates; photos *= 4) {
    candidates.clear();
    seen.clear();
    const auto hits = index.search(embedding, photos);
    for (const auto& [d, photo] : hits) {
      const std::uint32_t id = g.photos[photo].identity;
      if (seen.insert(id).second) candidates.push_back(id);
      if (candidates.size() == wanted) return candidates;
    }
    if (hits.size() < photos) return candidates;  // the whole gallery was returned
  }
  return {};
}

std::vector<Scored> rank(const Gallery::Impl& g, const Embedding& embedding, Metric metric,
                         const SearchOptions& options, std::size_t k) {
  float qn2 = 0;
  for (float v : embedding) qn2 += v * v;
  const Query query{embedding.data(), std::sqrt(qn2), metric, options.identity_score,
                    options.mean_of_top_n};
  TopK top(k);
  const auto index = options.allow_approximate ? g.index.load() : nullptr;
  if (options.allow_approximate && (index || !g.int8.empty())) {
    std::vector<std::uint32_t> candidates;
    if (index) {
      candidates = hnsw_candidates(g, *index, embedding, k);
      if (candidates.empty()) return exact_scan(g, query, k);
    } else {
      candidates = int8_candidates(g, embedding, std::max(candidate_identities(int(k)), k));
    }
    for (auto id : candidates) top.offer(score_identity(g, query, id));
    return std::move(top).sorted();
  }
  return exact_scan(g, query, k);
}

}  // namespace

std::vector<IdentityMatch> Gallery::match(const Embedding& query,
                                          const SearchOptions& options) const {
  const auto& g = *impl_;
  if (options.top_k <= 0 || g.header.photo_count == 0) return {};
  const auto k = static_cast<std::size_t>(options.top_k);
  std::vector<Scored> ranked;
  if (options.metric == Metric::mahalanobis) {
    SearchOptions base = options;
    base.identity_score = IdentityScore::best_photo;
    auto candidates = rank(g, query, Metric::euclidean, base, candidate_identities(options.top_k));
    for (auto& c : candidates) {
      const auto& rec = g.identities[c.identity];
      c.distance = mahalanobis_distance(
          query, {g.embedding(rec.photo_first), std::size_t{rec.photo_count} * kEmbeddingDim},
          g.header.pooled_variance);
    }
    std::sort(candidates.begin(), candidates.end(), better);
    if (candidates.size() > k) candidates.resize(k);
    ranked = std::move(candidates);
  } else {
    ranked = rank(g, query, options.metric, options, k);
  }

  std::vector<IdentityMatch> out;
  out.reserve(ranked.size());
  for (const auto& s : ranked) {
    IdentityMatch m;
    m.identity = s.identity;
    m.name = std::string(g.str(g.identities[s.identity].name));
    m.distance = s.distance;
    m.euclidean = std::sqrt(detail::l2_squared(query.data(), g.embedding(s.best_photo)));
    m.similarity_percent = similarity_percent(m.euclidean);
    m.same_person = m.euclidean < options.same_person_threshold;
    m.photo = std::string(g.str(g.photos[s.best_photo].source));
    m.percentile = percentile_of(s.identity, query);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<PhotoHit> Gallery::nearest_photos(const Embedding& query, std::size_t k, Metric metric,
                                              bool approximate) const {
  const auto& g = *impl_;
  std::vector<PhotoHit> out;
  const auto index = approximate ? g.index.load() : nullptr;
  if (index && metric == Metric::euclidean) {
    // The index's distances are quantized: re-rank a wider candidate set exactly.
    for (const auto& [d, photo] : index->search(query, std::max(k, kHnswPhotoCandidates)))
      out.push_back({std::sqrt(detail::l2_squared(query.data(), g.embedding(photo))), photo});
    std::sort(out.begin(), out.end(), [](const PhotoHit& a, const PhotoHit& b) {
      return a.distance < b.distance || (a.distance == b.distance && a.photo < b.photo);
    });
    if (out.size() > k) out.resize(k);
    return out;
  }
  float qn2 = 0;
  for (float v : query) qn2 += v * v;
  const Query q{query.data(), std::sqrt(qn2),
                metric == Metric::cosine ? Metric::cosine : Metric::euclidean,
                IdentityScore::best_photo, 1};
  TopK top(k);
  for (std::uint32_t p = 0; p < g.header.photo_count; ++p)
    top.offer({photo_distance(g, q, p), p, p});
  for (const auto& s : std::move(top).sorted()) out.push_back({finish(q, s.distance), s.identity});
  return out;
}

}  // namespace lookalike

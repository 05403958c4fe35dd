#include "lookalike/gallery/hnsw_index.hpp"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <mutex>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

// Debian's hnswlib (0.6.2) draws each new point's level from one std::default_random_engine
// without a lock (getRandomLevel), a data race when points are added from several threads
// (TSan reports it). This explicit specialization, visible before any use in the only
// translation unit that includes hnswlib, draws under a lock; the rest of addPoint is
// designed for concurrent insertion (per-element and global locks).
namespace hnswlib {
template <>
int HierarchicalNSW<float>::getRandomLevel(double reverse_size) {
  static std::mutex level_mutex;
  std::uniform_real_distribution<double> distribution(0.0, 1.0);
  std::lock_guard lock(level_mutex);
  return static_cast<int>(-std::log(distribution(level_generator_)) * reverse_size);
}
}  // namespace hnswlib

namespace lookalike {

namespace {

// The graph stores int8 vectors, q = round(x * kQuantScale) clamped to +-127: 128 bytes per
// photo instead of 512. Graph search is bound by memory latency (every visited neighbour is a
// random fetch), so this is what makes 1M photos fit the 1 ms budget; callers re-rank the
// candidates with the exact float vectors. dlib descriptor components stay within +-0.55
// (measured on lfw10 and bbt), so the scale leaves headroom to +-0.635.
constexpr float kQuantScale = 200.f;

using Quantized = std::array<std::int8_t, kEmbeddingDim>;

Quantized quantize(const float* x) {
  Quantized q;
  for (std::size_t j = 0; j < kEmbeddingDim; ++j)
    q[j] = static_cast<std::int8_t>(std::clamp(std::lround(x[j] * kQuantScale), -127L, 127L));
  return q;
}

// Squared L2 between int8 vectors (GCC vectorizes the loop), in quantized units.
float int8_l2_squared(const void* a, const void* b, const void* /*param*/) {
  const auto* x = static_cast<const std::int8_t*>(a);
  const auto* y = static_cast<const std::int8_t*>(b);
  std::int32_t sum = 0;
  for (std::size_t j = 0; j < kEmbeddingDim; ++j) {
    const std::int32_t d = std::int32_t{x[j]} - std::int32_t{y[j]};
    sum += d * d;
  }
  return static_cast<float>(sum);
}

class Int8L2Space final : public hnswlib::SpaceInterface<float> {
 public:
  std::size_t get_data_size() override { return kEmbeddingDim; }
  hnswlib::DISTFUNC<float> get_dist_func() override { return &int8_l2_squared; }
  void* get_dist_func_param() override { return nullptr; }
};

}  // namespace

struct HnswIndex::Impl {
  Int8L2Space space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

HnswIndex::HnswIndex() : impl_(std::make_unique<Impl>()) {}
HnswIndex::~HnswIndex() = default;

std::unique_ptr<HnswIndex> HnswIndex::build(std::span<const float> vectors,
                                            const HnswParams& params, int threads) {
  const std::size_t count = vectors.size() / kEmbeddingDim;
  std::unique_ptr<HnswIndex> index(new HnswIndex());
  index->impl_->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
      &index->impl_->space, std::max<std::size_t>(count, 1), static_cast<std::size_t>(params.m),
      static_cast<std::size_t>(params.ef_construction), static_cast<std::size_t>(params.seed));
  auto& graph = *index->impl_->graph;
  // Insertion order is a fixed shuffle: galleries are sorted by identity, and inserting a
  // cluster's photos back to back leaves the earliest identities poorly linked (bench: recall@10
  // 0.993 -> 0.9997 for the first identities at 100k). Points are inserted from all threads
  // (the graph then depends on the interleaving; search quality does not). The first one goes
  // alone: it becomes the entry point.
  std::vector<std::uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(params.seed));
  const auto insert = [&](std::size_t k) {
    const std::size_t photo = order[k];
    const Quantized q = quantize(vectors.data() + photo * kEmbeddingDim);
    graph.addPoint(q.data(), photo);
  };
  if (count > 0) insert(0);
  const unsigned workers = threads > 0 ? static_cast<unsigned>(threads)
                                       : std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::size_t> next{1};
  std::mutex error_mutex;
  std::exception_ptr error;  // hnswlib throws on allocation failure: rethrown after the join
  const auto work = [&] {
    try {
      for (std::size_t i = next++; i < count; i = next++) insert(i);
    } catch (...) {
      next = count;  // the others stop too
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (unsigned t = 1; t < std::min<std::size_t>(workers, count); ++t) helpers.emplace_back(work);
    work();
  }  // joined
  if (error) std::rethrow_exception(error);
  graph.setEf(static_cast<std::size_t>(params.ef_search));
  return index;
}

std::unique_ptr<HnswIndex> HnswIndex::load(const std::filesystem::path& path, std::size_t count,
                                           int ef_search) {
  std::unique_ptr<HnswIndex> index(new HnswIndex());
  try {
    index->impl_->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
        &index->impl_->space, path.string(), false, count);
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": cannot load HNSW index: " + e.what() +
                             "; rebuild the gallery (`lookalike-cli gallery build`)");
  }
  // hnswlib does not check the stored vector size against the space: an index written with
  // float vectors (before int8) would load and answer garbage.
  const auto& graph = *index->impl_->graph;
  if (graph.size_data_per_element_ !=
          graph.size_links_level0_ + kEmbeddingDim + sizeof(hnswlib::labeltype) ||
      graph.offsetData_ != graph.size_links_level0_)
    throw std::runtime_error(path.string() +
                             ": HNSW index stores another vector layout (an older version); "
                             "rebuild the gallery (`lookalike-cli gallery build`)");
  if (index->impl_->graph->cur_element_count != count)
    throw std::runtime_error(path.string() + ": HNSW index has " +
                             std::to_string(index->impl_->graph->cur_element_count) +
                             " vectors but the gallery has " + std::to_string(count) +
                             "; rebuild the gallery (`lookalike-cli gallery build`)");
  index->impl_->graph->setEf(static_cast<std::size_t>(ef_search));
  return index;
}

void HnswIndex::save(const std::filesystem::path& path) const {
  impl_->graph->saveIndex(path.string());
}

std::vector<std::pair<float, std::uint32_t>> HnswIndex::search(const Embedding& query,
                                                               std::size_t k) const {
  std::vector<std::pair<float, std::uint32_t>> out;
  if (k == 0 || impl_->graph->cur_element_count == 0) return out;
  const Quantized q = quantize(query.data());
  auto heap = impl_->graph->searchKnn(q.data(), k);
  out.resize(heap.size());
  constexpr float kToFloatUnits = 1.f / (kQuantScale * kQuantScale);
  for (std::size_t i = heap.size(); i-- > 0;) {
    out[i] = {heap.top().first * kToFloatUnits, static_cast<std::uint32_t>(heap.top().second)};
    heap.pop();
  }
  return out;
}

std::size_t HnswIndex::size() const {
  return impl_->graph->cur_element_count;
}

}  // namespace lookalike

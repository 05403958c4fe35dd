#include "lookalike/gallery/hnsw_index.hpp"

#include <hnswlib/hnswlib.h>

#include <atomic>
#include <stdexcept>
#include <thread>

namespace lookalike {

struct HnswIndex::Impl {
  hnswlib::L2Space space{kEmbeddingDim};
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
  // Sequential insertion: Debian's hnswlib draws each point's level from one unguarded RNG
  // inside addPoint (getRandomLevel), a data race when points are added from several threads
  // (found by TSan). One thread also makes the index reproducible for a given seed.
  (void)threads;
  for (std::size_t i = 0; i < count; ++i) graph.addPoint(vectors.data() + i * kEmbeddingDim, i);
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
  auto heap = impl_->graph->searchKnn(query.data(), k);
  out.resize(heap.size());
  for (std::size_t i = heap.size(); i-- > 0;) {
    out[i] = {heap.top().first, static_cast<std::uint32_t>(heap.top().second)};
    heap.pop();
  }
  return out;
}

std::size_t HnswIndex::size() const {
  return impl_->graph->cur_element_count;
}

}  // namespace lookalike

#include "lookalike/gallery/hnsw_index.hpp"

// hnswlib's SSE path prefetches the neighbour id one past the end of a full link list: a
// 4-byte read past the list (inside the malloc chunk's slack or the element's own data, so
// harmless in practice, but ASan reports it). The prefetches halve search time at 1M (bench:
// 0.50 vs 1.09 ms p50), so only the AddressSanitizer build goes without them.
#ifdef __SANITIZE_ADDRESS__
#define NO_MANUAL_VECTORIZATION
#endif
#ifdef __has_feature  // clang says so this way only (the fuzz preset)
#if __has_feature(address_sanitizer) && !defined(NO_MANUAL_VECTORIZATION)
#define NO_MANUAL_VECTORIZATION
#endif
#endif
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "quantize.hpp"

namespace lookalike {

namespace {

// The graph stores int8 vectors (quantize.hpp, whose scale is the one stored graphs use): 128
// bytes per photo instead of 512. Graph search is bound by memory latency (every visited
// neighbour is a random fetch), so this is what makes 1M photos fit the 1 ms budget; callers
// re-rank the candidates with the exact float vectors.
using detail::Int8Vector;
using detail::quantize_int8;

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

// The highest level hnswlib will draw for `count` insertions. hnswlib holds its global lock
// through the whole insertion of a point that raises the graph's top level, taking element
// locks under it, while every other insertion takes the global lock under its own element
// lock: a lock-order cycle (TSan reports it). Inserting the first point at the build's top
// level means no later point raises it. The draws are known in advance: replay a copy of the
// graph's level generator with its formula (one draw per insertion).
int top_level(const hnswlib::HierarchicalNSW<float>& graph, std::size_t count) {
  auto generator = graph.level_generator_;
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  int top = 0;
  for (std::size_t i = 0; i < count; ++i)
    top = std::max(top, static_cast<int>(-std::log(uniform(generator)) * graph.mult_));
  return top;
}

[[noreturn]] void refuse(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error(path.string() + ": " + what +
                           "; rebuild the gallery (`lookalike-cli gallery build`)");
}

// hnswlib's loadIndex trusts the file: its header sizes go straight into malloc and pointer
// arithmetic, and neighbour ids index arrays unchecked. A hostile gallery carries a matching
// checksum, so the header is checked here before hnswlib reads the file (fields in saveIndex's
// order; the layout is the one build() makes: maxM0 = 2 M, int8 vectors, then the label).
void check_header(const std::filesystem::path& path, std::size_t count) {
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(path, "cannot open HNSW index");
  in.seekg(0, std::ios::end);
  const auto file_size = static_cast<std::uint64_t>(std::max<std::streamoff>(in.tellg(), 0));
  in.seekg(0);
  struct {
    std::size_t offset_level0, max_elements, element_count, size_data, label_offset, offset_data;
    int max_level;
    std::uint32_t entry_point;
    std::size_t max_m, max_m0, m;
    double mult;
    std::size_t ef_construction;
  } h{};
  constexpr std::size_t kHeaderBytes = 6 * sizeof(std::size_t) + sizeof(int) +
                                       sizeof(std::uint32_t) + 3 * sizeof(std::size_t) +
                                       sizeof(double) + sizeof(std::size_t);
  char raw[kHeaderBytes];
  if (!in.read(raw, sizeof raw)) refuse(path, "HNSW index is truncated (no header)");
  const char* p = raw;
  auto take = [&p](auto& field) {
    std::memcpy(&field, p, sizeof field);
    p += sizeof field;
  };
  take(h.offset_level0), take(h.max_elements), take(h.element_count), take(h.size_data);
  take(h.label_offset), take(h.offset_data), take(h.max_level), take(h.entry_point);
  take(h.max_m), take(h.max_m0), take(h.m), take(h.mult), take(h.ef_construction);
  if (h.element_count != count)
    refuse(path, "HNSW index has " + std::to_string(h.element_count) +
                     " vectors but the gallery has " + std::to_string(count));
  const std::size_t links0 =
      h.max_m0 * sizeof(hnswlib::tableint) + sizeof(hnswlib::linklistsizeint);
  if (h.m < 2 || h.m > 1024 || h.max_m != h.m || h.max_m0 != 2 * h.m || h.offset_level0 != 0 ||
      h.offset_data != links0 || h.label_offset != links0 + kEmbeddingDim ||
      h.size_data != links0 + kEmbeddingDim + sizeof(hnswlib::labeltype) ||
      h.max_elements < count || !(h.mult > 0) || !std::isfinite(h.mult))
    refuse(path, "HNSW index stores another graph layout (an older version, or damaged)");
  // Level 0 of every element, plus one 4-byte link-list size each: the file cannot be shorter.
  if ((file_size - kHeaderBytes) / (h.size_data + sizeof(std::uint32_t)) < count)
    refuse(path, "HNSW index is truncated");
}

// After loading: every link names an element that exists on that level, and the entry point is
// on the top level. Otherwise a search reads outside the graph.
void check_links(const std::filesystem::path& path, hnswlib::HierarchicalNSW<float>& g) {
  const std::size_t count = g.cur_element_count;
  // hnswlib frees an element's upper-level lists only when its level is above 0: a list shorter
  // than one level would leak (and is malformed anyway).
  for (std::size_t i = 0; i < count; ++i) {
    if (g.element_levels_[i] == 0 && g.linkLists_[i] != nullptr) {
      std::free(g.linkLists_[i]);
      g.linkLists_[i] = nullptr;
      refuse(path, "HNSW index has a truncated upper-level link list");
    }
  }
  if (count == 0) return;
  if (g.enterpoint_node_ >= count || g.maxlevel_ < 0 ||
      g.element_levels_[g.enterpoint_node_] != g.maxlevel_)
    refuse(path, "HNSW index has a bad entry point");
  auto check_list = [&](hnswlib::linklistsizeint* list, std::size_t max_links, int level) {
    const std::size_t links = g.getListCount(list);
    if (links > max_links) refuse(path, "HNSW index has an over-long link list");
    const auto* ids = reinterpret_cast<const hnswlib::tableint*>(list + 1);
    for (std::size_t j = 0; j < links; ++j)
      if (ids[j] >= count || g.element_levels_[ids[j]] < level)
        refuse(path, "HNSW index links to a missing element");
  };
  for (std::size_t i = 0; i < count; ++i) {
    const auto id = static_cast<hnswlib::tableint>(i);
    if (g.getExternalLabel(id) >= count) refuse(path, "HNSW index has a label out of range");
    const int levels = g.element_levels_[i];
    if (levels > g.maxlevel_) refuse(path, "HNSW index has an element above its top level");
    check_list(g.get_linklist0(id), g.maxM0_, 0);
    for (int level = 1; level <= levels; ++level)
      check_list(g.get_linklist(id, level), g.maxM_, level);
  }
}

}  // namespace

struct HnswIndex::Impl {
  Int8L2Space space;
  std::unique_ptr<hnswlib::HierarchicalNSW<float>> graph;
};

HnswIndex::HnswIndex() : impl_(std::make_unique<Impl>()) {}
HnswIndex::~HnswIndex() = default;

std::unique_ptr<HnswIndex> HnswIndex::build(std::span<const float> vectors,
                                            const HnswParams& params) {
  const std::size_t count = vectors.size() / kEmbeddingDim;
  std::unique_ptr<HnswIndex> index(new HnswIndex());
  index->impl_->graph = std::make_unique<hnswlib::HierarchicalNSW<float>>(
      &index->impl_->space, std::max<std::size_t>(count, 1), static_cast<std::size_t>(params.m),
      static_cast<std::size_t>(params.ef_construction), static_cast<std::size_t>(params.seed));
  auto& graph = *index->impl_->graph;
  // Insertion order is a fixed shuffle: galleries are sorted by identity, and inserting a
  // cluster's photos back to back leaves the earliest identities poorly linked (bench: recall@10
  // 0.993 -> 0.9997 for the first identities at 100k). One thread: Debian's hnswlib (0.6.2) is
  // not safe for concurrent insertion (an unguarded level RNG, found by TSan, and per-element
  // locks taken in both orders, a deadlock risk other projects hit); a fixed order also makes
  // the index reproducible.
  std::vector<std::uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0u);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(params.seed));
  const int top = top_level(graph, count);
  for (std::size_t k = 0; k < count; ++k) {
    const Int8Vector q = quantize_int8(vectors.data() + std::size_t{order[k]} * kEmbeddingDim);
    graph.addPoint(q.data(), order[k], k == 0 && top > 0 ? top : -1);
  }
  graph.setEf(static_cast<std::size_t>(params.ef_search));
  return index;
}

std::unique_ptr<HnswIndex> HnswIndex::load(const std::filesystem::path& path, std::size_t count,
                                           int ef_search) {
  check_header(path, count);
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
  auto& graph = *index->impl_->graph;
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
  check_links(path, graph);
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
  const Int8Vector q = quantize_int8(query.data());
  auto heap = impl_->graph->searchKnn(q.data(), k);
  out.resize(heap.size());
  for (std::size_t i = heap.size(); i-- > 0;) {
    out[i] = {heap.top().first * detail::kInt8SquaredToFloat,
              static_cast<std::uint32_t>(heap.top().second)};
    heap.pop();
  }
  return out;
}

std::size_t HnswIndex::size() const {
  return impl_->graph->cur_element_count;
}

}  // namespace lookalike

// HnswIndex: an approximate nearest-neighbour graph (hnswlib, L2) over a gallery's photo
// embeddings, stored as int8 (4x less memory traffic per visited node); labels are photo
// indices in gallery file order. Its distances are approximate: callers re-rank its
// candidates with the float vectors.
//
// Contract: build() and load() produce an immutable index; search() is const and thread-safe
// (hnswlib's search only reads the graph; its visited-list pool is locked internally). The
// index owns its own (quantized) copy of the vectors; build() runs on the calling thread. load()
// expects a file verified by the caller (Gallery checks size and checksum recorded in the gallery
// header before calling it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "lookalike/types.hpp"

namespace lookalike {

struct HnswParams {
  // Clustered data (a few photos per identity, identities far apart) needs a denser graph
  // than hnswlib's default M = 16 to stay connected between clusters (bench: recall@10 at
  // 1M synthetic photos).
  int m = 32;                 // graph degree; 2*M links on the base layer
  int ef_construction = 200;  // build beam
  int ef_search = 128;        // query beam; raised to k when k is larger
  std::uint64_t seed = 100;   // hnswlib's default level seed
};

class HnswIndex {
 public:
  // Vectors are `count` rows of kEmbeddingDim floats.
  static std::unique_ptr<HnswIndex> build(std::span<const float> vectors, const HnswParams& params);
  static std::unique_ptr<HnswIndex> load(const std::filesystem::path& path, std::size_t count,
                                         int ef_search);
  ~HnswIndex();
  HnswIndex(const HnswIndex&) = delete;
  HnswIndex& operator=(const HnswIndex&) = delete;

  // Writes hnswlib's native format to `path` (not atomic; the gallery writer renames it).
  void save(const std::filesystem::path& path) const;

  // The k nearest photos, nearest first: (approximate squared L2 distance, photo index).
  std::vector<std::pair<float, std::uint32_t>> search(const Embedding& query, std::size_t k) const;
  std::size_t size() const;

 private:
  HnswIndex();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lookalike

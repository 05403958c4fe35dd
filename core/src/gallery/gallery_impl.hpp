// Gallery's private state, shared by gallery.cpp (loading) and search.cpp. Internal to core.
#pragma once

#include <mutex>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <future>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "format.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/hnsw_index.hpp"

namespace lookalike {

// The published HNSW index: a shared_ptr swapped under a mutex. (libstdc++ 12's
// std::atomic<std::shared_ptr> uses a lock bit TSan cannot see, so it reports false races.)
class IndexSlot {
 public:
  std::shared_ptr<const HnswIndex> load() const {
    std::lock_guard lock(mutex_);
    return index_;
  }
  void store(std::shared_ptr<const HnswIndex> index) {
    std::lock_guard lock(mutex_);
    index_ = std::move(index);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const HnswIndex> index_;
};

struct Gallery::Impl {
  std::filesystem::path path;
  // The bytes: a private copy of the file (file_snapshot.hpp: no SIGBUS when the file is
  // truncated or rewritten under a running app) or the gallery serialized in memory.
  std::vector<std::byte> owned;
  std::span<const std::byte> bytes;
  detail::FileHeader header{};
  std::span<const detail::IdentityRecord> identities;
  std::span<const detail::StringRef> aliases;
  std::span<const detail::PhotoRecord> photos;
  std::span<const detail::SkippedRecord> skipped;
  const float* embeddings = nullptr;
  std::span<const std::byte> blob;
  // Version 2 sections (empty when absent): identity_count x kResemblanceLevels quantiles, and
  // pose thumbnail records sorted by (identity, bin).
  std::span<const float> resemblance;
  std::span<const detail::PoseRecord> poses;
  ModelInfo model;
  // Published once by the background loader (or from_data); searches read it atomically and
  // search exactly while it is still null.
  IndexSlot index;
  std::shared_future<void> index_ready;  // set when the loader has finished (either way)

  // Optional int8 copy (quantize.hpp: the HNSW graph's scale), with each photo's squared norm.
  std::vector<std::int8_t> int8;
  std::vector<std::int32_t> int8_norms;

  std::string_view str(const detail::StringRef& ref) const {
    return {reinterpret_cast<const char*>(blob.data()) + ref.offset, ref.length};
  }
  // Last member: joined first on destruction, while everything it touches still exists.
  std::jthread index_loader;

  // The identity's pose thumbnail records (binary search: they are sorted by identity).
  std::span<const detail::PoseRecord> poses_of(std::uint32_t identity) const;

  const float* embedding(std::uint32_t photo) const {
    return embeddings + static_cast<std::size_t>(photo) * kEmbeddingDim;
  }
};

}  // namespace lookalike

// ThumbnailCache: textures of gallery identities' thumbnails, decoded off the UI thread.
//
// Contract: get() is called on the main thread only and never blocks: it returns the texture
// when it is ready, otherwise queues a decode request (bounded; a refused request is simply
// asked again on a later frame) and returns null. A loader std::jthread calls
// IdentityMatcher::thumbnail() (thread-safe by contract) and posts the upload to the
// MainThreadQueue, which creates the texture on the main thread. At most `capacity` textures
// are alive; the least recently used one is freed (on the main thread) beyond that, so the
// cache does not grow however long the app runs. One cache per gallery: the destructor (main
// thread) stops and joins the loader, then frees its textures. Uploads still queued in the
// MainThreadQueue after destruction are dropped harmlessly (they hold only a weak reference).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "lookalike/gallery/search_types.hpp"
#include "lookalike/ui/gl/texture.hpp"
#include "lookalike/ui/main_thread_queue.hpp"

namespace lookalike::ui {

struct ThumbnailCacheOptions {
  std::size_t capacity = 256;     // textures alive at most (~112x112 RGB = 37 KB each)
  std::size_t max_requests = 64;  // pending decode requests at most
};

class ThumbnailCache {
 public:
  ThumbnailCache(std::shared_ptr<const IdentityMatcher> gallery, MainThreadQueue& queue,
                 ThumbnailCacheOptions options = {});
  ~ThumbnailCache();
  ThumbnailCache(const ThumbnailCache&) = delete;
  ThumbnailCache& operator=(const ThumbnailCache&) = delete;

  // Main thread. Null until the texture exists (or when the identity has no thumbnail).
  const Texture* get(std::uint32_t identity);
  std::size_t size() const;  // textures alive in this cache (main thread)

 private:
  struct Entry {
    Texture texture;
    std::uint64_t last_used = 0;
    bool missing = false;  // the gallery has no thumbnail for it
  };
  // Main-thread state, shared with queued upload tasks through a weak_ptr.
  struct Store {
    std::unordered_map<std::uint32_t, Entry> entries;
    std::unordered_set<std::uint32_t> requested;
    std::uint64_t clock = 0;
    std::size_t capacity = 0;
    void evict_beyond_capacity();
  };
  void run(std::stop_token stop);

  std::shared_ptr<const IdentityMatcher> gallery_;
  MainThreadQueue& queue_;
  ThumbnailCacheOptions options_;
  std::shared_ptr<Store> store_;

  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<std::uint32_t> requests_;  // guarded, bounded by options_.max_requests
  std::jthread loader_;                 // last: stopped and joined first
};

}  // namespace lookalike::ui

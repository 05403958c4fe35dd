#include "lookalike/ui/gl/thumbnail_cache.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace lookalike::ui {

ThumbnailCache::ThumbnailCache(std::shared_ptr<const IdentityMatcher> gallery,
                               MainThreadQueue& queue, ThumbnailCacheOptions options)
    : gallery_(std::move(gallery)),
      queue_(queue),
      options_(options),
      store_(std::make_shared<Store>()) {
  store_->capacity = options_.capacity;
  loader_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

ThumbnailCache::~ThumbnailCache() {
  loader_.request_stop();
  wake_.notify_all();
  if (loader_.joinable()) loader_.join();
}

std::size_t ThumbnailCache::size() const {
  return store_->entries.size();
}

void ThumbnailCache::Store::evict_beyond_capacity() {
  while (entries.size() > capacity) {
    auto oldest = std::min_element(
        entries.begin(), entries.end(),
        [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
    entries.erase(oldest);  // frees the texture here, on the main thread
  }
}

const Texture* ThumbnailCache::get(std::uint32_t identity) {
  if (!gallery_) return nullptr;
  Store& store = *store_;
  ++store.clock;
  if (auto it = store.entries.find(identity); it != store.entries.end()) {
    it->second.last_used = store.clock;
    return it->second.missing ? nullptr : &it->second.texture;
  }
  if (store.requested.contains(identity)) return nullptr;
  {
    std::lock_guard lock(mutex_);
    if (requests_.size() >= options_.max_requests) return nullptr;  // ask again next frame
    requests_.push_back(identity);
  }
  store.requested.insert(identity);
  wake_.notify_one();
  return nullptr;
}

void ThumbnailCache::run(std::stop_token stop) {
  while (true) {
    std::uint32_t identity = 0;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return !requests_.empty(); })) return;
      identity = requests_.front();
      requests_.pop_front();
    }
    cv::Mat pixels;
    try {
      pixels = gallery_->thumbnail(identity);
    } catch (const std::exception& e) {
      spdlog::warn("thumbnail of identity {}: {}", identity, e.what());
    }
    std::weak_ptr<Store> weak = store_;
    auto upload = [weak, identity, pixels = std::move(pixels)] {
      auto store = weak.lock();
      if (!store) return;  // the cache is gone (gallery switched)
      store->requested.erase(identity);
      Entry entry;
      entry.last_used = ++store->clock;
      entry.missing = pixels.empty();
      if (!entry.missing) entry.texture.upload(pixels);
      store->entries.insert_or_assign(identity, std::move(entry));
      store->evict_beyond_capacity();
    };
    // The main thread drains every frame; if its queue is full, back off on the stop token.
    while (!queue_.post(upload)) {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, stop, std::chrono::milliseconds(5), [] { return false; });
      if (stop.stop_requested()) return;
    }
  }
}

}  // namespace lookalike::ui

#include "lookalike/ui/gallery_loader.hpp"

#include <spdlog/spdlog.h>

#include "lookalike/errors.hpp"
#include "lookalike/gallery/gallery.hpp"

namespace lookalike::ui {

GalleryLoader::GalleryLoader(GalleryLoaderOptions options) : options_(std::move(options)) {
  worker_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

GalleryLoader::~GalleryLoader() {
  worker_.request_stop();
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void GalleryLoader::load(std::filesystem::path path) {
  {
    std::lock_guard lock(mutex_);
    request_ = std::move(path);
  }
  wake_.notify_one();
}

std::optional<LoadedGallery> GalleryLoader::poll() {
  std::lock_guard lock(mutex_);
  return std::exchange(done_, std::nullopt);
}

bool GalleryLoader::busy() const {
  std::lock_guard lock(mutex_);
  return working_ || request_.has_value();
}

std::shared_ptr<const IdentityMatcher> GalleryLoader::open(const std::filesystem::path& path) {
  GalleryLoadOptions load;
  try {
    load.expected_model = FaceEngine::model_info(options_.engine);  // cached after the first
  } catch (const ModelError& e) {
    spdlog::warn("{}: not checked against the face model yet: {}", path.string(), e.what());
  }
  return Gallery::load(path, load);
}

void GalleryLoader::run(std::stop_token stop) {
  while (true) {
    std::filesystem::path path;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return request_.has_value(); })) return;
      path = std::move(*request_);
      request_.reset();
      working_ = true;
    }
    LoadedGallery result;
    result.path = path;
    try {
      result.gallery = open(path);
      result.model_id = result.gallery->model().id;
      spdlog::info("gallery {}: {} identities, {} photos", path.string(),
                   result.gallery->identity_count(), result.gallery->photo_count());
    } catch (const std::exception& e) {
      result.error = e.what();
      spdlog::warn("{}", result.error);
    }
    std::lock_guard lock(mutex_);
    working_ = false;
    if (!request_) done_ = std::move(result);  // a newer request supersedes this result
  }
}

}  // namespace lookalike::ui

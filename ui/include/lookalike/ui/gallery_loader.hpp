// GalleryLoader: opens gallery files off the UI thread.
//
// Contract: load() is thread-safe and non-blocking; the newest request wins (an older load
// still running finishes but its result is discarded). poll() (main thread) hands over each
// finished load exactly once. Load errors are returned as messages (GalleryError names the
// file, the problem and the fix); nothing thrown crosses the thread boundary. A gallery built
// by another model than the engine's (`options.engine`, read from its weights on the worker)
// is refused with the message that says to rebuild it; when the weights are missing the
// check is left to the pipeline (which refuses it once they are installed). The destructor
// joins the worker.
#pragma once

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lookalike/engine.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike::ui {

struct LoadedGallery {
  std::filesystem::path path;
  std::shared_ptr<const IdentityMatcher> gallery;  // null on error
  std::string error;
  std::string model_id;  // the gallery's embedding model ("" when unknown)
};

struct GalleryLoaderOptions {
  EngineOptions engine;  // the engine the galleries must match (default model files)
};

class GalleryLoader {
 public:
  explicit GalleryLoader(GalleryLoaderOptions options = {});
  ~GalleryLoader();
  GalleryLoader(const GalleryLoader&) = delete;
  GalleryLoader& operator=(const GalleryLoader&) = delete;

  void load(std::filesystem::path path);
  std::optional<LoadedGallery> poll();
  bool busy() const;

 private:
  void run(std::stop_token stop);
  std::shared_ptr<const IdentityMatcher> open(const std::filesystem::path& path);
  GalleryLoaderOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::optional<std::filesystem::path> request_;  // guarded
  std::optional<LoadedGallery> done_;             // guarded
  bool working_ = false;                          // guarded
  std::jthread worker_;
};

}  // namespace lookalike::ui

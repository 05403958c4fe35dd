// GalleryLoader: opens gallery files in the background (open_gallery() on an app::Task), so the
// UI thread never waits on a disk.
//
// Contract: load(), poll() and busy() are called from one thread (the UI thread) and never
// block. Each load() starts a Task; the newest request wins (an older load still running
// finishes on its own thread and its result is discarded). poll() hands over each finished
// load exactly once. Errors come back as messages (GalleryError names the file, the problem
// and the fix); a gallery of other weights than the engine's (`options.engine`) is refused by
// open_gallery(). `on_change` (optional) runs on a load's thread when it ended. The destructor
// waits for running loads (a load maps a file: milliseconds).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lookalike/app/task.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike::app {

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
  explicit GalleryLoader(GalleryLoaderOptions options = {}, std::function<void()> on_change = {});
  ~GalleryLoader();
  GalleryLoader(const GalleryLoader&) = delete;
  GalleryLoader& operator=(const GalleryLoader&) = delete;

  void load(std::filesystem::path path);
  std::optional<LoadedGallery> poll();
  bool busy() const;

 private:
  struct Load {
    std::shared_ptr<LoadedGallery> result;  // written by the task, read once it ended
    std::unique_ptr<Task> task;
  };
  GalleryLoaderOptions options_;
  std::function<void()> on_change_;
  std::optional<Load> current_;
  std::vector<std::unique_ptr<Task>> superseded_;  // still running, results unwanted
};

}  // namespace lookalike::app

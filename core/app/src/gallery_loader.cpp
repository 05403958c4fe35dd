#include "lookalike/app/gallery_loader.hpp"

#include <spdlog/spdlog.h>

#include "lookalike/app/open_gallery.hpp"

namespace lookalike::app {

GalleryLoader::GalleryLoader(GalleryLoaderOptions options, std::function<void()> on_change)
    : options_(std::move(options)), on_change_(std::move(on_change)) {}

GalleryLoader::~GalleryLoader() = default;  // each Task joins its thread

void GalleryLoader::load(std::filesystem::path path) {
  if (current_) superseded_.push_back(std::move(current_->task));
  std::erase_if(superseded_, [](const std::unique_ptr<Task>& t) { return !t->running(); });
  auto result = std::make_shared<LoadedGallery>();
  result->path = path;
  auto body = [result, path = std::move(path), engine = options_.engine](Task::Context&) {
    auto gallery = open_gallery(path, engine);
    result->model_id = gallery->model().id;
    spdlog::info("gallery {}: {} identities, {} photos", path.string(), gallery->identity_count(),
                 gallery->photo_count());
    result->gallery = std::move(gallery);
    return true;
  };
  current_ = Load{
      result, std::make_unique<Task>("open " + result->path.string(), std::move(body), on_change_)};
}

std::optional<LoadedGallery> GalleryLoader::poll() {
  if (!current_) return std::nullopt;
  const Task::Status status = current_->task->status();
  if (status.state == Task::State::running) return std::nullopt;
  LoadedGallery loaded = std::move(*current_->result);  // the task's writes happened before
  if (status.state == Task::State::failed) loaded.error = status.error;
  current_.reset();
  return loaded;
}

bool GalleryLoader::busy() const {
  return current_ && current_->task->running();
}

}  // namespace lookalike::app

#include "lookalike/ui/gallery_builder_task.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "lookalike/gallery/builder.hpp"
#include "lookalike/gallery/importers.hpp"
#include "lookalike/image_io.hpp"

namespace fs = std::filesystem;

namespace lookalike::ui {

bool looks_like_identity_folders(const fs::path& folder) {
  std::error_code ec;
  for (const auto& sub : fs::directory_iterator(folder, ec)) {
    if (!sub.is_directory(ec)) continue;
    for (const auto& file : fs::directory_iterator(sub.path(), ec))
      if (file.is_regular_file(ec) && has_image_extension(file.path())) return true;
  }
  return false;
}

GalleryBuilderTask::GalleryBuilderTask(std::vector<fs::path> sources, fs::path output)
    : sources_(std::move(sources)), output_(std::move(output)) {
  worker_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

GalleryBuilderTask::~GalleryBuilderTask() {
  worker_.request_stop();
  if (worker_.joinable()) worker_.join();
}

BuildProgress GalleryBuilderTask::progress() const {
  std::lock_guard lock(mutex_);
  return progress_;
}

GalleryBuilderTask::State GalleryBuilderTask::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string GalleryBuilderTask::message() const {
  std::lock_guard lock(mutex_);
  return message_;
}

void GalleryBuilderTask::run(std::stop_token stop) {
  try {
    std::vector<PhotoSource> photos;
    for (const auto& root : sources_) {
      auto found = scan_identity_folders(root);
      photos.insert(photos.end(), std::make_move_iterator(found.begin()),
                    std::make_move_iterator(found.end()));
    }
    std::set<std::string> names;
    for (const auto& p : photos) names.insert(p.identity);
    {
      std::lock_guard lock(mutex_);
      progress_.total = photos.size();
      progress_.identities = names.size();
    }
    if (photos.empty())
      throw std::runtime_error("no photos found in person folders under " +
                               sources_.front().string());
    fs::create_directories(output_.parent_path());
    BuildOptions options;
    options.threads = 0;  // all cores; the UI thread stays free
    auto on_progress = [this](const lookalike::BuildProgress& p) {
      std::lock_guard lock(mutex_);
      progress_.done = p.done;
      progress_.total = p.total;
      progress_.photos_per_second = p.rate;
    };
    const BuildResult result = build_gallery_file(output_, photos, options, stop, on_progress);
    std::lock_guard lock(mutex_);
    if (result.completed) {
      state_ = State::done;
      message_ = "built " + output_.string();
    } else {
      state_ = State::cancelled;
      message_ = "Gallery build cancelled (" + std::to_string(result.processed) +
                 " photos kept in the checkpoint; building the same folder again resumes)";
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    state_ = State::failed;
    message_ = std::string("Gallery build failed: ") + e.what();
    spdlog::error("{}", message_);
  }
}

}  // namespace lookalike::ui

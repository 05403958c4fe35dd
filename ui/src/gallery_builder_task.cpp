#include "lookalike/ui/gallery_builder_task.hpp"

#include <spdlog/spdlog.h>

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
  (void)stop;
  std::lock_guard lock(mutex_);
  state_ = State::failed;
  message_ = "Building a gallery from the app is not available in this build; run: lookalike-cli gallery build " +
             (sources_.empty() ? std::string("DIR") : sources_.front().string()) + " -o " + output_.string();
}

}  // namespace lookalike::ui

#include "lookalike/app/live_feed.hpp"

#include <spdlog/spdlog.h>

#include "lookalike/pipeline/pipeline.hpp"

namespace lookalike::app {

LiveFeed::LiveFeed(LiveFeedOptions options, std::shared_ptr<const IdentityMatcher> gallery)
    : options_(std::move(options)), gallery_(std::move(gallery)) {
  opener_ = std::make_unique<Task>("open " + options_.source.spec, [this](Task::Context& context) {
    open(context.stop());
    return !context.stop().stop_requested();
  });
}

LiveFeed::~LiveFeed() {
  opener_.reset();  // requests stop and joins: a source still opening is closed at once
  std::shared_ptr<Pipeline> pipeline;
  {
    std::lock_guard lock(mutex_);
    pipeline = std::move(pipeline_);
  }
  if (pipeline) pipeline->stop();
}

void LiveFeed::open(std::stop_token stop) {
  LiveFeedOptions options;
  std::shared_ptr<const IdentityMatcher> gallery;
  {
    std::lock_guard lock(mutex_);
    options = options_;
    gallery = gallery_;
  }
  try {
    PipelineOptions po;
    po.source = options.source;
    po.source.mirror = false;  // the view mirrors for display; track boxes stay in source pixels
    po.workers = options.workers;
    po.search = options.search;
    po.estimate_gender_age = options.estimate_gender_age;
    po.gender_filter = options.gender_filter;
    po.max_frames = options.max_frames;
    po.engine.detector.kind = detector_kind_from_string(options.detector);
    if (options.on_snapshot)
      po.on_publish = [wake = options.on_snapshot](const SnapshotPtr&) { wake(); };
    po.on_stop = options.on_stop;
    if (stop.stop_requested()) return;  // retired before it opened
    auto pipeline = std::make_shared<Pipeline>(po, gallery);
    pipeline->start();  // opening a camera can block; the request is checked right after
    if (stop.stop_requested()) {
      pipeline->stop();  // retired while opening: never shown
      return;
    }
    std::lock_guard lock(mutex_);
    // Settings that changed while the source was opening.
    pipeline->set_search_options(options_.search);
    pipeline->set_gender_filter(options_.gender_filter);
    if (gallery_ != gallery) pipeline->set_gallery(gallery_);
    pipeline->set_paused(paused_);
    if (const auto info = pipeline->source_info()) {
      description_ = info->description;
      source_fps_ = info->fps;
    }
    pipeline_ = std::move(pipeline);
    state_ = State::running;
    spdlog::info("live source {} running", description_);
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    state_ = State::failed;
    error_ = e.what();
    spdlog::warn("live source '{}' failed: {}", options.source.spec, error_);
  }
  if (options.on_snapshot) options.on_snapshot();  // the state changed: the view redraws
}

SnapshotPtr LiveFeed::latest() const {
  std::shared_ptr<Pipeline> pipeline;
  {
    std::lock_guard lock(mutex_);
    pipeline = pipeline_;
  }
  return pipeline ? pipeline->latest() : nullptr;
}

LiveFeed::State LiveFeed::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

std::string LiveFeed::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

std::string LiveFeed::description() const {
  std::lock_guard lock(mutex_);
  return description_.empty() ? options_.source.spec : description_;
}

std::string LiveFeed::spec() const {
  std::lock_guard lock(mutex_);
  return options_.source.spec;
}

double LiveFeed::source_fps() const {
  std::lock_guard lock(mutex_);
  return source_fps_;
}

void LiveFeed::set_search_options(const SearchOptions& options) {
  std::lock_guard lock(mutex_);
  options_.search = options;
  if (pipeline_) pipeline_->set_search_options(options);
}

void LiveFeed::set_gender_filter(GenderFilter filter) {
  std::lock_guard lock(mutex_);
  options_.gender_filter = filter;
  if (pipeline_) pipeline_->set_gender_filter(filter);
}

void LiveFeed::set_gallery(std::shared_ptr<const IdentityMatcher> gallery) {
  std::lock_guard lock(mutex_);
  if (pipeline_) pipeline_->set_gallery(gallery);  // throws first on a model mismatch
  gallery_ = std::move(gallery);
}

void LiveFeed::set_paused(bool paused) {
  std::lock_guard lock(mutex_);
  paused_ = paused;
  if (pipeline_) pipeline_->set_paused(paused);
}

}  // namespace lookalike::app

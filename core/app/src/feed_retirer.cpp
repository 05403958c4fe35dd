#include "lookalike/app/feed_retirer.hpp"

#include <algorithm>

namespace lookalike::app {

FeedRetirer::FeedRetirer(std::function<void()> on_change) : on_change_(std::move(on_change)) {}

FeedRetirer::~FeedRetirer() {
  tasks_.clear();  // each ~Task joins: every retired feed is gone after this
}

void FeedRetirer::retire(std::unique_ptr<LiveFeed> feed) {
  if (!feed) return;
  collect();  // bounded: finished retirements do not pile up between frames
  // The task's body is the only owner, so the feed dies on the task's thread whatever
  // happens to the body's copies.
  auto owned = std::make_shared<std::unique_ptr<LiveFeed>>(std::move(feed));
  tasks_.push_back(std::make_unique<Task>(
      "retire live feed",
      [owned](Task::Context&) {
        owned->reset();  // ~LiveFeed: ordered pipeline stop, joins
        return true;
      },
      on_change_));
}

void FeedRetirer::collect() {
  std::erase_if(tasks_, [](const std::unique_ptr<Task>& t) { return !t->running(); });
}

std::size_t FeedRetirer::stopping() const {
  return static_cast<std::size_t>(std::count_if(
      tasks_.begin(), tasks_.end(), [](const std::unique_ptr<Task>& t) { return t->running(); }));
}

}  // namespace lookalike::app

// FeedRetirer: stops old live feeds off the UI thread, so switching sources never waits.
//
// Contract: retire() takes ownership of a feed and returns at once; the feed is destroyed
// (opener stopped, pipeline stopped and joined, source released) on its own background
// Task. collect() frees the retirements that finished; it never blocks on one still
// stopping (it only joins threads that already ended). stopping() counts retired feeds not
// destroyed. The destructor waits for every retired feed: the App's ordered shutdown
// destroys the retirer after the current feed and before anything the feeds may post to.
// retire(), collect() and stopping() are called from one thread (the UI thread); each
// retirement touches only its own feed.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "lookalike/app/live_feed.hpp"
#include "lookalike/app/task.hpp"

namespace lookalike::app {

class FeedRetirer {
 public:
  // `on_change` (optional) is called from a retirement's thread when it ended (the UI wakes
  // its event loop to collect it).
  explicit FeedRetirer(std::function<void()> on_change = {});
  ~FeedRetirer();
  FeedRetirer(const FeedRetirer&) = delete;
  FeedRetirer& operator=(const FeedRetirer&) = delete;

  void retire(std::unique_ptr<LiveFeed> feed);  // null is ignored
  void collect();
  std::size_t stopping() const;

 private:
  std::function<void()> on_change_;
  std::vector<std::unique_ptr<Task>> tasks_;
};

}  // namespace lookalike::app

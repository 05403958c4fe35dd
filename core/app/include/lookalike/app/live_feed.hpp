// LiveFeed: a live session for a front end that must never wait: the source opens and the
// pipeline starts on a background Task (the seam between the UI and core's Pipeline).
//
// Contract: construction returns at once; the source is opened and the pipeline started on a
// background Task (opening a camera can block for a second), so the UI thread never waits on
// it. Until then latest() is null and state() says `opening`; a source that cannot
// be opened ends in state `failed` with the SourceError message (which names the source). All
// methods are thread-safe and non-blocking except the destructor, which stops the opener (it
// honours its stop token: a source that opens after the request is closed again at once) and
// stops the pipeline in the pipeline's documented order (well under a second). The UI never
// runs that destructor on its thread: it hands old feeds to a FeedRetirer.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "lookalike/app/task.hpp"
#include "lookalike/gallery/gender_filter.hpp"
#include "lookalike/gallery/search_types.hpp"
#include "lookalike/pipeline/frame_source.hpp"
#include "lookalike/pipeline/snapshot.hpp"

namespace lookalike {
class Pipeline;
}

namespace lookalike::app {

struct LiveFeedOptions {
  SourceOptions source;  // spec, size, fps, playback (mirroring is done by the view)
  SearchOptions search;
  // Gender and age per track (estimates shown with the names; the app turns them on) and the
  // "only look-alikes of my gender" filter (PipelineOptions::estimate_gender_age, gender_filter).
  bool estimate_gender_age = false;
  GenderFilter gender_filter = GenderFilter::any;
  // BlazeFace by default: 18x faster than HOG per frame, as accurate on LFW (README "Detection").
  std::string detector = "blazeface";
  int workers = 0;               // 0 = all cores
  std::uint64_t max_frames = 0;  // 0 = until the source ends
  // Optional: called on a pipeline thread after each published snapshot, and on the opener
  // thread when the open ended. Quick, thread-safe and never calling back into the feed: the
  // UI wakes its event loop with it (glfwPostEmptyEvent).
  std::function<void()> on_snapshot;
  // Optional instrumentation (PipelineOptions::on_stop): called once when the pipeline's
  // shutdown begins, on the thread that destroys the feed.
  std::function<void()> on_stop;
};

class LiveFeed {
 public:
  enum class State { opening, running, failed };

  LiveFeed(LiveFeedOptions options, std::shared_ptr<const IdentityMatcher> gallery);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  SnapshotPtr latest() const;  // null while opening or after a failed open
  State state() const;
  std::string error() const;        // why the open failed ("" otherwise)
  std::string description() const;  // e.g. "camera 0 (/dev/video0) 1280x720@30"
  double source_fps() const;        // nominal source rate, 0 when unknown
  std::string spec() const;         // the source spec this feed was created with

  // Live tunables; applied now or as soon as the pipeline is running.
  void set_search_options(const SearchOptions& options);
  void set_gender_filter(GenderFilter filter);
  // Throws GalleryError(wrong_model) for a gallery of another model than the engine's (the
  // GalleryLoader refuses those first), keeping the current gallery.
  void set_gallery(std::shared_ptr<const IdentityMatcher> gallery);
  void set_paused(bool paused);

 private:
  void open(std::stop_token stop);

  LiveFeedOptions options_;
  mutable std::mutex mutex_;
  std::shared_ptr<const IdentityMatcher> gallery_;  // guarded
  std::shared_ptr<Pipeline> pipeline_;              // guarded; set once running
  State state_ = State::opening;                    // guarded
  std::string error_, description_;                 // guarded
  double source_fps_ = 0;                           // guarded
  bool paused_ = false;                             // guarded
  std::unique_ptr<Task> opener_;                    // last member: joined first on destruction
};

}  // namespace lookalike::app

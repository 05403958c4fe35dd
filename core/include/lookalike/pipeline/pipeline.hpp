// Pipeline: the live loop. capture thread -> one-slot latest-frame mailbox -> N workers (each
// with its own FaceEngine, created on its own thread) -> tracker -> gallery query -> immutable
// Snapshot published for consumers (UI, headless runner).
//
// Contract:
// - Threads: start() spawns one capture thread and `workers` worker threads (std::jthread);
//   stop() (and the destructor) stops capture, closes the mailbox, requests stop, joins, and
//   releases the source, in that order. stop() is idempotent and finishes well under a second
//   even while workers are busy (a worker finishes at most the frame it holds).
// - At most one frame in flight per worker; frames the workers could not take are overwritten
//   in the mailbox and counted as dropped. No queue grows without bound.
// - latest() returns the newest published snapshot (never null after construction: a
//   `starting` snapshot is published first); published snapshot seq never goes backwards.
//   Snapshots are immutable; keep them as long as you like.
// - Every public method is thread-safe. The setters (search options, gender filter, gallery,
//   mirror, pause) take effect from the next processed frame.
// - Exceptions thrown inside the capture thread or a worker never escape: they become the
//   snapshot's status/status_message (`failed`), and the pipeline stops processing.
// - The gallery (IdentityMatcher) is shared read-only; null means detection/tracking only. A
//   gallery built by another model (IdentityMatcher::model() differs from the engine's in id
//   or weights) is refused with GalleryError(wrong_model) by the constructor and
//   set_gallery(), naming both models and saying to rebuild the gallery. The engine's model is
//   read from its weights file (cached, as the workers' engines share it); when that file is
//   missing the check is skipped and the workers report the missing model as `failed`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/gender_filter.hpp"
#include "lookalike/gallery/search_types.hpp"
#include "lookalike/pipeline/frame_source.hpp"
#include "lookalike/pipeline/snapshot.hpp"
#include "lookalike/pipeline/tracker.hpp"

namespace lookalike {

// Adaptive speed: detection runs on a downscaled frame; known tracks are refined in a crop
// around them; when the workers fall behind the source, quality is traded for rate.
struct AdaptiveOptions {
  bool enabled = true;
  // Longest side of the frame the full-frame detector scans at 100 % (HOG finds faces from
  // ~80 px of the scanned image, so 640 finds faces >= ~1/8 of the frame side).
  int detect_max_side = 640;
  // The lowest the detector scale may go when degrading (percent of detect_max_side).
  int min_scale_percent = 50;
  // Run a full-frame detection at least every this many processed frames while tracks
  // exist (new faces are found within this many frames); between them only the crops
  // around known tracks are scanned. 1 = full frame every time.
  int full_detect_interval = 3;
  // Degrade when the average processing time per frame exceeds this fraction of the time
  // budget (workers x source frame interval); recover below `recover_load`.
  double degrade_load = 0.9;
  double recover_load = 0.5;
};

struct PipelineOptions {
  SourceOptions source;
  int workers = 0;       // 0 = all cores (std::thread::hardware_concurrency)
  EngineOptions engine;  // each worker creates its own engine from this (threads = 1)
  SearchOptions search;  // top_k etc. for the gallery query
  // Gender and age per track: each worker loads its own GenderAgeEstimator (the human-models
  // folder next to the weights) and estimates every face it embeds; tracks combine them
  // (TrackView::gender_age). Models missing: a warning, and tracks stay unknown.
  bool estimate_gender_age = false;
  // Only look-alikes of this gender (gender_filter.hpp); `same` uses the track's combined
  // estimate and needs estimate_gender_age.
  GenderFilter gender_filter = GenderFilter::any;
  TrackerOptions tracker;
  AdaptiveOptions adaptive;
  // Publish every captured frame (with the newest tracks, boxes moved to it), so the picture
  // runs at the source rate however slow recognition is. false: publish processed frames
  // only (fewer snapshots, e.g. for batch runs).
  bool publish_every_frame = true;
  // Stop after this many captured frames (0 = until the source ends or stop()).
  std::uint64_t max_frames = 0;
  // Optional: how the source is opened (default: open_source). Tests use it to script a
  // source (e.g. a camera that is lost and comes back); the app could wrap a custom device.
  std::function<std::unique_ptr<FrameSource>(const SourceOptions&)> source_factory;
  // Optional: called for EVERY published snapshot, in publish order, on the pipeline thread
  // that published it (while the publish lock is held). Keep it quick (print a line, push
  // into a bounded buffer) and never call back into the Pipeline from it. The UI should use
  // latest()/wait_next() instead; the headless runner and the tests use this.
  std::function<void(const SnapshotPtr&)> on_publish;
  // Optional: called once, by the first stop() (or the destructor), on that thread, before
  // anything is stopped. Instrumentation: tests hold a shutdown open with it to prove that a
  // front end does not wait for it.
  std::function<void()> on_stop;
};

class Pipeline {
 public:
  // Does not open the source or start threads; see start(). Throws GalleryError(wrong_model)
  // for a gallery of another model (see the contract).
  Pipeline(PipelineOptions options, std::shared_ptr<const IdentityMatcher> gallery);
  ~Pipeline();  // stop()
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Opens the source (throws SourceError: missing/busy camera, unreadable file) and starts
  // the threads. Engines are created on the worker threads; a model error becomes a `failed`
  // status. Calling start() twice throws std::logic_error.
  void start();
  // Ordered, idempotent shutdown (see the contract above). Safe from any thread but a
  // pipeline thread.
  void stop();

  // The newest published snapshot. Lock-light (a mutex held for one pointer copy).
  SnapshotPtr latest() const;
  // Waits until a snapshot other than `last` is published, the pipeline finished (source
  // ended and every frame processed, failed, or stopped) or the timeout passed. Returns the
  // newest snapshot if it differs from `last`, else nullptr.
  SnapshotPtr wait_next(const SnapshotPtr& last,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds{1000}) const;
  // True once the source ended (or failed, or stop()) and all in-flight frames are published.
  bool finished() const;

  // Live-tunable settings (thread-safe, from the next frame).
  void set_search_options(const SearchOptions& options);
  SearchOptions search_options() const;
  // Changes the gender filter; the tracks' matches are queried again.
  void set_gender_filter(GenderFilter filter);
  GenderFilter gender_filter() const;
  // Swaps the gallery (null = detection only). Track names are recomputed against it. Throws
  // GalleryError(wrong_model) for a gallery of another model, leaving the current one.
  void set_gallery(std::shared_ptr<const IdentityMatcher> gallery);
  std::shared_ptr<const IdentityMatcher> gallery() const;
  void set_mirror(bool mirror);
  // Freeze: capture keeps running (the camera stays warm) but frames are not processed and
  // the published snapshot stays the same until unpaused.
  void set_paused(bool paused);
  bool paused() const;

  const PipelineOptions& options() const;
  std::optional<SourceInfo> source_info() const;  // nullopt before start()

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lookalike

// The live pipeline (see pipeline.hpp for the contract).
//
// Locks, in the order they may nest: state_mutex (tracker, metrics, publishing) ->
// settings_mutex (gallery, search options) -> publish_mutex (the published pointer, waiters).
// Nothing is locked in the reverse order; `finished` is atomic so waiters need no other lock.
// model_mutex (the engine's ModelInfo, resolved once) is a leaf: nothing is locked under it.
#include "lookalike/pipeline/pipeline.hpp"
#include "lookalike/elapsed.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <thread>

#include "face_finder.hpp"
#include "lookalike/engine/aligner.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/gallery/gallery_error.hpp"
#include "lookalike/pipeline/mailbox.hpp"
#include "rate_meter.hpp"

namespace lookalike {
namespace {

// Face-to-name times kept in each snapshot (the most recent ones): bounded memory.
constexpr std::size_t kMaxFaceToNameKept = 256;
// Adaptive speed re-evaluates at most once per this many processed frames (avoid flapping).
constexpr int kAdaptEveryFrames = 15;
// Each degradation step: detector input -10 %, re-embedding interval +2 frames (up to 3x).
constexpr int kScaleStepPercent = 10;
constexpr int kReembedStep = 2;
constexpr int kMaxReembedFactor = 3;

}  // namespace

struct Pipeline::Impl {
  PipelineOptions options;
  int worker_count = 1;

  // Settings (settings_mutex_).
  mutable std::mutex settings_mutex;
  std::shared_ptr<const IdentityMatcher> gallery;
  SearchOptions search;
  GenderFilter gender_filter = GenderFilter::any;
  std::atomic<bool> mirror{false};
  std::atomic<bool> paused{false};

  // Threads and the frame path.
  std::unique_ptr<FrameSource> source;
  LatestMailbox<Frame> mailbox;
  std::stop_source run_stop;  // requested by stop() or a fatal error
  std::jthread capture_thread;
  std::vector<std::jthread> workers;
  std::mutex lifecycle_mutex;  // start()/stop()
  bool started = false;
  bool stopped = false;

  // State (state_mutex): tracker, metrics, status.
  mutable std::mutex state_mutex;
  Tracker tracker;
  Frame current;              // the frame the tracker last saw
  Frame display;              // the newest captured frame (what snapshots show)
  int embedding_workers = 0;  // workers inside the embedding network right now
  SourceStatus status = SourceStatus::starting;
  std::string status_message;
  std::uint64_t captured = 0, processed = 0, stale = 0, version = 0;
  detail::RateMeter capture_rate, processed_rate;
  detail::ExpMovingAverage detect_ms, landmarks_ms, embed_ms, search_ms, total_ms, busy_ms;
  int scale_percent = 100;
  int base_reembed = 5;
  int frames_since_full = 1 << 20;
  int frames_since_adapt = 0;
  int workers_running = 0;
  int workers_ready = 0;  // engines created (or failed): capture starts when all are
  std::condition_variable_any workers_ready_cv;
  bool capture_done = false;
  std::atomic<bool> finished{false};
  std::optional<SourceInfo> info;  // copy taken at start(): valid after the source is released

  // The model the workers' engines will have (resolved on first need, model_mutex).
  std::mutex model_mutex;
  std::optional<ModelInfo> engine_model;
  std::atomic<bool> stop_hook_ran{false};

  // Published snapshot (publish_mutex).
  mutable std::mutex publish_mutex;
  mutable std::condition_variable publish_cv;
  SnapshotPtr published;

  explicit Impl(PipelineOptions o) : options(std::move(o)), tracker(options.tracker) {
    worker_count = options.workers > 0
                       ? options.workers
                       : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    search = options.search;
    gender_filter = options.gender_filter;
    mirror = options.source.mirror;
    base_reembed = std::max(1, options.tracker.reembed_interval);
    auto first = std::make_shared<Snapshot>();
    first->status = SourceStatus::starting;
    first->status_message = "starting";
    published = std::move(first);
  }

  // ---- the gallery's model must be the engine's ----
  std::optional<ModelInfo> engine_model_info() {
    std::lock_guard lock(model_mutex);
    if (!engine_model) {
      try {
        engine_model = FaceEngine::model_info(options.engine);  // cached weights: once
      } catch (const ModelError& e) {
        spdlog::debug("gallery model not checked yet: {}", e.what());
        return std::nullopt;  // the workers report the ModelError as `failed`
      }
    }
    return engine_model;
  }

  // Throws GalleryError(wrong_model) for a gallery built by other weights: its distances to
  // this engine's descriptors are meaningless (wrong names, silently).
  void check_gallery(const IdentityMatcher* matcher) {
    if (!matcher) return;
    const std::optional<ModelInfo> engine = engine_model_info();
    if (!engine || same_model(matcher->model(), *engine)) return;
    const ModelInfo& built = matcher->model();
    throw GalleryError(
        GalleryError::Kind::wrong_model,
        fmt::format("gallery built with embedding model '{}' (weights sha256 {}) but the live "
                    "pipeline's engine uses '{}' (weights sha256 {}); their embeddings are not "
                    "comparable: rebuild the gallery with `lookalike-cli gallery build SRC... -o "
                    "FILE.lkg`, or fetch one for these weights with `lookalike-cli gallery fetch`",
                    built.id, built.weights_sha256.substr(0, 12), engine->id,
                    engine->weights_sha256.substr(0, 12)));
  }

  // ---- publishing (caller holds state_mutex) ----
  void publish_locked() {
    auto snap = std::make_shared<Snapshot>();
    // The newest frame we have: the display frame unless the tracker saw a newer one (it
    // cannot, but keep the invariant local: seq never goes backwards).
    const Frame& shown = (!display.image.empty() && display.seq >= current.seq) ? display : current;
    snap->seq = shown.seq;
    snap->captured_at = shown.captured_at;
    snap->t_ms = shown.t_ms;
    snap->frame = shown.image;
    snap->tracks_seq = tracker.last_seq().value_or(0);
    snap->tracks = tracker.views(shown.seq);
    snap->status = status;
    snap->status_message = status_message;
    PipelineMetrics& m = snap->metrics;
    m.capture_fps = capture_rate.per_second();
    m.processed_fps = processed_rate.per_second();
    m.captured = captured;
    m.processed = processed;
    m.dropped = mailbox.overwritten();
    m.stale = stale;
    m.latency = {detect_ms.value(), landmarks_ms.value(), embed_ms.value(), search_ms.value(),
                 total_ms.value()};
    m.detector_scale_percent = scale_percent;
    m.reembed_interval = tracker.reembed_interval();
    m.degraded = scale_percent < 100 || tracker.reembed_interval() > base_reembed;
    m.workers = workers_running;
    const auto& f2n = tracker.face_to_name_ms();
    const std::size_t from = f2n.size() > kMaxFaceToNameKept ? f2n.size() - kMaxFaceToNameKept : 0;
    m.face_to_name_ms.assign(f2n.begin() + static_cast<std::ptrdiff_t>(from), f2n.end());
    snap->version = ++version;
    SnapshotPtr ptr = std::move(snap);
    {
      std::lock_guard lock(publish_mutex);
      published = ptr;
    }
    publish_cv.notify_all();
    if (options.on_publish) options.on_publish(ptr);
  }

  void set_status_locked(SourceStatus s, std::string message) {
    status = s;
    status_message = std::move(message);
  }

  void fail(const std::string& where, const std::string& what) {
    spdlog::error("{}: {}", where, what);
    {
      std::lock_guard lock(state_mutex);
      set_status_locked(SourceStatus::failed, where + ": " + what);
      publish_locked();
    }
    run_stop.request_stop();
    mailbox.close();
  }

  // ---- capture thread ----
  void capture_loop(std::stop_token thread_stop) {
    std::stop_callback forward(thread_stop, [this] { run_stop.request_stop(); });
    std::stop_token stop = run_stop.get_token();
    const bool back_pressure =
        options.source.playback == PlaybackMode::as_fast_as_possible &&
        (info->kind == SourceKind::video_file || info->kind == SourceKind::image_folder);
    try {
      bool failed_already = false;
      {
        // Wait until every worker has its engine (model loading takes seconds): a file
        // played in real time would otherwise be half over before the first detection.
        std::unique_lock lock(state_mutex);
        workers_ready_cv.wait(lock, stop, [&] { return workers_ready >= worker_count; });
        failed_already = status == SourceStatus::failed;  // a worker said why
        if (!failed_already) set_status_locked(SourceStatus::running, source->info().description);
      }
      std::uint64_t count = 0;
      while (!failed_already && !stop.stop_requested()) {
        if (options.max_frames > 0 && count >= options.max_frames) {
          std::lock_guard lock(state_mutex);
          set_status_locked(SourceStatus::ended, "reached --max-frames");
          break;
        }
        FrameSource::ReadResult r = source->read(stop);
        if (r.status == FrameSource::ReadStatus::stopped) break;
        if (r.status == FrameSource::ReadStatus::ended) {
          std::lock_guard lock(state_mutex);
          set_status_locked(SourceStatus::ended, source->info().description + ": end");
          break;
        }
        if (r.status == FrameSource::ReadStatus::lost) {
          {
            std::lock_guard lock(state_mutex);
            set_status_locked(SourceStatus::reconnecting,
                              source->info().description + " lost, reconnecting");
            publish_locked();
          }
          if (!source->reconnect(stop)) break;
          std::lock_guard lock(state_mutex);
          set_status_locked(SourceStatus::running, source->info().description);
          publish_locked();
          continue;
        }
        ++count;
        Frame frame = std::move(r.frame);
        if (mirror.load() != options.source.mirror) {
          cv::Mat flipped;
          cv::flip(frame.image, flipped, 1);
          frame.image = flipped;
        }
        if (paused.load()) {  // freeze: the camera stays warm, nothing is shown or processed
          std::lock_guard lock(state_mutex);
          ++captured;
          capture_rate.tick(frame.captured_at);
          continue;
        }
        {
          std::lock_guard lock(state_mutex);
          ++captured;
          capture_rate.tick(frame.captured_at);
          display = frame;  // shares the pixels, which nobody writes again
          if (options.publish_every_frame) publish_locked();
        }
        if (back_pressure)
          mailbox.put_wait(std::move(frame), stop);
        else
          mailbox.put_overwrite(std::move(frame));
      }
    } catch (const std::exception& e) {
      fail("capture", e.what());
    } catch (...) {
      fail("capture", "unknown exception");
    }
    mailbox.close();  // workers drain the last frame, then exit
    std::lock_guard lock(state_mutex);
    capture_done = true;
  }

  // ---- workers ----
  void worker_loop(std::stop_token thread_stop, int index) {
    std::stop_callback forward(thread_stop, [this] { run_stop.request_stop(); });
    std::stop_token stop = run_stop.get_token();
    std::unique_ptr<FaceEngine> engine;
    std::unique_ptr<GenderAgeEstimator> estimator;
    try {
      EngineOptions eo = options.engine;
      eo.threads = 1;
      eo.detector.live_video = true;    // BlazeFace: the short-range model
      engine = FaceEngine::create(eo);  // on this thread: engines are not shareable
    } catch (const std::exception& e) {
      fail("worker " + std::to_string(index), e.what());
    }
    if (engine && options.estimate_gender_age) {
      try {
        estimator = GenderAgeEstimator::load();  // one per worker, like the engine
      } catch (const std::exception& e) {
        spdlog::warn("worker {}: no gender/age estimates: {}", index, e.what());
      }
    }
    {
      std::lock_guard lock(state_mutex);
      ++workers_ready;
    }
    workers_ready_cv.notify_all();
    if (engine) {
      try {
        while (auto frame = mailbox.take_wait(stop, /*drain_on_close=*/true)) {
          process(*engine, estimator.get(), std::move(*frame), stop);
        }
      } catch (const std::exception& e) {
        fail("worker " + std::to_string(index), e.what());
      } catch (...) {
        fail("worker " + std::to_string(index), "unknown exception");
      }
    }
    engine.reset();
    std::lock_guard lock(state_mutex);
    if (--workers_running == 0) {
      finished = true;
      if (status == SourceStatus::running || status == SourceStatus::starting)
        set_status_locked(SourceStatus::ended, "stopped");
      publish_locked();
    }
  }

  // ---- one frame through the stages ----
  // process() runs plan -> find -> associate -> (claim a slot) -> embed -> match. Detection,
  // landmarks, the network and the gallery query run without a lock; each stage takes
  // state_mutex only for the tracker and metrics it reads or writes.

  struct Settings {  // one consistent copy per frame
    std::shared_ptr<const IdentityMatcher> matcher;
    SearchOptions search;
    GenderFilter gender_filter = GenderFilter::any;
  };

  struct Found {  // what the detector stage saw in one frame
    std::vector<FaceObservation> faces;
    std::vector<cv::Mat> chips;  // aligned, one per face
    double detect_ms = 0, landmarks_ms = 0;
  };

  struct Pending {  // a face the tracker wants (re-)embedded
    std::uint64_t track = 0;
    cv::Mat chip;
    float quality = 0;
    cv::Mat thumbnail;
    cv::Rect box;  // in the frame, with its landmarks: the gender/age crop
    Landmarks landmarks{};
  };

  struct Claimed {  // the embedding work one frame claimed
    std::vector<Pending> pending;
    Clock::time_point seen_at{};
    cv::Mat image;  // the frame (shared pixels)
  };

  Settings settings_now() const {
    std::lock_guard lock(settings_mutex);
    return {gallery, search, gender_filter};
  }

  // Plan: full-frame detection or crops around the known tracks (state_mutex).
  detail::FindRequest plan() {
    detail::FindRequest request;
    request.detect_max_side = options.adaptive.detect_max_side;
    std::lock_guard lock(state_mutex);
    request.scale_percent = options.adaptive.enabled ? scale_percent : 100;
    for (const auto& t : tracker.tracks()) request.track_boxes.push_back(t.box);
    const int interval =
        options.adaptive.enabled ? std::max(1, options.adaptive.full_detect_interval) : 1;
    request.full_frame = request.track_boxes.empty() || frames_since_full + 1 >= interval;
    frames_since_full = request.full_frame ? 0 : frames_since_full + 1;
    return request;
  }

  // Detect, landmarks, align, quality (no lock: the engine is this worker's own).
  static Found find(FaceEngine& engine, const cv::Mat& image, const detail::FindRequest& request) {
    Found out;
    const auto t_detect = Clock::now();
    const std::vector<Detection> found = detail::find_faces(engine, image, request);
    out.detect_ms = ms_since(t_detect);
    const auto t_landmarks = Clock::now();
    out.faces.reserve(found.size());
    for (const Detection& d : found) {
      FaceObservation face;
      face.box = d.box;
      face.score = d.score;
      const Landmarks lm = engine.landmarks(image, d);  // BlazeFace: its refits
      if (std::any_of(out.faces.begin(), out.faces.end(), [&](const FaceObservation& kept) {
            return same_face(*kept.landmarks, lm);  // one face found twice: the better stays
          }))
        continue;
      face.landmarks = lm;
      cv::Mat chip = align_face(image, lm);
      face.quality = face_quality(chip, lm);
      // From the aligned chip: pose-normalized, so box jitter does not look like a change.
      face.thumbnail = face_thumbnail(chip, cv::Rect(0, 0, chip.cols, chip.rows));
      out.chips.push_back(std::move(chip));
      out.faces.push_back(std::move(face));
    }
    out.landmarks_ms = ms_since(t_landmarks);
    return out;
  }

  // Associate: update the tracks, claim the faces to embed, publish the boxes right away
  // (state_mutex). nullopt when the frame is stale (a newer one was tracked meanwhile).
  std::optional<Claimed> associate(Frame frame, Found& found, bool has_gallery,
                                   Clock::time_point t_start) {
    Claimed claimed;
    std::lock_guard lock(state_mutex);
    ++processed;
    processed_rate.tick(Clock::now());
    detect_ms.add(found.detect_ms);
    landmarks_ms.add(found.landmarks_ms);
    if (!tracker.update(frame.seq, frame.captured_at, found.faces)) {
      ++stale;  // never go backwards
      return std::nullopt;
    }
    if (has_gallery) {
      const auto& ids = tracker.assignment();
      for (std::size_t i = 0; i < found.faces.size(); ++i)
        if (tracker.claim_embedding(ids[i], found.faces[i]))
          claimed.pending.push_back({ids[i], found.chips[i], found.faces[i].quality,
                                     found.faces[i].thumbnail, found.faces[i].box,
                                     found.faces[i].landmarks.value_or(Landmarks{})});
    }
    claimed.seen_at = frame.captured_at;
    claimed.image = frame.image;
    current = std::move(frame);
    total_ms.add(ms_since(current.captured_at));
    if (status == SourceStatus::starting) set_status_locked(SourceStatus::running, "running");
    if (claimed.pending.empty()) adapt_locked(ms_since(t_start));
    publish_locked();
    return claimed;
  }

  // Keep at least one worker free for detection (boxes keep moving while a face is being
  // recognised): with N >= 2 workers at most N - 1 embed at once. A claim that cannot be
  // served now is handed back and claimed again on a later frame (state_mutex).
  bool enter_embedding(const Claimed& claimed, Clock::time_point t_start) {
    std::lock_guard lock(state_mutex);
    if (embedding_workers >= std::max(1, worker_count - 1)) {
      for (const Pending& p : claimed.pending) tracker.release_claim(p.track);
      adapt_locked(ms_since(t_start));
      return false;
    }
    ++embedding_workers;
    return true;
  }

  struct EmbeddingSlot {  // releases enter_embedding()'s slot on every path
    Impl* self;
    ~EmbeddingSlot() {
      std::lock_guard lock(self->state_mutex);
      --self->embedding_workers;
    }
  };

  // Embed the claimed chips (and estimate gender and age when this worker has an estimator)
  // and fold them into their tracks. One chip per forward pass: stop is checked between faces,
  // so shutdown waits for at most one network pass (a CPU batch is not cheaper per chip than
  // single passes). nullopt when stopped.
  std::optional<std::vector<Tracker::EmbeddingUpdate>> embed(FaceEngine& engine,
                                                             GenderAgeEstimator* estimator,
                                                             const Claimed& claimed,
                                                             const std::stop_token& stop) {
    const auto t_embed = Clock::now();
    std::vector<Embedding> embeddings;
    std::vector<GenderAgeEstimate> estimates(claimed.pending.size());
    for (const Pending& p : claimed.pending) {
      if (stop.stop_requested()) return std::nullopt;
      std::vector<Embedding> one = engine.embed(std::span<const cv::Mat>(&p.chip, 1));
      if (one.empty()) break;
      if (estimator)
        estimates[embeddings.size()] = estimator->estimate(claimed.image, p.box, p.landmarks);
      embeddings.push_back(one.front());
    }
    const double per_face = ms_since(t_embed) / static_cast<double>(claimed.pending.size());
    std::vector<Tracker::EmbeddingUpdate> updates;
    std::lock_guard lock(state_mutex);
    embed_ms.add(per_face);
    const auto& pending = claimed.pending;
    for (std::size_t i = 0; i < pending.size() && i < embeddings.size(); ++i)
      if (auto u = tracker.add_embedding(pending[i].track, embeddings[i], pending[i].quality,
                                         pending[i].thumbnail, claimed.seen_at, estimates[i]))
        updates.push_back(*u);
    return updates;
  }

  // Query the gallery (no lock: it is immutable), apply the matches with hysteresis and
  // publish (state_mutex).
  void match(const Settings& settings, const std::vector<Tracker::EmbeddingUpdate>& updates,
             Clock::time_point t_start) {
    const auto t_search = Clock::now();
    std::vector<std::vector<IdentityMatch>> results;
    results.reserve(updates.size());
    for (const auto& u : updates)
      results.push_back(match_gender(*settings.matcher, u.mean, settings.search,
                                     wanted_gender(settings.gender_filter, u.gender_age.gender)));
    const double search_time = ms_since(t_search);
    std::lock_guard lock(state_mutex);
    search_ms.add(search_time);
    {
      // The gallery or the filter may have changed meanwhile: such results are dropped.
      std::lock_guard settings_lock(settings_mutex);
      if (gallery != settings.matcher || gender_filter != settings.gender_filter) return;
    }
    const auto now = Clock::now();
    for (std::size_t i = 0; i < updates.size(); ++i)
      tracker.apply_matches(updates[i].id, std::move(results[i]), now);
    adapt_locked(ms_since(t_start));
    publish_locked();
  }

  void process(FaceEngine& engine, GenderAgeEstimator* estimator, Frame frame,
               const std::stop_token& stop) {
    const auto t_start = Clock::now();
    const Settings settings = settings_now();
    const detail::FindRequest request = plan();
    Found found = find(engine, frame.image, request);
    if (stop.stop_requested()) return;
    const std::optional<Claimed> claimed =
        associate(std::move(frame), found, settings.matcher != nullptr, t_start);
    if (!claimed || claimed->pending.empty() || stop.stop_requested()) return;
    if (!enter_embedding(*claimed, t_start)) return;
    const EmbeddingSlot slot{this};
    const auto updates = embed(engine, estimator, *claimed, stop);
    if (!updates) return;
    match(settings, *updates, t_start);
  }

  // Adaptive speed (caller holds state_mutex): compare the workers' busy time per frame with
  // the source's frame budget and step the detector size / re-embed interval.
  void adapt_locked(double busy) {
    busy_ms.add(busy);
    if (!options.adaptive.enabled || ++frames_since_adapt < kAdaptEveryFrames) return;
    frames_since_adapt = 0;
    // `info` is written once in start() before any thread exists (the source's own info may
    // change on reconnect, on the capture thread).
    const double fps = info->fps;
    const bool paced = options.source.playback == PlaybackMode::realtime ||
                       info->kind == SourceKind::camera || info->kind == SourceKind::stream;
    if (!(fps > 0) || !paced) return;
    const double budget = worker_count * 1000.0 / fps;
    const double load = busy_ms.value() / budget;
    const int max_reembed = base_reembed * kMaxReembedFactor;
    if (load > options.adaptive.degrade_load) {
      if (scale_percent > options.adaptive.min_scale_percent)
        scale_percent =
            std::max(options.adaptive.min_scale_percent, scale_percent - kScaleStepPercent);
      if (tracker.reembed_interval() < max_reembed)
        tracker.set_reembed_interval(
            std::min(max_reembed, tracker.reembed_interval() + kReembedStep));
      spdlog::debug("behind (load {:.2f}): detector {} %, re-embed every {} frames", load,
                    scale_percent, tracker.reembed_interval());
    } else if (load < options.adaptive.recover_load) {
      scale_percent = std::min(100, scale_percent + kScaleStepPercent);
      tracker.set_reembed_interval(
          std::max(base_reembed, tracker.reembed_interval() - kReembedStep));
    }
  }
};

Pipeline::Pipeline(PipelineOptions options, std::shared_ptr<const IdentityMatcher> gallery)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->check_gallery(gallery.get());
  impl_->gallery = std::move(gallery);
}

Pipeline::~Pipeline() {
  stop();
}

void Pipeline::start() {
  std::lock_guard life(impl_->lifecycle_mutex);
  if (impl_->started) throw std::logic_error("Pipeline::start() called twice");
  SourceOptions so = impl_->options.source;
  so.mirror = impl_->options.source.mirror;
  impl_->source = impl_->options.source_factory ? impl_->options.source_factory(so)
                                                : open_source(so);  // throws: nothing started
  if (!impl_->source) throw SourceError("source factory returned nothing for " + so.spec);
  impl_->started = true;
  impl_->info = impl_->source->info();
  // Here, not on the UI thread in a later set_gallery(): the weights load once (the workers'
  // engines share the cached copy).
  impl_->engine_model_info();
  {
    std::lock_guard lock(impl_->state_mutex);
    impl_->workers_running = impl_->worker_count;
  }
  spdlog::info("pipeline: {} with {} workers", impl_->source->info().description,
               impl_->worker_count);
  for (int i = 0; i < impl_->worker_count; ++i)
    impl_->workers.emplace_back([this, i](std::stop_token st) { impl_->worker_loop(st, i); });
  impl_->capture_thread = std::jthread([this](std::stop_token st) { impl_->capture_loop(st); });
}

void Pipeline::stop() {
  if (impl_->options.on_stop && !impl_->stop_hook_ran.exchange(true)) impl_->options.on_stop();
  std::lock_guard life(impl_->lifecycle_mutex);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  // 1. stop capture, 2. close the mailbox, 3. stop the workers, 4. join, 5. release the source.
  impl_->capture_thread.request_stop();
  impl_->mailbox.close();
  for (auto& w : impl_->workers) w.request_stop();
  if (impl_->capture_thread.joinable()) impl_->capture_thread.join();
  for (auto& w : impl_->workers)
    if (w.joinable()) w.join();
  impl_->workers.clear();
  impl_->source.reset();
  impl_->finished = true;
  {
    std::lock_guard lock(impl_->publish_mutex);  // no lost wake-up for wait_next()
  }
  impl_->publish_cv.notify_all();
}

SnapshotPtr Pipeline::latest() const {
  std::lock_guard lock(impl_->publish_mutex);
  return impl_->published;
}

SnapshotPtr Pipeline::wait_next(const SnapshotPtr& last, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->publish_mutex);
  impl_->publish_cv.wait_for(lock, timeout,
                             [&] { return impl_->published != last || impl_->finished.load(); });
  return impl_->published != last ? impl_->published : nullptr;
}

bool Pipeline::finished() const {
  return impl_->finished.load();
}

void Pipeline::set_search_options(const SearchOptions& options) {
  std::lock_guard lock(impl_->settings_mutex);
  impl_->search = options;
}
SearchOptions Pipeline::search_options() const {
  std::lock_guard lock(impl_->settings_mutex);
  return impl_->search;
}
void Pipeline::set_gallery(std::shared_ptr<const IdentityMatcher> gallery) {
  impl_->check_gallery(gallery.get());  // throws before anything changed
  {
    std::lock_guard lock(impl_->settings_mutex);
    impl_->gallery = std::move(gallery);
  }
  std::lock_guard lock(impl_->state_mutex);
  impl_->tracker.clear_matches();
  if (impl_->started) impl_->publish_locked();
}
void Pipeline::set_gender_filter(GenderFilter filter) {
  {
    std::lock_guard lock(impl_->settings_mutex);
    if (impl_->gender_filter == filter) return;
    impl_->gender_filter = filter;
  }
  std::lock_guard lock(impl_->state_mutex);
  impl_->tracker.clear_matches();
  if (impl_->started) impl_->publish_locked();
}
GenderFilter Pipeline::gender_filter() const {
  std::lock_guard lock(impl_->settings_mutex);
  return impl_->gender_filter;
}
std::shared_ptr<const IdentityMatcher> Pipeline::gallery() const {
  std::lock_guard lock(impl_->settings_mutex);
  return impl_->gallery;
}
void Pipeline::set_mirror(bool mirror) {
  impl_->mirror = mirror;
}
void Pipeline::set_paused(bool paused) {
  impl_->paused = paused;
}
bool Pipeline::paused() const {
  return impl_->paused;
}
const PipelineOptions& Pipeline::options() const {
  return impl_->options;
}
std::optional<SourceInfo> Pipeline::source_info() const {
  std::lock_guard life(impl_->lifecycle_mutex);
  return impl_->info;
}

}  // namespace lookalike

// The whole live pipeline on videos written from the shared photos, with the real engine and
// a real Gallery built from other photos of the same people. Counts, not wall-clock time
// (except the documented bound on stop()). Every wait has a deadline: a pipeline that never
// publishes what a test waits for fails it instead of hanging it.
#include <gtest/gtest.h>
#include <spdlog/cfg/env.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>

#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/gallery_file.hpp"
#include "lookalike/pipeline/pipeline.hpp"
#include "test_support.hpp"
#include "video_fixture.hpp"

namespace lookalike {
namespace {
namespace fs = std::filesystem;

// TSan runs the same tests on less data (instrumented HOG and landmarks are ~10x slower).
#ifdef LOOKALIKE_TSAN
constexpr int kGalleryIdentities = 4;
constexpr int kVideoIdentities = 2;
constexpr int kGalleryPhotos = 3;
#else
constexpr int kGalleryIdentities = 10;
constexpr int kVideoIdentities = 10;
constexpr int kGalleryPhotos = 4;
#endif
// Issue 4: after the first second of a segment the top-1 is right in >= 95 % of snapshots.
constexpr double kSettleSeconds = 1.0;
constexpr double kMinCorrectFraction = 0.95;

const std::vector<std::string> kLfw10 = {
    "Colin_Powell",    "Tony_Blair",           "George_W_Bush",     "Vladimir_Putin",
    "Hugo_Chavez",     "Ariel_Sharon",         "Gerhard_Schroeder", "Jacques_Chirac",
    "Donald_Rumsfeld", "Arnold_Schwarzenegger"};

using namespace std::chrono_literals;

// A one-shot event set from a pipeline thread and waited for with a deadline.
class Event {
 public:
  void set() {
    if (!set_.exchange(true)) promise_.set_value();
  }
  bool wait_for(std::chrono::milliseconds timeout) const {
    return future_.wait_for(timeout) == std::future_status::ready;
  }

 private:
  std::atomic<bool> set_{false};
  std::promise<void> promise_;
  std::shared_future<void> future_ = promise_.get_future().share();
};

// How long the tests wait for the first names (TSan is ~10x slower).
constexpr auto kNamedWithin = 180s;

// Collects every published snapshot (the tests' consumer).
struct Recorder {
  std::mutex mutex;
  std::vector<SnapshotPtr> all;
  void operator()(const SnapshotPtr& s) {
    std::lock_guard lock(mutex);
    all.push_back(s);
  }
  std::vector<SnapshotPtr> take() {
    std::lock_guard lock(mutex);
    return all;
  }
};

// Embeds the primary face of each photo (HOG, thorough when it finds none) into `data` as
// photos of identity `identity`.
void add_gallery_photos(GalleryData& data, FaceEngine& engine, std::uint32_t identity,
                        const std::vector<fs::path>& photos) {
  for (const fs::path& p : photos) {
    const cv::Mat img = cv::imread(p.string());
    auto faces = engine.analyze(img);
    if (faces.empty()) {
      AnalyzeOptions thorough;
      thorough.thorough = true;
      faces = engine.analyze(img, thorough);
    }
    const int k = pick_primary_face(faces, img.size());
    if (k < 0) continue;
    PhotoEntry e;
    e.identity = identity;
    e.source = p.string();
    e.embedding = faces[static_cast<std::size_t>(k)].embedding;
    e.quality = faces[static_cast<std::size_t>(k)].quality;
    data.photos.push_back(std::move(e));
  }
}

class LivePipelineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug shows tracker decisions
    if (!test::shared_dir()) return;
    lfw_ = new fs::path(test::shared_data("faces/lfw10"));
    auto engine = FaceEngine::create();
    GalleryData data;
    data.model = engine->model();
    for (int i = 0; i < kGalleryIdentities; ++i) {
      const std::string& name = kLfw10[static_cast<std::size_t>(i)];
      data.identities.push_back({name, {}, Gender::unknown, 0, {}});
      add_gallery_photos(data, *engine, static_cast<std::uint32_t>(i),
                         test::lfw_photos(*lfw_, name, 1, kGalleryPhotos));
    }
    gallery_ = new std::shared_ptr<const Gallery>(Gallery::from_data(data));
  }
  static void TearDownTestSuite() {
    delete gallery_;
    delete lfw_;
    gallery_ = nullptr;
    lfw_ = nullptr;
  }
  void SetUp() override { LOOKALIKE_REQUIRE_SHARED(); }

  // A started pipeline on four lfw10 faces in a 640x640 grid video that loops (it never ends
  // by itself), busy by the time this returns: a face has been named. `o` gets its options.
  std::unique_ptr<Pipeline> start_busy_four_faces(const std::string& file, PipelineOptions& o) {
    std::vector<fs::path> faces;
    for (int i = 0; i < 4; ++i)
      faces.push_back(test::lfw_photos(*lfw_, kLfw10[static_cast<std::size_t>(i)], 9, 9)[0]);
    test::VideoSpec spec;
    spec.size = {640, 640};
    const auto video = test::write_grid_video(dir_ / file, faces, 1.0, spec);
    o = options_for(video.path, PlaybackMode::as_fast_as_possible);
    o.source.loop = true;
    auto named = std::make_shared<Event>();
    o.on_publish = [named](const SnapshotPtr& s) {
      for (const TrackView& t : s->tracks)
        if (t.named()) named->set();
    };
    auto pipeline = std::make_unique<Pipeline>(o, *gallery_);
    pipeline->start();
    EXPECT_TRUE(named->wait_for(kNamedWithin)) << "no face was named";
    return pipeline;
  }

  static PipelineOptions options_for(const fs::path& video, PlaybackMode mode) {
    PipelineOptions o;
    o.source.spec = video.string();
    o.source.playback = mode;
    o.workers = 2;
    return o;
  }

  // Runs the pipeline to the end of the file and returns every published snapshot.
  static std::vector<SnapshotPtr> run_to_end(PipelineOptions o,
                                             std::shared_ptr<const IdentityMatcher> gallery) {
    auto recorder = std::make_shared<Recorder>();
    o.on_publish = [recorder](const SnapshotPtr& s) { (*recorder)(s); };
    Pipeline pipeline(std::move(o), std::move(gallery));
    pipeline.start();
    SnapshotPtr last = pipeline.latest();
    while (!pipeline.finished()) {
      if (auto s = pipeline.wait_next(last)) last = s;
    }
    pipeline.stop();
    return recorder->take();
  }

  static void expect_ordered(const std::vector<SnapshotPtr>& snaps) {
    for (std::size_t i = 1; i < snaps.size(); ++i) {
      ASSERT_GT(snaps[i]->version, snaps[i - 1]->version);
      ASSERT_GE(snaps[i]->seq, snaps[i - 1]->seq) << "published seq went backwards at " << i;
    }
  }

  static inline fs::path* lfw_ = nullptr;
  static inline std::shared_ptr<const Gallery>* gallery_ = nullptr;
  test::TempDir dir_;
};

// The person the segment is about: the test videos centre each photo, so the face nearest
// the frame centre (not the largest box: a half-visible background face at the photo's border
// can get a large box while it coasts out of view).
const TrackView* main_track(const Snapshot& s) {
  const cv::Point2f centre(test::VideoSpec{}.size.width / 2.f, test::VideoSpec{}.size.height / 2.f);
  auto off_centre = [&](const TrackView& t) {
    const cv::Point2f c(t.box.x + t.box.width / 2, t.box.y + t.box.height / 2);
    return std::hypot(c.x - centre.x, c.y - centre.y);
  };
  const TrackView* best = nullptr;
  for (const TrackView& t : s.tracks)
    if (!best || off_centre(t) < off_centre(*best)) best = &t;
  return best;
}

TEST_F(LivePipelineTest, EachSegmentShowsItsIdentityWithAStableTrack) {
  std::vector<test::IdentitySegment> segments;
  for (int i = 0; i < kVideoIdentities; ++i) {
    const std::string& name = kLfw10[static_cast<std::size_t>(i)];
    segments.push_back({name, test::lfw_photos(*lfw_, name, 6, 8)});  // not in the gallery
  }
  const auto video = test::write_segment_video(dir_ / "segments.avi", segments);
  const auto snaps =
      run_to_end(options_for(video.path, PlaybackMode::as_fast_as_possible), *gallery_);
  ASSERT_FALSE(snaps.empty());
  expect_ordered(snaps);

  const int settle = static_cast<int>(kSettleSeconds * video.fps);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const auto from = static_cast<std::uint64_t>(video.segment_start[s] + settle);
    const auto to = static_cast<std::uint64_t>(video.segment_start[s + 1]);
    int total = 0, correct = 0;
    std::set<std::uint64_t> ids;
    std::map<std::string, int> seen;
    for (const SnapshotPtr& snap : snaps) {
      if (snap->seq < from || snap->seq >= to) continue;
      ++total;
      const TrackView* t = main_track(*snap);
      if (!t) {
        ++seen["<no face>"];
        continue;
      }
      ids.insert(t->id);
      const std::string name = t->named() ? t->matches.front().name : "<unnamed>";
      ++seen[name];
      if (name == segments[s].identity) ++correct;
    }
    std::string histogram;
    for (const auto& [n, c] : seen) histogram += n + ":" + std::to_string(c) + " ";
    ASSERT_GT(total, 0) << segments[s].identity;
    EXPECT_GE(correct, kMinCorrectFraction * total)
        << segments[s].identity << ": " << correct << "/" << total << " — " << histogram;
    EXPECT_EQ(ids.size(), 1u) << segments[s].identity << ": track id changed within the segment";
  }

  const Snapshot& final_snap = *snaps.back();
  EXPECT_EQ(final_snap.status, SourceStatus::ended);
  EXPECT_EQ(final_snap.metrics.captured, static_cast<std::uint64_t>(video.frames));
  EXPECT_EQ(final_snap.metrics.dropped, 0u) << "as fast as possible never drops";
  EXPECT_EQ(final_snap.metrics.processed, final_snap.metrics.captured);
  EXPECT_EQ(final_snap.seq, static_cast<std::uint64_t>(video.frames - 1));
  EXPECT_GE(final_snap.metrics.face_to_name_ms.size(), segments.size());
  EXPECT_GT(final_snap.metrics.latency.detect_ms, 0.0);
  EXPECT_GT(final_snap.metrics.latency.embed_ms, 0.0);
}

TEST_F(LivePipelineTest, RealtimeFileIsDisplayedToItsLastFrame) {
  const auto video = test::write_segment_video(
      dir_ / "realtime.avi", {{kLfw10[1], test::lfw_photos(*lfw_, kLfw10[1], 6, 6)}});
  const auto snaps = run_to_end(options_for(video.path, PlaybackMode::realtime), *gallery_);
  ASSERT_FALSE(snaps.empty());
  expect_ordered(snaps);
  const PipelineMetrics& m = snaps.back()->metrics;
  EXPECT_EQ(m.captured, static_cast<std::uint64_t>(video.frames))
      << "every file frame was captured";
  EXPECT_EQ(m.processed + m.dropped, m.captured) << "each frame is processed or counted dropped";
  EXPECT_EQ(snaps.back()->seq, static_cast<std::uint64_t>(video.frames - 1))
      << "the last frame of the file is what is displayed at the end";
  EXPECT_EQ(snaps.back()->status, SourceStatus::ended);
  const TrackView* t = main_track(*snaps.back());
  ASSERT_NE(t, nullptr);
  ASSERT_TRUE(t->named());
  EXPECT_EQ(t->matches.front().name, kLfw10[1]);
}

TEST_F(LivePipelineTest, StopWhileBusyFinishesAndIsIdempotent) {
  PipelineOptions o;
  const auto busy = start_busy_four_faces("grid.avi", o);
  Pipeline& pipeline = *busy;
  pipeline.stop();  // workers are busy embedding the four faces now
  EXPECT_TRUE(pipeline.finished());
  pipeline.stop();  // idempotent
  const SnapshotPtr last = pipeline.latest();
  ASSERT_TRUE(last);
  EXPECT_GE(last->tracks.size(), 1u);
  EXPECT_EQ(pipeline.wait_next(last, std::chrono::milliseconds(0)), nullptr)
      << "nothing is published after stop()";
}

// pipeline.hpp: "stop() ... finishes well under a second even while workers are busy (a
// worker finishes at most the frame it holds)". On a looping source that never ends, stop()
// returns after the in-flight frames, not after the video; the time is printed, and measured
// by pipeline_bench.
TEST_F(LivePipelineTest, BusyStopReturnsAfterTheInFlightFrames) {
  PipelineOptions o;
  const auto busy = start_busy_four_faces("busy.avi", o);
  Pipeline& pipeline = *busy;
  const std::uint64_t processed_before = pipeline.latest()->metrics.processed;
  const auto t0 = std::chrono::steady_clock::now();
  pipeline.stop();
  const auto took = std::chrono::steady_clock::now() - t0;
  const std::uint64_t processed_after = pipeline.latest()->metrics.processed;
  std::cout << "busy stop(): " << std::chrono::duration<double, std::milli>(took).count() << " ms, "
            << processed_after - processed_before << " frame(s) finished after the request\n";
  // No timing assertion (speed is the pipeline bench's "shutdown while busy" row): the contract
  // is in frames. Each worker finishes at most the frame it holds; allow one more taken just
  // before.
  EXPECT_LE(processed_after - processed_before, static_cast<std::uint64_t>(2 * o.workers))
      << "frames kept being processed after stop() was requested";
  EXPECT_TRUE(pipeline.finished());
}

// Finding 1 of issue 13: a gallery of another model is refused, not silently used.
TEST_F(LivePipelineTest, GalleryOfAnotherModelIsRefusedWithTheFix) {
  GalleryData other_weights = (*gallery_)->to_data();
  other_weights.model.weights_sha256 = std::string(64, 'e');
  GalleryData other_network = (*gallery_)->to_data();
  other_network.model.id = "some-other-network";  // same weights hash, other network id
  PipelineOptions o;
  o.source.spec = (dir_ / "unused.avi").string();
  for (const GalleryData* data : {&other_weights, &other_network}) {
    const auto bad = Gallery::from_data(*data);
    try {
      Pipeline refused(o, bad);
      ADD_FAILURE() << "constructor accepted gallery of model " << data->model.id;
    } catch (const GalleryError& e) {
      EXPECT_EQ(e.kind(), GalleryError::Kind::wrong_model);
      EXPECT_NE(std::string(e.what()).find("rebuild the gallery"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("gallery fetch"), std::string::npos) << e.what();
    }
    Pipeline pipeline(o, *gallery_);
    try {
      pipeline.set_gallery(bad);
      ADD_FAILURE() << "set_gallery accepted gallery of model " << data->model.id;
    } catch (const GalleryError& e) {
      EXPECT_EQ(e.kind(), GalleryError::Kind::wrong_model);
      EXPECT_NE(std::string(e.what()).find("rebuild the gallery"), std::string::npos) << e.what();
    }
    EXPECT_EQ(pipeline.gallery(), *gallery_) << "the refused gallery replaced the good one";
  }
  Pipeline fine(o, nullptr);
  EXPECT_NO_THROW(fine.set_gallery(*gallery_)) << "the engine's own gallery";
}

TEST_F(LivePipelineTest, PanAcrossAGroupPhotoKeepsTrackIds) {
  const fs::path photo = test::shared_data("faces/bbt/_group/bbt1.jpg");
  auto engine = FaceEngine::create();
  AnalyzeOptions ao;
  ao.embed = false;
  const std::size_t faces_in_photo = engine->analyze(cv::imread(photo.string()), ao).size();
  ASSERT_GE(faces_in_photo, 3u);
  test::VideoSpec spec;
  spec.size = {640, 480};
  const auto video = test::write_pan_video(dir_ / "pan.avi", photo, 3.0, 0.7, spec);
  const auto snaps =
      run_to_end(options_for(video.path, PlaybackMode::as_fast_as_possible), nullptr);
  expect_ordered(snaps);
  std::set<std::uint64_t> ids;
  std::size_t most = 0;
  for (const auto& s : snaps) {
    most = std::max(most, s->tracks.size());
    for (const auto& t : s->tracks) {
      ids.insert(t.id);
      EXPECT_FALSE(t.named()) << "no gallery: detection and tracking only";
    }
  }
  EXPECT_GE(most, 3u) << "several faces tracked at once";
  // Each face of the photo keeps one id while it slides across (a couple of spares for a
  // face re-found at the window's edge).
  EXPECT_LE(ids.size(), faces_in_photo + 2) << "track ids churned while panning";
}

TEST_F(LivePipelineTest, MissingModelBecomesAFailedStatusNotACrash) {
  const auto video = test::write_segment_video(
      dir_ / "short.avi", {{kLfw10[0], test::lfw_photos(*lfw_, kLfw10[0], 6, 6)}});
  PipelineOptions o = options_for(video.path, PlaybackMode::as_fast_as_possible);
  o.engine.models.recognition_weights = dir_ / "missing_weights.lkw";
  const auto snaps = run_to_end(o, *gallery_);
  ASSERT_FALSE(snaps.empty());
  EXPECT_EQ(snaps.back()->status, SourceStatus::failed);
  EXPECT_NE(snaps.back()->status_message.find("missing_weights.lkw"), std::string::npos)
      << snaps.back()->status_message;
}

TEST_F(LivePipelineTest, MissingSourceThrowsFromStart) {
  PipelineOptions o;
  o.source.spec = (dir_ / "absent.avi").string();
  Pipeline pipeline(o, nullptr);
  EXPECT_THROW(pipeline.start(), SourceError);
  pipeline.stop();  // harmless
  EXPECT_EQ(pipeline.latest()->status, SourceStatus::starting);
}

// A real video source that reports the device lost once after `lose_after` frames, like a
// camera unplugged and plugged back in (scripted source, STYLE.md practice 15).
class FlakySource final : public FrameSource {
 public:
  FlakySource(std::unique_ptr<FrameSource> inner, std::uint64_t lose_after)
      : inner_(std::move(inner)), lose_after_(lose_after) {}
  ReadResult read(std::stop_token stop) override {
    if (delivered_ == lose_after_ && !lost_once_) {
      lost_once_ = true;
      return {ReadStatus::lost, {}};
    }
    ReadResult r = inner_->read(stop);
    if (r.status == ReadStatus::frame) ++delivered_;
    return r;
  }
  bool reconnect(std::stop_token stop) override {
    ++reconnects;
    return !stop.stop_requested();
  }
  const SourceInfo& info() const override { return inner_->info(); }
  std::atomic<int> reconnects{0};

 private:
  std::unique_ptr<FrameSource> inner_;
  std::uint64_t lose_after_;
  std::uint64_t delivered_ = 0;
  bool lost_once_ = false;
};

TEST_F(LivePipelineTest, LostCameraReportsReconnectingAndComesBack) {
  test::VideoSpec spec;
  spec.segment_seconds = 1.0;
  const auto video = test::write_segment_video(
      dir_ / "flaky.avi", {{kLfw10[3], test::lfw_photos(*lfw_, kLfw10[3], 6, 6)}}, spec);
  PipelineOptions o = options_for(video.path, PlaybackMode::as_fast_as_possible);
  FlakySource* flaky = nullptr;
  o.source_factory = [&](const SourceOptions& so) {
    auto s = std::make_unique<FlakySource>(open_source(so), 10);
    flaky = s.get();
    return s;
  };
  const auto snaps = run_to_end(o, *gallery_);
  expect_ordered(snaps);
  ASSERT_NE(flaky, nullptr);
  std::vector<SourceStatus> statuses;
  for (const auto& s : snaps)
    if (statuses.empty() || statuses.back() != s->status) statuses.push_back(s->status);
  const auto reconnecting = std::find(statuses.begin(), statuses.end(), SourceStatus::reconnecting);
  ASSERT_NE(reconnecting, statuses.end()) << "the loss was published";
  EXPECT_NE(std::find(reconnecting, statuses.end(), SourceStatus::running), statuses.end())
      << "and the source came back";
  EXPECT_EQ(snaps.back()->metrics.captured, static_cast<std::uint64_t>(video.frames));
  EXPECT_EQ(snaps.back()->seq, static_cast<std::uint64_t>(video.frames - 1));
}

TEST_F(LivePipelineTest, GallerySwappedAtRunTimeNamesTheTracks) {
  std::vector<fs::path> face = {test::lfw_photos(*lfw_, kLfw10[4], 7, 7)[0]};
  const auto video = test::write_grid_video(dir_ / "swap.avi", face, 1.0);
  PipelineOptions o = options_for(video.path, PlaybackMode::as_fast_as_possible);
  o.source.loop = true;
  Event tracked, named;
  std::atomic<int> named_before_swap{0};
  std::atomic<bool> swapped{false};
  o.on_publish = [&](const SnapshotPtr& s) {
    for (const TrackView& t : s->tracks) {
      tracked.set();
      if (t.named()) {
        if (!swapped) ++named_before_swap;
        named.set();
      }
    }
  };
  Pipeline pipeline(o, nullptr);
  pipeline.start();
  ASSERT_TRUE(tracked.wait_for(kNamedWithin)) << "no face was tracked";
  swapped = true;
  pipeline.set_gallery(*gallery_);
  EXPECT_EQ(pipeline.gallery(), *gallery_);
  ASSERT_TRUE(named.wait_for(kNamedWithin)) << "the swapped-in gallery named nobody";
  pipeline.stop();
  EXPECT_EQ(named_before_swap.load(), 0) << "no gallery, no names";
  const TrackView* t = main_track(*pipeline.latest());
  ASSERT_NE(t, nullptr);
  ASSERT_TRUE(t->named());
#ifndef LOOKALIKE_TSAN
  EXPECT_EQ(t->matches.front().name, kLfw10[4]);
#else
  // Under TSan (~10x slower) the pipeline degrades its detector input and the first name can
  // come from a coarser face box; identity accuracy is asserted in the release run.
  EXPECT_NE(std::find(std::begin(kLfw10), std::end(kLfw10), t->matches.front().name),
            std::end(kLfw10));
#endif
}

// The headless runner end to end: `lookalike-cli live --json` on a video and a gallery file.
TEST_F(LivePipelineTest, CliLiveJsonReportsSegmentsAndASummary) {
  const fs::path cli = test::build_dir() / "app" / "lookalike-cli";
  ASSERT_TRUE(fs::exists(cli)) << cli;
  const fs::path gallery_file = dir_ / "lfw.lkg";
  write_gallery(gallery_file, (*gallery_)->to_data());
  std::vector<test::IdentitySegment> segments;
  for (int i = 0; i < 2; ++i) {
    const std::string& name = kLfw10[static_cast<std::size_t>(i + 2)];
    segments.push_back({name, test::lfw_photos(*lfw_, name, 7, 8)});
  }
  const auto video = test::write_segment_video(dir_ / "cli.avi", segments);
  const auto run =
      test::run_command(cli.string() + " live --source " + video.path.string() + " --gallery " +
                        gallery_file.string() + " --as-fast-as-possible --workers 2 --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<nlohmann::json> lines;
  std::istringstream out(run.out);
  for (std::string line; std::getline(out, line);) {
    ASSERT_NO_THROW(lines.push_back(nlohmann::json::parse(line))) << line;
  }
  ASSERT_GE(lines.size(), 2u);
  const nlohmann::json& summary = lines.back().at("summary");
  EXPECT_EQ(summary.at("frames").get<int>(), video.frames);
  EXPECT_EQ(summary.at("processed").get<int>(), video.frames);
  EXPECT_EQ(summary.at("dropped").get<int>(), 0);
  EXPECT_GT(summary.at("fps").get<double>(), 0.0);
  EXPECT_TRUE(summary.at("face_to_name_ms_p50").is_number());
  EXPECT_TRUE(summary.at("face_to_name_ms_p95").is_number());

  const int settle = static_cast<int>(kSettleSeconds * video.fps);
  std::vector<int> total(segments.size()), correct(segments.size());
  std::uint64_t last_seq = 0;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    const nlohmann::json& j = lines[i];
    const auto seq = j.at("seq").get<std::uint64_t>();
    EXPECT_GE(seq, last_seq);
    last_seq = seq;
    ASSERT_TRUE(j.at("t_ms").is_number());
    ASSERT_TRUE(j.at("metrics").is_object());
    for (std::size_t s = 0; s < segments.size(); ++s) {
      if (seq < static_cast<std::uint64_t>(video.segment_start[s] + settle) ||
          seq >= static_cast<std::uint64_t>(video.segment_start[s + 1]))
        continue;
      ++total[s];
      for (const auto& t : j.at("tracks")) {
        ASSERT_EQ(t.at("box").size(), 4u);
        if (t.at("name").is_string() && t.at("name").get<std::string>() == segments[s].identity) {
          ++correct[s];
          EXPECT_FALSE(t.at("matches").empty());
          EXPECT_TRUE(t.at("similarity").is_number());
          break;
        }
      }
    }
  }
  for (std::size_t s = 0; s < segments.size(); ++s) {
    ASSERT_GT(total[s], 0);
    EXPECT_GE(correct[s], kMinCorrectFraction * total[s]) << segments[s].identity;
  }
}

// Finding 1 of issue 13: `live` loaded a gallery of other weights and printed wrong names.
TEST_F(LivePipelineTest, CliLiveRefusesAGalleryOfOtherWeights) {
  const fs::path cli = test::build_dir() / "app" / "lookalike-cli";
  GalleryData data = (*gallery_)->to_data();
  data.model.weights_sha256 = std::string(64, 'e');
  const fs::path bad = dir_ / "other-weights.lkg";
  write_gallery(bad, data);
  const auto video = test::write_segment_video(
      dir_ / "cli-bad.avi", {{kLfw10[0], test::lfw_photos(*lfw_, kLfw10[0], 6, 6)}});
  const auto run = test::run_command(cli.string() + " live --source " + video.path.string() +
                                     " --gallery " + bad.string() + " --json");
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("other-weights.lkg"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("rebuild the gallery"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty()) << "nothing was matched against it: " << run.out.substr(0, 200);
}

// Ctrl-C / SIGTERM on a looping source: the pipeline stops in order and the summary is still
// printed.
TEST_F(LivePipelineTest, CliLiveStopsInOrderOnASignalAndPrintsTheSummary) {
  const fs::path cli = test::build_dir() / "app" / "lookalike-cli";
  const auto video = test::write_segment_video(
      dir_ / "cli-int.avi", {{kLfw10[1], test::lfw_photos(*lfw_, kLfw10[1], 6, 6)}});
  const fs::path out = dir_ / "cli-int.jsonl";
  // SIGTERM once the first snapshot is out (the signal watcher is in place by then).
  const auto run = test::run_and_signal_when(
      cli.string() + " live --source " + video.path.string() + " --loop --json > " + out.string(),
      "[ -s " + out.string() + " ]");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("interrupt: stopping the pipeline"), std::string::npos) << run.err;
  const std::string text = test::read_file_text(out);
  const auto last_line = text.substr(text.rfind('\n', text.size() - 2) + 1);
  const auto summary = nlohmann::json::parse(last_line).at("summary");
  EXPECT_GT(summary.at("frames").get<int>(), 0);
}

TEST_F(LivePipelineTest, CliLiveRejectsAMissingSourceClearly) {
  const fs::path cli = test::build_dir() / "app" / "lookalike-cli";
  const auto run = test::run_command(cli.string() + " live --source " +
                                     (dir_ / "absent.avi").string() + " --json");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("absent.avi"), std::string::npos) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
}

// Issue 12: gender and age for live tracks, averaged over the track, and the gender filter on
// the live matches. A BBT gallery whose identities carry their gender as metadata; a video of
// other photos of BBT women and men.
TEST_F(LivePipelineTest, TracksCarryGenderAndAgeAndTheGenderFilterHolds) {
  const fs::path bbt = test::shared_data("faces/bbt");
  auto engine = FaceEngine::create();
  GalleryData data;
  data.model = engine->model();
  for (const std::string& name : test::bbt_cast()) {
    const auto identity = static_cast<std::uint32_t>(data.identities.size());
    data.identities.push_back({name, {}, test::known_gender(name), 0, {}});
    add_gallery_photos(data, *engine, identity,
                       {bbt / name / (name + "1.png"), bbt / name / (name + "2.png"),
                        bbt / name / (name + "3.png")});
  }
  const std::shared_ptr<const Gallery> gallery = Gallery::from_data(data);
#ifdef LOOKALIKE_TSAN
  const std::vector<std::string> people = {"penny", "sheldon"};
#else
  const std::vector<std::string> people = {"penny", "sheldon", "amy", "leonard"};
#endif
  std::vector<test::IdentitySegment> segments;
  for (const std::string& name : people)
    segments.push_back({name, {bbt / name / (name + "4.png"), bbt / name / (name + "5.png")}});
  test::VideoSpec spec;
  spec.photo_scale = 2.0;  // 150 px crops: faces of about 220 px
  const auto video = test::write_segment_video(dir_ / "bbt.avi", segments, spec);
  const int settle = static_cast<int>(kSettleSeconds * video.fps);

  // `same`: each person's track is estimated as their gender and shows only that gender.
  PipelineOptions o = options_for(video.path, PlaybackMode::as_fast_as_possible);
  o.estimate_gender_age = true;
  o.gender_filter = GenderFilter::same;
  const auto snaps = run_to_end(o, gallery);
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const Gender expected = test::known_gender(segments[s].identity);
    int total = 0, right_gender = 0, named = 0, matches_agree = 0;
    for (const SnapshotPtr& snap : snaps) {
      if (snap->seq < static_cast<std::uint64_t>(video.segment_start[s] + settle) ||
          snap->seq >= static_cast<std::uint64_t>(video.segment_start[s + 1]))
        continue;
      const TrackView* t = main_track(*snap);
      if (!t) continue;
      ++total;
      if (t->gender_age.gender == expected) ++right_gender;
      if (t->gender_age.known()) {
        EXPECT_GE(t->gender_age.gender_confidence, 0.5f);
        EXPECT_GT(t->gender_age.age, 0.f);
      }
      if (!t->named()) continue;
      ++named;
      const bool agree = std::all_of(t->matches.begin(), t->matches.end(), [&](const auto& m) {
        return gallery->identity_gender(m.identity) == t->gender_age.gender;
      });
      if (agree) ++matches_agree;
    }
    std::cout << segments[s].identity << ": estimated " << to_string(expected) << " in "
              << right_gender << "/" << total << " snapshots; matches of that gender in "
              << matches_agree << "/" << named << " named\n";
    ASSERT_GT(total, 0) << segments[s].identity;
    EXPECT_GE(right_gender, 0.9 * total)
        << segments[s].identity << ": estimated " << right_gender << "/" << total;
    ASSERT_GT(named, 0) << segments[s].identity;
    // Hysteresis may keep a shown name for a few updates after the estimate changed.
    EXPECT_GE(matches_agree, 0.95 * named) << segments[s].identity;
  }

  // The CLI: `live --gender female --gender-age --json` shows only the gallery's women, whoever is
  // in front of the camera, and every track carries its estimate.
  const fs::path cli = test::build_dir() / "app" / "lookalike-cli";
  ASSERT_TRUE(fs::exists(cli)) << cli;
  const fs::path gallery_file = dir_ / "bbt.lkg";
  write_gallery(gallery_file, gallery->to_data());
  const auto run =
      test::run_command(cli.string() + " live --source " + video.path.string() + " --gallery " +
                        gallery_file.string() +
                        " --as-fast-as-possible --workers 2 --gender female --gender-age --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::istringstream out(run.out);
  int matches_seen = 0, estimated_tracks = 0;
  for (std::string line; std::getline(out, line);) {
    const auto j = nlohmann::json::parse(line);
    if (!j.contains("tracks")) continue;
    for (const auto& t : j.at("tracks")) {
      ASSERT_TRUE(t.contains("gender") && t.contains("gender_confidence") && t.contains("age"))
          << t.dump();
      if (t.at("gender").get<std::string>() != "unknown") ++estimated_tracks;
      for (const auto& m : t.at("matches")) {
        ++matches_seen;
        EXPECT_EQ(test::known_gender(m.at("name").get<std::string>()), Gender::female) << t.dump();
      }
    }
  }
  std::cout << "live --gender female: " << matches_seen << " matches shown, all women; "
            << estimated_tracks << " track lines with an estimate\n";
  EXPECT_GT(matches_seen, 0);
  EXPECT_GT(estimated_tracks, 0);
}

}  // namespace
}  // namespace lookalike

// pipeline_bench: sustained rate and face-to-name latency of the live pipeline on this
// machine. Writes test videos from the shared lfw10 photos (1 face and a 2x2 grid of 4 faces,
// faces changing every second so that new tracks keep appearing), runs them at 30 and 60 fps
// in real time and as fast as possible, and prints a table plus a JSON file.
//
// Usage: pipeline_bench [--gallery FILE.lkg] [--workers N] [--seconds S] [--json OUT]
//            [--detector hog --detector blazeface ...]  (every scenario per detector)
// Without --gallery the gallery is built in memory from lfw10 photos (first 4 per person).
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <latch>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "lookalike/gallery/gallery.hpp"
#include "lookalike/machine.hpp"
#include "lookalike/pipeline/pipeline.hpp"
#include "lookalike/pipeline/snapshot_json.hpp"
#include "test_support.hpp"
#include "video_fixture.hpp"

namespace fs = std::filesystem;
using namespace lookalike;

namespace {

const std::vector<std::string> kLfw10 = {
    "Colin_Powell",    "Tony_Blair",           "George_W_Bush",     "Vladimir_Putin",
    "Hugo_Chavez",     "Ariel_Sharon",         "Gerhard_Schroeder", "Jacques_Chirac",
    "Donald_Rumsfeld", "Arnold_Schwarzenegger"};

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

std::shared_ptr<const IdentityMatcher> build_gallery(const fs::path& lfw) {
  auto engine = FaceEngine::create();
  GalleryData data;
  data.model = engine->model();
  for (std::uint32_t i = 0; i < kLfw10.size(); ++i) {
    data.identities.push_back({kLfw10[i], {}, Gender::unknown, 0, {}});
    for (const auto& p : test::lfw_photos(lfw, kLfw10[i], 1, 4)) {
      const cv::Mat img = cv::imread(p.string());
      const auto faces = engine->analyze(img);
      const int k = pick_primary_face(faces, img.size());
      if (k < 0) continue;
      data.photos.push_back({i, p.string(), faces[static_cast<std::size_t>(k)].embedding, 0,
                             faces[static_cast<std::size_t>(k)].quality});
    }
  }
  return Gallery::from_data(data);
}

struct Result {
  std::string detector;
  std::string scenario;
  int faces = 0;
  double source_fps = 0;
  std::string mode;
  int frames = 0;
  double wall_s = 0;
  double displayed_fps = 0;  // distinct frames published per second
  double processed_fps = 0;
  std::uint64_t dropped = 0;
  std::uint64_t stale = 0;
  double cpu_percent = 0;  // of one core
  std::optional<double> f2n_p50, f2n_p95;
  std::size_t named_tracks = 0;
  StageLatency latency;
  int min_scale = 100;
  int max_reembed = 0;
};

Result run(const test::WrittenVideo& video, int faces, PlaybackMode mode, int workers,
           std::shared_ptr<const IdentityMatcher> gallery, const std::string& detector) {
  PipelineOptions o;
  o.engine.detector.kind = detector_kind_from_string(detector);
  o.source.spec = video.path.string();
  o.source.playback = mode;
  o.workers = workers;
  std::set<std::uint64_t> shown;
  int min_scale = 100, max_reembed = 0;
  o.on_publish = [&](const SnapshotPtr& s) {  // publish lock held: single-threaded here
    shown.insert(s->seq);
    min_scale = std::min(min_scale, s->metrics.detector_scale_percent);
    max_reembed = std::max(max_reembed, s->metrics.reembed_interval);
  };
  Pipeline pipeline(o, std::move(gallery));
  const double cpu0 = cpu_seconds();
  const auto t0 = Clock::now();
  pipeline.start();
  SnapshotPtr last = pipeline.latest();
  while (!pipeline.finished())
    if (auto s = pipeline.wait_next(last)) last = s;
  pipeline.stop();
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = cpu_seconds() - cpu0;
  const SnapshotPtr fin = pipeline.latest();
  Result r;
  r.detector = detector;
  r.faces = faces;
  r.source_fps = video.fps;
  r.mode = std::string(to_string(mode));
  r.scenario = detector + " " + std::to_string(faces) + " face" + (faces > 1 ? "s" : "") + " @" +
               std::to_string(static_cast<int>(video.fps)) + " " + r.mode;
  r.frames = video.frames;
  r.wall_s = wall;
  r.displayed_fps = static_cast<double>(shown.size()) / wall;
  r.processed_fps = static_cast<double>(fin->metrics.processed) / wall;
  r.dropped = fin->metrics.dropped;
  r.stale = fin->metrics.stale;
  r.cpu_percent = 100.0 * cpu / wall;
  r.f2n_p50 = percentile(fin->metrics.face_to_name_ms, 50);
  r.f2n_p95 = percentile(fin->metrics.face_to_name_ms, 95);
  r.named_tracks = fin->metrics.face_to_name_ms.size();
  r.latency = fin->metrics.latency;
  r.min_scale = min_scale;
  r.max_reembed = max_reembed;
  return r;
}

std::string num(double v, int prec = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", prec, v);
  return buf;
}
std::string num(const std::optional<double>& v) {
  return v ? num(*v) : "-";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"pipeline_bench: live pipeline rate and face-to-name latency"};
  std::string gallery_path, json_path = "bench-live.json";
  int workers = 0;
  double seconds_per_set = 1.0;
  int sets = 6;
  std::vector<std::string> detectors{"hog"};
  app.add_option("--gallery", gallery_path, "gallery file (default: built from lfw10 in memory)");
  app.add_option("--workers", workers, "worker threads (0 = all cores)");
  app.add_option("--sets", sets, "face sets per video (each starts new tracks)");
  app.add_option("--seconds-per-set", seconds_per_set, "seconds each face set is shown");
  app.add_option("--json", json_path, "where to write the JSON results");
  app.add_option("--detector", detectors, "detector(s) to run every scenario with")
      ->check(CLI::IsMember(detector_names()));
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);

  const auto shared = test::shared_dir();
  if (!shared) {
    std::cerr << "pipeline_bench: ../shared/data not found (set LOOKALIKE_SHARED_DIR)\n";
    return 2;
  }
  const fs::path lfw = *shared / "data/faces/lfw10";
  std::shared_ptr<const IdentityMatcher> gallery =
      gallery_path.empty() ? build_gallery(lfw) : Gallery::load(gallery_path);

  test::TempDir dir;
  std::vector<Result> results;
  for (int faces : {1, 4}) {
    std::vector<std::vector<fs::path>> face_sets;
    for (int s = 0; s < sets; ++s) {
      std::vector<fs::path> set;
      for (int f = 0; f < faces; ++f) {
        const auto& name = kLfw10[static_cast<std::size_t>((s * faces + f) % kLfw10.size())];
        set.push_back(test::lfw_photos(lfw, name, 5 + s % 5, 5 + s % 5)[0]);
      }
      face_sets.push_back(set);
    }
    for (double fps : {30.0, 60.0}) {
      test::VideoSpec spec;
      spec.fps = fps;
      spec.size = faces == 1 ? cv::Size(640, 480) : cv::Size(640, 640);
      const auto video =
          test::write_grid_sets_video(dir / ("bench_" + std::to_string(faces) + "_" +
                                             std::to_string(static_cast<int>(fps)) + ".avi"),
                                      face_sets, seconds_per_set, spec);
      for (const std::string& detector : detectors) {
        results.push_back(run(video, faces, PlaybackMode::realtime, workers, gallery, detector));
        if (fps == 30.0)
          results.push_back(
              run(video, faces, PlaybackMode::as_fast_as_possible, workers, gallery, detector));
      }
    }
  }

  // Shutdown while busy: four faces being recognised, stop() timed (3 runs, worst reported).
  double worst_stop_ms = 0;
  {
    test::VideoSpec spec;
    spec.size = {640, 640};
    std::vector<fs::path> four;
    for (int f = 0; f < 4; ++f)
      four.push_back(test::lfw_photos(lfw, kLfw10[static_cast<std::size_t>(f)], 3, 3)[0]);
    const auto video = test::write_grid_video(dir / "stop.avi", four, 1.0, spec);
    for (int i = 0; i < 3; ++i) {
      PipelineOptions o;
      o.source.spec = video.path.string();
      o.source.loop = true;
      o.workers = workers;
      std::latch busy(1);
      std::atomic<bool> once{false};
      o.on_publish = [&](const SnapshotPtr& s) {
        if (s->metrics.latency.embed_ms > 0 && !once.exchange(true)) busy.count_down();
      };
      Pipeline pipeline(o, gallery);
      pipeline.start();
      busy.wait();
      const auto t0 = Clock::now();
      pipeline.stop();
      worst_stop_ms = std::max(
          worst_stop_ms, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  }

  std::printf("%-40s %7s %9s %9s %8s %6s %9s %9s %7s %7s %7s %6s %8s\n", "scenario", "frames",
              "shown/s", "proc/s", "dropped", "cpu%", "f2n p50", "f2n p95", "detect", "embed",
              "total", "scale", "reembed");
  nlohmann::json out = nlohmann::json::array();
  for (const Result& r : results) {
    std::printf("%-40s %7d %9s %9s %8llu %6s %9s %9s %7s %7s %7s %5d%% %8d\n", r.scenario.c_str(),
                r.frames, num(r.displayed_fps).c_str(), num(r.processed_fps).c_str(),
                static_cast<unsigned long long>(r.dropped), num(r.cpu_percent, 0).c_str(),
                num(r.f2n_p50).c_str(), num(r.f2n_p95).c_str(), num(r.latency.detect_ms).c_str(),
                num(r.latency.embed_ms).c_str(), num(r.latency.total_ms).c_str(), r.min_scale,
                r.max_reembed);
    out.push_back(
        {{"scenario", r.scenario},
         {"detector", r.detector},
         {"faces", r.faces},
         {"source_fps", r.source_fps},
         {"mode", r.mode},
         {"frames", r.frames},
         {"wall_s", r.wall_s},
         {"displayed_fps", r.displayed_fps},
         {"processed_fps", r.processed_fps},
         {"dropped", r.dropped},
         {"stale", r.stale},
         {"cpu_percent_of_one_core", r.cpu_percent},
         {"face_to_name_ms_p50", r.f2n_p50 ? nlohmann::json(*r.f2n_p50) : nlohmann::json()},
         {"face_to_name_ms_p95", r.f2n_p95 ? nlohmann::json(*r.f2n_p95) : nlohmann::json()},
         {"named_tracks", r.named_tracks},
         {"latency_ms",
          {{"detect", r.latency.detect_ms},
           {"landmarks", r.latency.landmarks_ms},
           {"embed", r.latency.embed_ms},
           {"search", r.latency.search_ms},
           {"total", r.latency.total_ms}}},
         {"min_detector_scale_percent", r.min_scale},
         {"max_reembed_interval", r.max_reembed}});
  }
  std::printf("shutdown while busy (worst of 3): %.1f ms\n", worst_stop_ms);
  const MachineInfo machine = machine_info();
  std::printf("machine: %s\n", machine.describe().c_str());
  nlohmann::json doc = {{"machine", machine.describe()},
                        {"hardware_threads", std::thread::hardware_concurrency()},
                        {"workers", workers},
                        {"scenarios", out},
                        {"shutdown_while_busy_ms_worst", worst_stop_ms}};
  std::ofstream(json_path) << doc.dump(2) << '\n';
  std::printf("wrote %s (%u hardware threads)\n", json_path.c_str(),
              std::thread::hardware_concurrency());
  return 0;
}

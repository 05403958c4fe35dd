// `lookalike-cli live`: the headless runner over the live pipeline. Prints one JSON line per
// published snapshot (--json) or a line whenever a track's shown name changes, then a summary.
// Ctrl-C stops the pipeline in order and still prints the summary. Soak runs: --max-seconds
// ends the run in order, --usage-every samples resident memory, threads and open files (a
// {"usage": ...} line each with --json, first/last/peak in the summary). --gender-age adds each
// track's estimated gender and age; --gender filters its look-alikes like `match --gender`.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "command.hpp"
#include "engine_setup.hpp"
#include "gender_age_setup.hpp"
#include "lookalike/app/open_gallery.hpp"
#include "lookalike/pipeline/pipeline.hpp"
#include "lookalike/pipeline/snapshot_json.hpp"
#include "lookalike/process_usage.hpp"
#include "signal_stop.hpp"

namespace lookalike::cli {
namespace {

struct LiveFlags {
  std::string source;
  std::string gallery;
  std::uint64_t max_frames = 0;
  bool realtime = false;
  bool as_fast_as_possible = false;
  bool json = false;
  bool mirror = false;
  bool loop = false;
  double max_seconds = 0;
  double usage_every = 0;
  int workers = 0;
  int top_k = SearchOptions{}.top_k;
  std::string gender = "any";
  bool gender_age = false;
  int width = SourceOptions{}.width;
  int height = SourceOptions{}.height;
  double fps = SourceOptions{}.fps;
  EngineFlags engine;
};

struct UsageSample {
  double t_s = 0;
  ProcessUsage usage;
};

nlohmann::json usage_to_json(const UsageSample& s) {
  return {{"t_s", std::round(s.t_s * 10) / 10},
          {"rss_kb", s.usage.rss_kb},
          {"threads", s.usage.threads},
          {"open_files", s.usage.open_files}};
}

// Waits `seconds` unless `stop` comes first; true when the time ran out.
bool sleep_unless_stopped(std::stop_token stop, double seconds) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  cv.wait_for(lock, stop, std::chrono::duration<double>(seconds), [] { return false; });
  return !stop.stop_requested();
}

int run_live(const LiveFlags& flags) {
  PipelineOptions options;
  options.source.spec = flags.source;
  options.source.mirror = flags.mirror;
  options.source.loop = flags.loop;
  options.source.width = flags.width;
  options.source.height = flags.height;
  options.source.fps = flags.fps;
  options.source.playback =
      flags.as_fast_as_possible ? PlaybackMode::as_fast_as_possible : PlaybackMode::realtime;
  options.max_frames = flags.max_frames;
  options.workers = flags.workers;
  options.engine = flags.engine.options();
  options.search.top_k = flags.top_k;
  options.gender_filter = *gender_filter_from_string(flags.gender);
  options.estimate_gender_age = flags.gender_age || options.gender_filter == GenderFilter::same;
  // The workers only warn when the models are missing; a filter without them is an error.
  if (options.gender_filter == GenderFilter::same && !load_gender_age_estimator(true)) return 2;

  // Refused when built by other weights (else the names are silently wrong); throws naming
  // the file: exit 2.
  const auto gallery = app::open_gallery_or_default(flags.gallery, options.engine);

  // Output happens on the publishing pipeline thread, in publish order (quick: one line).
  std::mutex out_mutex;
  std::map<std::uint64_t, std::string> shown_names;  // text mode: print changes only
  options.on_publish = [&](const SnapshotPtr& s) {
    std::lock_guard lock(out_mutex);
    if (flags.json) {
      std::cout << snapshot_to_json(*s).dump() << '\n';
      return;
    }
    for (const TrackView& t : s->tracks) {
      const std::string name = t.named() ? t.matches.front().name : "";
      auto [it, inserted] = shown_names.try_emplace(t.id, "");
      if (name != it->second) {
        it->second = name;
        std::cout << "t=" << s->t_ms / 1000.0 << "s track " << t.id << ": ";
        if (t.named())
          std::cout << name << " (" << t.matches.front().similarity_percent << " %)\n";
        else
          std::cout << "(unnamed)\n";
      }
    }
    if (s->status == SourceStatus::reconnecting || s->status == SourceStatus::failed)
      std::cout << to_string(s->status) << ": " << s->status_message << '\n';
  };

  StopOnSignal signals("\ninterrupt: stopping the pipeline (press Ctrl-C again to quit at once)\n");
  Pipeline pipeline(std::move(options), gallery);
  const auto started = Clock::now();
  pipeline.start();  // SourceError (missing/busy camera, bad file) goes to main: exit 2
  // The first Ctrl-C / SIGTERM stops the pipeline in order, on the signal watcher's thread.
  std::stop_callback on_signal(signals.token(), [&pipeline] { pipeline.stop(); });
  auto since_start = [&] { return std::chrono::duration<double>(Clock::now() - started).count(); };
  std::vector<UsageSample> usage;  // written by the sampler, read after it is joined
  std::jthread sampler, timer;     // declared after the pipeline: joined before it goes
  if (flags.usage_every > 0)
    sampler = std::jthread([&](std::stop_token stop) {
      do {
        const UsageSample sample{since_start(), process_usage()};
        usage.push_back(sample);
        std::lock_guard lock(out_mutex);
        if (flags.json)
          std::cout << nlohmann::json{{"usage", usage_to_json(sample)}}.dump() << '\n';
        else
          std::cout << fmt::format("usage t={:.0f}s rss {:.1f} MB, {} threads, {} open files\n",
                                   sample.t_s, sample.usage.rss_kb / 1024.0, sample.usage.threads,
                                   sample.usage.open_files);
      } while (sleep_unless_stopped(stop, flags.usage_every));
    });
  if (flags.max_seconds > 0)
    timer = std::jthread([&](std::stop_token stop) {
      if (sleep_unless_stopped(stop, flags.max_seconds)) pipeline.stop();
    });
  SnapshotPtr last = pipeline.latest();
  while (!pipeline.finished())
    if (auto s = pipeline.wait_next(last)) last = s;
  pipeline.stop();
  const double seconds = since_start();
  timer = {};
  sampler = {};  // request_stop + join: `usage` is complete from here on

  const SnapshotPtr final_snap = pipeline.latest();
  RunSummary summary;
  summary.frames = final_snap->metrics.captured;
  summary.processed = final_snap->metrics.processed;
  summary.dropped = final_snap->metrics.dropped;
  summary.fps = seconds > 0 ? static_cast<double>(summary.processed) / seconds : 0;
  summary.face_to_name_ms = final_snap->metrics.face_to_name_ms;
  {
    std::lock_guard lock(out_mutex);
    if (flags.json) {
      auto json = summary_to_json(summary);
      if (!usage.empty()) {
        const auto peak = std::max_element(usage.begin(), usage.end(), [](auto& a, auto& b) {
          return a.usage.rss_kb < b.usage.rss_kb;
        });
        json["usage"] = {{"samples", usage.size()},
                         {"first", usage_to_json(usage.front())},
                         {"last", usage_to_json(usage.back())},
                         {"peak_rss", usage_to_json(*peak)}};
      }
      std::cout << json.dump() << std::endl;
    } else {
      std::cout << "frames " << summary.frames << ", processed " << summary.processed
                << ", dropped " << summary.dropped << ", " << summary.fps << " fps";
      if (auto p50 = percentile(summary.face_to_name_ms, 50))
        std::cout << ", face-to-name p50 " << *p50 << " ms, p95 "
                  << *percentile(summary.face_to_name_ms, 95) << " ms";
      std::cout << std::endl;
    }
  }
  if (final_snap->status == SourceStatus::failed) {
    std::cerr << "error: " << final_snap->status_message << "\n";
    return 1;
  }
  return 0;
}

const CommandRegistration registration{{[](CLI::App& app) -> std::function<int()> {
  auto flags = std::make_shared<LiveFlags>();
  CLI::App* cmd = app.add_subcommand(
      "live", "run the live pipeline headless on a camera, video, image folder or stream");
  cmd->add_option("--source", flags->source,
                  "camera index (0), device (/dev/video0), video file, image folder or "
                  "pattern (img_%04d.png), or stream URL")
      ->required();
  cmd->add_option("--gallery", flags->gallery,
                  "gallery file (.lkg); default: the default gallery, else detection only");
  cmd->add_option("--max-frames", flags->max_frames, "stop after N captured frames (0: no limit)");
  auto* rt =
      cmd->add_flag("--realtime", flags->realtime,
                    "play files at their frame rate, dropping what the workers miss (default)");
  auto* fast = cmd->add_flag("--as-fast-as-possible", flags->as_fast_as_possible,
                             "play files as fast as the workers go, dropping nothing");
  rt->excludes(fast);
  cmd->add_flag("--json", flags->json, "one JSON line per published snapshot, then a summary");
  cmd->add_flag("--mirror", flags->mirror, "flip frames horizontally (selfie view)");
  cmd->add_flag("--loop", flags->loop, "restart files and folders at their end");
  cmd->add_option("--max-seconds", flags->max_seconds,
                  "stop in order after S seconds (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--usage-every", flags->usage_every,
                  "print memory, threads and open files every S seconds (soak runs; 0: off)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--workers", flags->workers, "worker threads (0: all cores)")
      ->capture_default_str();
  cmd->add_option("--top-k", flags->top_k, "matches per face")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  cmd->add_flag("--gender-age", flags->gender_age,
                "estimate every track's gender and age (JSON: \"gender\", \"gender_confidence\", "
                "\"age\"; estimates, not facts)");
  cmd->add_option("--gender", flags->gender,
                  "only identities of this gender; same: the track's estimated gender (implies "
                  "--gender-age)")
      ->check(CLI::IsMember(gender_filter_names()))
      ->capture_default_str();
  cmd->add_option("--width", flags->width, "requested camera width")->capture_default_str();
  cmd->add_option("--height", flags->height, "requested camera height")->capture_default_str();
  cmd->add_option("--fps", flags->fps, "requested camera rate")->capture_default_str();
  flags->engine.detector = "blazeface";  // the live default (README "Detection")
  flags->engine.add_to(*cmd);
  return [flags] { return run_live(*flags); };
}}};

}  // namespace
}  // namespace lookalike::cli

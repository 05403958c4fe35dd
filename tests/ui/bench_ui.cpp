// UI benchmark: frame time p50/p99 of the real window (ImGui build + texture upload + draw +
// glFinish, Mesa llvmpipe under Xvfb) with 1 and 4 faces, and frame pacing against the
// source (displayed source frames per second vs the video's 30 fps, skipped frames), and the
// longest frame while the source is switched 20 times in a row (the old pipelines stop in
// the background: a switch must not stall a frame). Prints a table and writes JSON (default
// build/.../ui_bench.json). No timing assertions: figures for the README.
//
//   lookalike_ui_bench [--frames N] [--json FILE] [--shots DIR]
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "lookalike/machine.hpp"
#include "test_support.hpp"
#include "ui_media.hpp"

namespace fs = std::filesystem;
using namespace lookalike::test;

int main(int argc, char** argv) {
  int frames = 300;
  fs::path shots;  // --shots DIR: keep the last frame of each case as a PNG
  fs::path json_out =
      build_dir().empty() ? fs::path("ui_bench.json") : build_dir() / "ui_bench.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--frames")) frames = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--json")) json_out = argv[i + 1];
    if (!std::strcmp(argv[i], "--shots")) shots = argv[i + 1];
  }
  if (!shared_dir()) {
    std::cerr << "shared test data not found (../shared beside the source tree or "
                 "LOOKALIKE_SHARED_DIR)\n";
    return 2;
  }
  const fs::path app = build_dir() / "app/lookalike";
  TempDir dir;
  const fs::path lfw = *shared_dir() / "data/faces/lfw10";
  const fs::path gallery = build_test_gallery(dir / "lfw10.lkg", "lfw10", 3);
  struct Case {
    std::string name;
    std::vector<fs::path> photos;
    int side;
  };
  const std::vector<Case> cases = {
      {"1 face", {lfw / "Tony_Blair/Tony_Blair_0005.jpg"}, 300},
      {"4 faces",
       {lfw / "George_W_Bush/George_W_Bush_0007.jpg", lfw / "Colin_Powell/Colin_Powell_0006.jpg",
        lfw / "Hugo_Chavez/Hugo_Chavez_0005.jpg", lfw / "Vladimir_Putin/Vladimir_Putin_0005.jpg"},
       300},  // the detector scans 640 px wide: smaller photos' faces fall below HOG's window
  };
  std::printf("machine: %s\n", lookalike::machine_info().describe().c_str());
  nlohmann::json results = nlohmann::json::array();
  std::printf("%-8s %7s %9s %9s %9s %9s %10s %10s %8s %6s\n", "case", "frames", "p50 ms", "p99 ms",
              "cpu p50", "cpu p99", "shown fps", "source fps", "skipped", "faces");
  for (const auto& c : cases) {
    const FaceVideo video = write_face_video(dir / (c.name.substr(0, 1) + ".avi"), c.photos,
                                             frames + 120, {1280, 720}, c.side);
    const fs::path bench = dir / "bench.json";
    const std::string cmd = under_xvfb(
        app.string() + " --config " + (dir / "cfg.toml").string() + " --source " +
        video.path.string() + " --gallery " + gallery.string() +
        " --size 1280x720 --exit-after-frames " + std::to_string(frames) +
        " --exit-timeout 120 --bench-json " + bench.string() + " --log-level warn" +
        (shots.empty() ? std::string()
                       : " --screenshot " + (shots / (c.name.substr(0, 1) + "face.png")).string()));
    const CommandResult run = run_command(cmd);
    if (run.exit_code != 0) {
      std::cerr << c.name << ": app failed (" << run.exit_code << ")\n" << run.out << run.err;
      return 1;
    }
    nlohmann::json j;
    std::ifstream(bench) >> j;
    j["case"] = c.name;
    std::printf("%-8s %7d %9.2f %9.2f %9.2f %9.2f %10.1f %10.1f %8d %6d\n", c.name.c_str(),
                j["frames"].get<int>(), j["frame_ms_p50"].get<double>(),
                j["frame_ms_p99"].get<double>(), j["cpu_ms_p50"].get<double>(),
                j["cpu_ms_p99"].get<double>(), j["displayed_source_fps"].get<double>(),
                j["source_fps"].get<double>(), j["source_frames_skipped"].get<int>(),
                j["max_faces"].get<int>());
    results.push_back(j);
  }
  // Source switching: the app reopens its source kSwitches times (as the source menu does),
  // every few frames once it shows frames, and reports its longest frame meanwhile.
  constexpr int kSwitches = 20;
  nlohmann::json switching;
  {
    const FaceVideo video =
        write_face_video(dir / "s.avi", cases[0].photos, frames + 600, {1280, 720}, cases[0].side);
    const fs::path bench = dir / "bench-switch.json";
    const CommandResult run = run_command(
        under_xvfb(app.string() + " --config " + (dir / "cfg.toml").string() + " --source " +
                   video.path.string() + " --gallery " + gallery.string() +
                   " --size 1280x720 --exit-after-frames " + std::to_string(std::min(frames, 120)) +
                   " --exit-timeout 120 --bench-json " + bench.string() + " --bench-switches " +
                   std::to_string(kSwitches) + " --log-level warn"));
    if (run.exit_code != 0) {
      std::cerr << "switching: app failed (" << run.exit_code << ")\n" << run.out << run.err;
      return 1;
    }
    std::ifstream(bench) >> switching;
    std::printf(
        "\nsource switches %d: longest frame %.2f ms (UI thread's own work %.2f ms; p99 of the "
        "run %.2f ms)\n",
        switching.value("source_switches", 0), switching.value("switch_frame_ms_max", 0.0),
        switching.value("switch_cpu_ms_max", 0.0), switching.value("frame_ms_p99", 0.0));
  }

  nlohmann::json out;
  out["benchmark"] = "ui_frame_time";
  out["machine"] = lookalike::machine_info().describe();
  out["switching"] = switching;
  out["renderer"] = "Mesa llvmpipe under Xvfb, 1280x720 window";
  out["results"] = results;
  std::ofstream(json_out) << out.dump(2) << '\n';
  std::printf("JSON: %s\n", json_out.string().c_str());
  return 0;
}

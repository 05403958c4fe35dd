// lookalike-bench-detection: HOG vs BlazeFace side by side on real photos. Per detector: one
// detection on a 640x480 frame holding four lfw10 faces and on the 1920x1080 Obama photo (one
// thread), and the whole 4-face frame (detect, landmarks, embed) on every core (one engine per
// core, wall time per frame). Prints the machine line and a table; writes JSON.
//
//   build/release/tests/engine/lookalike-bench-detection [--repeats 50] [--json FILE]
//       [--detector hog --detector blazeface ...]
#include <omp.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "lookalike/elapsed.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/file_util.hpp"
#include "lookalike/machine.hpp"
#include "lookalike/stats.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;

namespace {

// Four lfw10 photos (250x250, face centred) in a 2x2 grid scaled into 640x480.
cv::Mat four_face_frame(const fs::path& lfw10) {
  const char* names[] = {"Colin_Powell/Colin_Powell_0001.jpg", "Tony_Blair/Tony_Blair_0001.jpg",
                         "Hugo_Chavez/Hugo_Chavez_0001.jpg",
                         "Vladimir_Putin/Vladimir_Putin_0001.jpg"};
  cv::Mat frame(480, 640, CV_8UC3, cv::Scalar::all(90));
  for (int i = 0; i < 4; ++i) {
    cv::Mat cell;
    cv::resize(load_image(lfw10 / names[i]), cell, {240, 240}, 0, 0, cv::INTER_AREA);
    cell.copyTo(frame(cv::Rect(40 + (i % 2) * 320, (i / 2) * 240, 240, 240)));
  }
  return frame;
}

template <typename F>
std::pair<double, double> time_ms(int repeats, F&& f) {
  f();  // warm-up
  std::vector<double> samples;
  for (int i = 0; i < repeats; ++i) {
    const auto t = Clock::now();
    f();
    samples.push_back(ms_since(t));
  }
  return {*percentile(samples, 50), *percentile(samples, 90)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HOG vs BlazeFace: detection and whole-frame cost"};
  int repeats = 50;
  std::string json_path = "bench-detection.json";
  std::vector<std::string> detectors{"hog", "blazeface"};
  app.add_option("--repeats", repeats, "timed runs per measurement");
  app.add_option("--json", json_path, "where to write the JSON results");
  app.add_option("--detector", detectors, "detectors to compare")
      ->check(CLI::IsMember(detector_names()));
  CLI11_PARSE(app, argc, argv);
  const auto shared = test::shared_dir();
  if (!shared) {
    std::fprintf(stderr, "shared test data not found (../shared or LOOKALIKE_SHARED_DIR)\n");
    return 2;
  }
  const cv::Mat frame = four_face_frame(*shared / "data/faces/lfw10");
  const cv::Mat photo = load_image(*shared / "data/faces/misc/test/obama-1080p.jpg");
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const MachineInfo machine = machine_info();
  std::printf("machine: %s; %d runs after a warm-up\n", machine.describe().c_str(), repeats);
  std::printf(
      "| detector | faces in 640x480 | detect 640x480 ms (p50 / p90) | faces in 1920x1080 | "
      "detect 1920x1080 ms | 4-face frame, %d cores, ms/frame |\n",
      cores);
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  nlohmann::json rows = nlohmann::json::array();
  for (const std::string& name : detectors) {
    EngineOptions options;
    options.detector.kind = detector_kind_from_string(name);
    omp_set_num_threads(1);
    cv::setNumThreads(1);
    auto engine = FaceEngine::create(options);
    const std::size_t frame_faces = engine->detect(frame).size();
    const std::size_t photo_faces = engine->detect(photo).size();
    const auto [frame_p50, frame_p90] = time_ms(repeats, [&] { engine->detect(frame); });
    const auto [photo_p50, photo_p90] = time_ms(repeats, [&] { engine->detect(photo); });
    // Every core: one engine each (as the live pipeline's workers), each on its own frames.
    const int frames = repeats;
    const auto start = Clock::now();
    {
      std::vector<std::jthread> pool;
      for (int t = 0; t < cores; ++t)
        pool.emplace_back([&] {
          auto own = FaceEngine::create(options);
          for (int i = 0; i < frames; ++i) own->analyze(frame);
        });
    }
    const double per_frame = ms_since(start) / (cores * frames);
    std::printf("| %s | %zu | %.2f / %.2f | %zu | %.2f / %.2f | %.2f |\n", name.c_str(),
                frame_faces, frame_p50, frame_p90, photo_faces, photo_p50, photo_p90, per_frame);
    rows.push_back({{"detector", name},
                    {"faces_640x480", frame_faces},
                    {"detect_640x480_ms_p50", frame_p50},
                    {"detect_640x480_ms_p90", frame_p90},
                    {"faces_1920x1080", photo_faces},
                    {"detect_1920x1080_ms_p50", photo_p50},
                    {"detect_1920x1080_ms_p90", photo_p90},
                    {"frame_4_faces_all_cores_ms_per_frame", per_frame}});
  }
  if (rows.size() >= 2) {
    const auto& hog = rows[0];
    for (std::size_t i = 1; i < rows.size(); ++i)
      std::printf("%s vs %s: %.1fx faster per 640x480 frame, 4-face frame %.2f of %s's time\n",
                  rows[i]["detector"].get<std::string>().c_str(),
                  hog["detector"].get<std::string>().c_str(),
                  hog["detect_640x480_ms_p50"].get<double>() /
                      rows[i]["detect_640x480_ms_p50"].get<double>(),
                  rows[i]["frame_4_faces_all_cores_ms_per_frame"].get<double>() /
                      hog["frame_4_faces_all_cores_ms_per_frame"].get<double>(),
                  hog["detector"].get<std::string>().c_str());
  }
  const nlohmann::json doc = {{"machine", machine.describe()},
                              {"cpu", machine.cpu},
                              {"isa", machine.isa},
                              {"cores", cores},
                              {"repeats", repeats},
                              {"detectors", rows}};
  const std::string text = doc.dump(2) + "\n";
  write_file_atomically(json_path, std::as_bytes(std::span(text)));
  std::printf("wrote %s\n", json_path.c_str());
  return 0;
}

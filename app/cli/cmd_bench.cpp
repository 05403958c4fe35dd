// `lookalike-cli bench [--json FILE]`: engine stage timings on this machine — detection on a
// 640x480 frame, landmarks, chip and embedding per face (batch 1 and 8), single thread and
// all threads, and a 640x480 frame with 4 faces end to end. Prints a table; writes JSON.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>
#include "lookalike/build_config.hpp"

#include "command.hpp"
#include "engine_setup.hpp"
#include "lookalike/engine/aligner.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/machine.hpp"

namespace lookalike::cli {
namespace {

using Clock = std::chrono::steady_clock;

double median_ms(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

template <typename F>
double time_ms(int repeats, F&& f) {
  std::vector<double> samples;
  for (int i = 0; i < repeats; ++i) {
    auto t0 = Clock::now();
    f();
    samples.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return median_ms(samples);
}

// A 640x480 frame holding `faces` real faces from the test photo, tiled on a gray canvas.
cv::Mat make_frame(const cv::Mat& photo, const cv::Rect& face_box, int faces) {
  cv::Mat frame(480, 640, CV_8UC3, cv::Scalar(90, 90, 90));
  cv::Rect crop = face_box;
  const int pad = crop.width / 2;
  crop = cv::Rect(crop.x - pad, crop.y - pad, crop.width + 2 * pad, crop.height + 2 * pad) &
         cv::Rect(0, 0, photo.cols, photo.rows);
  cv::Mat face = photo(crop);
  const int cell = faces == 1 ? 300 : 220;
  cv::resize(face, face, cv::Size(cell, cell));
  for (int i = 0; i < faces; ++i) {
    const int x = faces == 1 ? 170 : 40 + (i % 2) * 340, y = faces == 1 ? 90 : 10 + (i / 2) * 240;
    face.copyTo(frame(cv::Rect(x, y, cell, std::min(cell, 480 - y))));
  }
  return frame;
}

struct BenchCommand {
  std::string photo_path =
      std::string(LOOKALIKE_SOURCE_DIR) + "/../shared/data/faces/misc/test/obama-720p.jpg";
  std::string json_path = "bench-engine.json";
  int repeats = 20;
  EngineFlags engine_flags;

  int run() {
    auto engine = FaceEngine::create(engine_flags.options());
    cv::Mat photo = load_image(photo_path);
    auto faces = engine->analyze(photo, {.thorough = true});
    if (faces.empty()) throw std::runtime_error(photo_path + ": no face to benchmark with");
    const cv::Mat one = make_frame(photo, faces[0].box, 1),
                  four = make_frame(photo, faces[0].box, 4);
    const auto four_faces = engine->analyze(four, {.embed = false});
    std::printf("frame 640x480: %zu faces detected in the 4-face frame\n", four_faces.size());

    nlohmann::json result;
    const MachineInfo machine = machine_info();
    std::printf("machine: %s\n", machine.describe().c_str());
    result["machine"] = machine.describe();
    result["machine_threads"] = std::thread::hardware_concurrency();
    result["detect_640x480_ms"] = time_ms(repeats, [&] { engine->detect(four); });
    result["landmarks_per_face_ms"] =
        time_ms(repeats * 10, [&] { engine->landmarks(photo, faces[0].box); });
    result["chip_per_face_ms"] =
        time_ms(repeats * 10, [&] { align_face(photo, faces[0].landmarks); });
    std::vector<cv::Mat> chips8(8, faces[0].chip);
    engine->embed(std::span(chips8).first(1));  // warm up the plans
    engine->embed(chips8);
    result["embed_batch1_per_face_ms"] =
        time_ms(repeats * 5, [&] { engine->embed(std::span(chips8).first(1)); });
    result["embed_batch8_per_face_ms"] = time_ms(repeats, [&] { engine->embed(chips8); }) / 8.0;
    result["frame_1_face_end_to_end_ms"] = time_ms(repeats, [&] { engine->analyze(one); });
    result["frame_4_faces_end_to_end_1_thread_ms"] =
        time_ms(repeats, [&] { engine->analyze(four); });

    // All threads: one engine per thread, each analyzing its own copy of the 4-face frame;
    // throughput per frame = wall time / frames.
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    const int frames_per_thread = repeats;
    std::vector<std::jthread> pool;
    auto t0 = Clock::now();
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        auto own = FaceEngine::create(engine_flags.options());
        own->analyze(four);
        for (int i = 0; i < frames_per_thread; ++i) own->analyze(four);
      });
    pool.clear();
    const double wall = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    result["frame_4_faces_all_threads_ms_per_frame"] = wall / (threads * (frames_per_thread + 1));
    // Parallel embedding throughput: per face per core.
    pool.clear();
    t0 = Clock::now();
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&] {
        auto own = FaceEngine::create(engine_flags.options());
        for (int i = 0; i < repeats; ++i) own->embed(chips8);
      });
    pool.clear();
    const double embed_wall = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    result["embed_all_threads_ms_per_face"] = embed_wall / (threads * repeats * 8);
    result["embedder"] = engine_flags.embedder;
    result["detector"] = engine_flags.detector;

    std::printf("\n%-44s %10s\n", "stage (median)", "ms");
    for (const auto& [key, value] : result.items())
      if (value.is_number_float()) std::printf("%-44s %10.2f\n", key.c_str(), value.get<double>());
    std::ofstream(json_path) << result.dump(2) << "\n";
    std::printf("\nwrote %s\n", json_path.c_str());
    return 0;
  }
};

const CommandRegistration registration{{[](CLI::App& app) {
  auto cmd = std::make_shared<BenchCommand>();
  auto* sub = app.add_subcommand("bench", "Benchmark the face engine stages on this machine");
  sub->add_option("--photo", cmd->photo_path, "photo with a face to build the frames from")
      ->capture_default_str();
  sub->add_option("--json", cmd->json_path, "where to write the JSON results")
      ->capture_default_str();
  sub->add_option("--repeats", cmd->repeats, "repetitions per measurement")->capture_default_str();
  cmd->engine_flags.add_to(*sub);
  return std::function<int()>([cmd] { return cmd->run(); });
}}};

}  // namespace
}  // namespace lookalike::cli

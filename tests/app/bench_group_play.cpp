// Group play benchmark: the face map's layout (PCA + exact t-SNE) by gallery size, one morph
// frame by side, and the unique cast by group size. Prints the machine and a table, writes
// JSON. Not a test (no timing assertions): run build/release/tests/app/lookalike_group_play_bench.
//   lookalike_group_play_bench [--json FILE]
// The faces for the morph come from ../shared (skipped without it); galleries are synthetic.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "lookalike/app/face_map.hpp"
#include "lookalike/app/group_play.hpp"
#include "lookalike/app/morph.hpp"
#include "lookalike/elapsed.hpp"
#include "lookalike/machine.hpp"
#include "test_support.hpp"

using namespace lookalike;
using Clock = std::chrono::steady_clock;

namespace {

GalleryData identities(int n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0.f, 0.0563f);  // ~0.9 apart, like different people
  GalleryData data;
  data.model = {"synthetic", std::string(64, 'a'), "hog", "dlib-68pt-chip150-pad0.25"};
  for (int i = 0; i < n; ++i) {
    data.identities.push_back({"p" + std::to_string(i)});
    PhotoEntry photo;
    photo.identity = static_cast<std::uint32_t>(i);
    photo.source = data.identities.back().name + ".jpg";
    for (auto& v : photo.embedding) v = noise(rng);
    data.photos.push_back(photo);
  }
  return data;
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_path = "group_play_bench.json";
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--json")) json_path = argv[i + 1];
  const MachineInfo machine = machine_info();
  std::printf("machine: %s\n\n", machine.describe().c_str());
  nlohmann::json out = {{"benchmark", "group_play"}, {"machine", machine.describe()}};

  std::printf("%-34s %10s\n", "face map layout (750 iterations)", "seconds");
  for (const int n : {250, 1000, 3000}) {
    const auto gallery = Gallery::from_data(identities(n, 5));
    const auto t0 = Clock::now();
    const auto map = app::layout_face_map(*gallery);
    const double s = ms_since(t0) / 1000;
    std::printf("%-34s %10.2f\n", (std::to_string(n) + " identities").c_str(), s);
    out["face_map_seconds"][std::to_string(n)] = s;
  }

  std::printf("\n%-34s %10s\n", "unique cast (top-k = faces)", "ms");
  std::mt19937 rng(3);
  for (const int faces : {5, 20}) {
    std::vector<std::vector<IdentityMatch>> candidates(static_cast<std::size_t>(faces));
    for (auto& list : candidates)
      for (int k = 0; k < faces; ++k) {
        IdentityMatch m;
        m.identity = static_cast<std::uint32_t>(rng() % 200);
        m.similarity_percent = static_cast<float>(rng() % 1000) / 10.f;
        list.push_back(m);
      }
    const auto t0 = Clock::now();
    constexpr int kRepeats = 100;
    for (int r = 0; r < kRepeats; ++r) app::assign_unique_cast(candidates);
    const double ms = ms_since(t0) / kRepeats;
    std::printf("%-34s %10.3f\n", (std::to_string(faces) + " faces").c_str(), ms);
    out["unique_cast_ms"][std::to_string(faces)] = ms;
  }

  if (test::shared_dir()) {
    auto engine = FaceEngine::create();
    auto chip_of = [&](const std::string& photo) {
      AnalyzeOptions o;
      o.thorough = true;
      auto faces = engine->analyze(cv::imread(test::shared_data(photo).string()), o);
      return faces.empty() ? cv::Mat() : faces.front().chip;
    };
    const cv::Mat a = chip_of("faces/bbt/sheldon/sheldon1.png");
    const cv::Mat b = chip_of("faces/lfw10/Jacques_Chirac/Jacques_Chirac_0001.jpg");
    std::printf("\n%-34s %10s\n", "morph frame (UI thread)", "ms");
    for (const int side : {192, 256}) {
      const app::Morph morph(app::morph_face(*engine, a, side), app::morph_face(*engine, b, side));
      constexpr int kFrames = 50;
      const auto t0 = Clock::now();
      for (int f = 0; f < kFrames; ++f) morph.frame(f / double(kFrames - 1));
      const double ms = ms_since(t0) / kFrames;
      std::printf("%-34s %10.2f\n", (std::to_string(side) + " px").c_str(), ms);
      out["morph_frame_ms"][std::to_string(side)] = ms;
    }
  } else {
    std::printf("\nmorph: skipped (../shared not found)\n");
  }
  std::ofstream(json_path) << out.dump(2) << "\n";
  std::printf("\nwrote %s\n", json_path.c_str());
  return 0;
}

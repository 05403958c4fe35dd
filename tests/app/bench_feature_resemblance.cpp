// Calibration of the per-feature resemblance (feature_resemblance.cpp): the full Procrustes
// distance per feature over LFW's development pairs, same person vs different people, measured
// as photo mode measures it: the person's aligned chip against the other photo's chip turned
// into a gallery thumbnail (the builder's size and JPEG quality), both fitted by morph_face.
// Prints per feature the quartiles of both kinds, the % their medians map to, and how often a
// same-person pair is closer than a different-person pair (AUC). Not a test:
//   lookalike_feature_bench [--pairs FILE] [--limit N] [--json FILE]
// (default: ../shared/data/faces/lfw_view1/pairsDevTrain.txt, every pair).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "lookalike/app/feature_resemblance.hpp"
#include "lookalike/app/morph.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/machine.hpp"
#include "test_support.hpp"

using namespace lookalike;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// The pairs of `file`, at most `limit_per_kind` of each kind, with full paths.
std::vector<test::LfwPair> read_pairs(const fs::path& file, std::size_t limit_per_kind) {
  std::vector<test::LfwPair> pairs;
  std::array<std::size_t, 2> kept{};
  for (auto& p : test::read_lfw_pairs(file)) {
    if (kept[p.same ? 0 : 1]++ >= limit_per_kind) continue;
    p.a = (file.parent_path() / p.a).string();
    p.b = (file.parent_path() / p.b).string();
    pairs.push_back(std::move(p));
  }
  return pairs;
}

struct Measured {
  std::vector<cv::Point2f> person, thumbnail;  // landmarks, as morph_face fits them
};

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// P(a same-person distance < a different-person distance), ties counted half.
double auc(const std::vector<double>& same, const std::vector<double>& different) {
  double wins = 0;
  for (const double s : same)
    for (const double d : different) wins += s < d ? 1 : (s == d ? 0.5 : 0);
  return same.empty() || different.empty() ? 0 : wins / (same.size() * different.size());
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<fs::path> pairs_file;
  std::size_t limit = SIZE_MAX;
  std::string json_path = "feature_resemblance_bench.json";
  for (int i = 1; i + 1 < argc; ++i) {
    if (!std::strcmp(argv[i], "--pairs")) pairs_file = argv[i + 1];
    if (!std::strcmp(argv[i], "--limit")) limit = std::stoul(argv[i + 1]);
    if (!std::strcmp(argv[i], "--json")) json_path = argv[i + 1];
  }
  if (!pairs_file) {
    if (!test::shared_dir()) {
      std::fprintf(stderr, "shared test data not found (../shared or LOOKALIKE_SHARED_DIR)\n");
      return 2;
    }
    pairs_file = test::shared_data("faces/lfw_view1/pairsDevTrain.txt");
  }
  const MachineInfo machine = machine_info();
  std::printf("machine: %s\n", machine.describe().c_str());
  const auto pairs = read_pairs(*pairs_file, limit);
  auto engine = FaceEngine::create();

  std::map<fs::path, std::optional<Measured>> measured;  // per photo; nullopt: no face
  double fit_ms = 0;
  int fits = 0;
  auto measure = [&](const fs::path& path) -> const std::optional<Measured>& {
    auto [it, inserted] = measured.try_emplace(path);
    if (!inserted) return it->second;
    try {
      const cv::Mat image = load_image(path);
      AnalyzeOptions options{.embed = false, .thorough = true};
      const auto faces = engine->analyze(image, options);
      const int primary = pick_primary_face(faces, image.size());
      if (primary < 0) return it->second;
      const cv::Mat& chip = faces[static_cast<std::size_t>(primary)].chip;
      const cv::Mat thumbnail = test::as_gallery_thumbnail(chip);
      const auto t0 = Clock::now();
      Measured m{app::morph_face(*engine, chip, app::kFeatureChipSide).points,
                 app::morph_face(*engine, thumbnail, app::kFeatureChipSide).points};
      fit_ms += std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      fits += 2;
      it->second = std::move(m);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
    }
    return it->second;
  };

  // Distances per feature, [same, different].
  std::array<std::array<std::vector<double>, app::kFaceFeatures.size()>, 2> d;
  std::array<std::vector<double>, 2> mean_percent;
  std::size_t skipped = 0;
  for (const test::LfwPair& p : pairs) {
    const auto& a = measure(p.a);
    const auto& b = measure(p.b);
    if (!a || !b) {
      ++skipped;
      continue;
    }
    const auto dist = app::feature_distances(a->person, b->thumbnail);
    double sum = 0;
    for (const auto f : app::kFaceFeatures) {
      d[p.same ? 0 : 1][static_cast<std::size_t>(f)].push_back(dist[f]);
      sum += app::feature_similarity_percent(f, dist[f]);
    }
    mean_percent[p.same ? 0 : 1].push_back(sum / app::kFaceFeatures.size());
  }

  std::printf("%s: %zu same and %zu different pairs measured, %zu skipped (no face)\n",
              pairs_file->string().c_str(), d[0][0].size(), d[1][0].size(), skipped);
  std::printf("landmark fit on one chip (morph_face at %d px): %.2f ms\n\n", app::kFeatureChipSide,
              fits ? fit_ms / fits : 0.0);
  std::printf("%-6s %29s %29s %8s %8s %6s\n", "", "same person: q25 median q75",
              "different: q25 median q75", "same %", "diff %", "AUC");
  nlohmann::json out = {{"benchmark", "feature_resemblance"},
                        {"machine", machine.describe()},
                        {"pairs", pairs_file->string()},
                        {"fit_ms", fits ? fit_ms / fits : 0.0}};
  for (const auto f : app::kFaceFeatures) {
    const auto& same = d[0][static_cast<std::size_t>(f)];
    const auto& diff = d[1][static_cast<std::size_t>(f)];
    const double ms = quantile(same, 0.5), md = quantile(diff, 0.5);
    const double a = auc(same, diff);
    std::printf("%-6s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %7.1f%% %7.1f%% %6.3f\n",
                std::string(app::feature_name(f)).c_str(), quantile(same, 0.25), ms,
                quantile(same, 0.75), quantile(diff, 0.25), md, quantile(diff, 0.75),
                app::feature_similarity_percent(f, ms), app::feature_similarity_percent(f, md), a);
    out["features"][std::string(app::feature_name(f))] = {{"same_median", ms},
                                                          {"different_median", md},
                                                          {"same_q25", quantile(same, 0.25)},
                                                          {"same_q75", quantile(same, 0.75)},
                                                          {"different_q25", quantile(diff, 0.25)},
                                                          {"different_q75", quantile(diff, 0.75)},
                                                          {"auc", a}};
  }
  const double mean_same = quantile(mean_percent[0], 0.5),
               mean_diff = quantile(mean_percent[1], 0.5);
  std::printf("\nmean of the five %%, median pair: same person %.1f %%, different %.1f %%\n",
              mean_same, mean_diff);
  out["mean_percent_median"] = {{"same", mean_same}, {"different", mean_diff}};
  std::ofstream(json_path) << out.dump(2) << "\n";
  std::printf("written to %s\n", json_path.c_str());
}

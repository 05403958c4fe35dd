// lookalike-bench-jitter: LFW View 1 (pairsDevTest, the LFW test's method: lfw_view1.hpp) with
// embeddings averaged over the chip, its mirror and N jittered copies, for each N. The faces
// are found once; each N embeds them again. Prints the machine line, a table (accuracy at
// dlib's 0.6, CPU ms per face of the embedding: N + 2 network passes) and writes the same as
// JSON after every N.
//
//   build/release/tests/engine/lookalike-bench-jitter [--jitter 0 4 10 100] [--pairs N]
//       [--threads T] [--json FILE]
//   (--pairs: the first N/2 same and N/2 different of the 1000 pairs; LOOKALIKE_MODEL_DIR for
//   the weights)
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "lfw_view1.hpp"
#include "lookalike/file_util.hpp"
#include "lookalike/machine.hpp"
#include "test_support.hpp"

using namespace lookalike;

int main(int argc, char** argv) {
  CLI::App app{"LFW View 1 accuracy and time per face for jitter settings"};
  std::vector<int> jitters{0, 4, 10, 100};
  std::size_t pairs = 0;
  unsigned threads = 0;
  std::string json_path = "jitter_bench.json";
  app.add_option("--jitter", jitters, "jittered copies per face, one run each")
      ->check(CLI::Range(0, kMaxJitter));
  app.add_option("--pairs", pairs,
                 "only the first N/2 same and N/2 different pairs of pairsDevTest (0 = all 1000)");
  app.add_option("--threads", threads, "workers (0 = all cores)");
  app.add_option("--json", json_path, "where the JSON goes");
  CLI11_PARSE(app, argc, argv);

  const auto shared = test::shared_dir();
  if (!shared) {
    std::fprintf(stderr, "error: ../shared (LFW View 1) not found; set LOOKALIKE_SHARED_DIR\n");
    return 2;
  }
  const auto root = *shared / "data" / "faces" / "lfw_view1";
  const MachineInfo machine = machine_info();
  std::printf("machine: %s; workers: %u\n", machine.describe().c_str(),
              threads ? threads : machine.cores);
  const auto chips = test::lfw_view1_chips(root, pairs, threads);
  for (const auto& failure : chips.failures) std::fprintf(stderr, "failed: %s\n", failure.c_str());
  std::printf(
      "%zu pairs, %zu photos (%zu aligned from LFW's box); detection, landmarks and "
      "alignment: %.1f CPU ms per face\n",
      chips.pairs.size(), chips.chips.size(), chips.no_detection.size(), chips.cpu_ms_per_face);
  nlohmann::json out = {{"benchmark", "jitter"},
                        {"machine", machine.describe()},
                        {"pairs", chips.pairs.size()},
                        {"photos", chips.chips.size()},
                        {"no_detection", chips.no_detection.size()},
                        {"failures", chips.failures.size()},
                        {"find_cpu_ms_per_face", chips.cpu_ms_per_face},
                        {"runs", nlohmann::json::array()}};
  std::printf(
      "| jitter | network passes per face | accuracy %% at 0.6 | same | different | mean "
      "distance same / different | best threshold: accuracy %% | embedding CPU ms/face | wall s "
      "|\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const int jitter : jitters) {
    const auto r = test::score_lfw_view1(chips, /*mirror_average=*/true, jitter, threads);
    std::printf("| %d | %d | %.1f | %d/%d | %d/%d | %.4f / %.4f | %.3f: %.1f | %.1f | %.0f |\n",
                jitter, jitter + 2, r.accuracy_percent, r.same_correct, r.same_total,
                r.different_correct, r.different_total, r.mean_same_distance,
                r.mean_different_distance, r.best_threshold, r.best_threshold_accuracy_percent,
                r.embed_cpu_ms_per_face, r.wall_seconds);
    std::fflush(stdout);
    out["runs"].push_back({{"jitter", jitter},
                           {"network_passes", jitter + 2},
                           {"accuracy_percent", r.accuracy_percent},
                           {"same_correct", r.same_correct},
                           {"different_correct", r.different_correct},
                           {"mean_same_distance", r.mean_same_distance},
                           {"mean_different_distance", r.mean_different_distance},
                           {"best_threshold", r.best_threshold},
                           {"best_threshold_accuracy_percent", r.best_threshold_accuracy_percent},
                           {"embed_cpu_ms_per_face", r.embed_cpu_ms_per_face},
                           {"wall_seconds", r.wall_seconds}});
    const std::string text = out.dump(2) + "\n";  // after every run: N = 100 is long
    write_file_atomically(json_path, std::as_bytes(std::span(text.data(), text.size())));
  }
  std::printf("wrote %s\n", json_path.c_str());
  return 0;
}

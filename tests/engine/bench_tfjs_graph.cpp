// lookalike-bench-tfjs-graph: one forward pass of each imported TF.js graph model on one thread,
// OpenCV dnn layers vs oneDNN primitives (the two backends of lookalike/tfjs_graph), plus the
// load time (parse, weights, network build, the warm-up forward). Prints the machine line and a
// table: median and p90 over --repeats runs after --warmup runs.
//
//   build/release/tests/engine/lookalike-bench-tfjs-graph [--repeats 200] [--threads 1]
//       [--models DIR] [MODEL...]     (default: blazeface-front blazeface-back
//       gender-ssrnet-imdb; a backend that refuses a model says so in its row)
#include <omp.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <opencv2/core.hpp>
#include <optional>

#include "lookalike/elapsed.hpp"
#include "lookalike/engine/model_paths.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/machine.hpp"
#include "lookalike/stats.hpp"
#include "lookalike/tfjs_graph/graph_model.hpp"

namespace fs = std::filesystem;
using namespace lookalike;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  CLI::App app{"OpenCV dnn vs oneDNN for the imported TF.js graph models"};
  int repeats = 200, warmup = 20, threads = 1;
  std::string dir = (default_model_dir() / "human-models").string();
  std::vector<std::string> models{"blazeface-front", "blazeface-back", "gender-ssrnet-imdb"};
  app.add_option("--repeats", repeats, "timed forward passes per model and backend");
  app.add_option("--warmup", warmup, "untimed passes first");
  app.add_option("--threads", threads, "threads for both backends");
  app.add_option("--models", dir, "folder of MODEL.json files (models/fetch's human-models)");
  app.add_option("models", models, "model names");
  CLI11_PARSE(app, argc, argv);

  cv::setNumThreads(threads);
  omp_set_num_threads(threads);
  std::printf("machine: %s; threads: %d; %d runs after %d warm-up runs\n",
              machine_info().describe().c_str(), threads, repeats, warmup);
  std::printf("| model | backend | layers | load ms | forward median ms | p90 ms |\n");
  std::printf("|---|---|---:|---:|---:|---:|\n");
  for (const std::string& name : models) {
    for (const auto backend : {tfjs_graph::Backend::kOpencv, tfjs_graph::Backend::kOnednn}) {
      const char* backend_name = backend == tfjs_graph::Backend::kOnednn ? "oneDNN" : "OpenCV dnn";
      const auto start = Clock::now();
      std::optional<tfjs_graph::GraphModel> loaded;
      try {
        loaded.emplace(tfjs_graph::GraphModel::load(fs::path(dir) / (name + ".json"), backend));
      } catch (const ModelError&) {
        std::printf("| %s | %s | refused | | | |\n", name.c_str(), backend_name);
        continue;
      }
      const double load_ms = ms_since(start);
      auto& model = *loaded;
      tfjs_graph::Tensor input{model.input_shape(), {}};
      input.values.resize(static_cast<std::size_t>(input.shape[1]) * input.shape[2] *
                          input.shape[3]);
      for (std::size_t i = 0; i < input.values.size(); ++i)
        input.values[i] = static_cast<float>(i % 255) / 127.5f - 1.f;
      for (int i = 0; i < warmup; ++i) model.run(input);
      std::vector<double> times;
      for (int i = 0; i < repeats; ++i) {
        const auto t = Clock::now();
        model.run(input);
        times.push_back(ms_since(t));
      }
      std::printf("| %s | %s | %d | %.1f | %.3f | %.3f |\n", name.c_str(), backend_name,
                  model.summary().layers, load_ms, *percentile(times, 50), *percentile(times, 90));
    }
  }
  return 0;
}

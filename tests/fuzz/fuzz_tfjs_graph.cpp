// Fuzz target: TF.js graph models (tfjs_graph::GraphModel::load, graph_model.hpp): model.json
// (GraphDef nodes, attributes, signature, weights manifest) and its shard, then the OpenCV dnn
// network built from it and its warm-up forward. Input: the model.json text, then the line
// "\n--shard--\n", then the bytes of model.bin (the shard name the seeds use).
// Finding: a crash or sanitizer report, or an exception other than ModelError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/tfjs_graph/graph_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view kSeparator = "\n--shard--\n";
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find(kSeparator);
  const std::string_view model = input.substr(0, cut);
  const std::string_view shard =
      cut == std::string_view::npos ? std::string_view{} : input.substr(cut + kSeparator.size());
  const auto& scratch = lookalike::fuzz::scratch();
  scratch.write("model.json", model);
  scratch.write("model.bin", shard);
  try {
    // OpenCV: no JIT compilation per input (oneDNN's would dominate every run).
    (void)lookalike::tfjs_graph::GraphModel::load(scratch.dir() / "model.json",
                                                  lookalike::tfjs_graph::Backend::kOpencv);
  } catch (const lookalike::ModelError&) {
  }
  return 0;
}

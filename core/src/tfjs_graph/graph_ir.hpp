// The importer's intermediate form: a TF.js graph model reduced to the operations it computes,
// in execution order, with every constant folded in and every shape known (TensorFlow layout:
// NHWC for 4-D tensors). parse_graph() builds it from model.json; build_opencv_net() turns it
// into layers. Private to core/src/tfjs_graph.
#pragma once

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "lookalike/tfjs_graph/graph_model.hpp"

namespace lookalike::tfjs_graph {

enum class OpKind {
  kInput,
  kConv,
  kAdd,
  kRelu,
  kPad,
  kMaxPool,
  kReshape,
  // SSR-Net's ops; the OpenCV dnn backend refuses the last three.
  kAvgPool,
  kTanh,
  kMatMul,
  kBinary,
  kSlice
};

// kBinary: out = a OP b, b another op of the same shape or a scalar constant.
enum class BinaryOp { kAdd, kMul, kDiv };

// A 2-D window (convolution or pooling) with TensorFlow's SAME/VALID padding made explicit.
struct Window {
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
};

struct Op {
  OpKind kind = OpKind::kInput;
  std::string node;            // the GraphDef node it comes from
  std::vector<int> inputs;     // indices of earlier ops
  std::vector<int> shape;      // of its output, TensorFlow layout
  Window window;               // kConv, kMaxPool, kAvgPool
  int groups = 1;              // kConv: input channels for depthwise convolutions
  bool relu = false;           // kConv, kMatMul: ReLU fused after the bias
  std::vector<float> filters;  // kConv: OIHW (out, in / groups, kh, kw); kMatMul: [in][out]
  std::vector<float> bias;     // kConv, kMatMul: empty when the op has none
  std::vector<std::array<int, 2>> paddings;  // kPad: (before, after) per TensorFlow dimension
  BinaryOp binary = BinaryOp::kAdd;          // kBinary
  bool has_scalar = false;                   // kBinary: b is `scalar`, not inputs[1]
  float scalar = 0;
  std::vector<int> offsets, sizes;  // kSlice: the box taken, before shrunk axes are dropped
};

struct Graph {
  std::vector<Op> ops;  // in execution order; ops[0] is the input
  std::vector<std::string> output_names;
  std::vector<int> outputs;  // op index of each output
  GraphSummary summary;
};

// Reads `model_json` and its shards; throws ModelError("<model_json>: ...") for anything the
// importer cannot run.
Graph parse_graph(const std::filesystem::path& model_json);

}  // namespace lookalike::tfjs_graph

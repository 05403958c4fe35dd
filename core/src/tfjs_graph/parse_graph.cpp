// model.json -> Graph: node checks, constant folding and shape inference (see graph_ir.hpp).
#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <span>

#include "graph_def_json.hpp"
#include "graph_ir.hpp"
#include "lookalike/engine/tfjs_weights.hpp"
#include "lookalike/errors.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lookalike::tfjs_graph {
namespace {

constexpr std::uintmax_t kMaxJsonBytes = 64u << 20;  // human-models' largest is ~1 MB
// Activations: a hostile model.json must not make load() allocate gigabytes. BlazeFace-back's
// largest tensor has 393,216 elements (128x128x24).
constexpr std::size_t kMaxElements = std::size_t{1} << 24;       // per tensor: 64 MB of float32
constexpr std::size_t kMaxTotalElements = std::size_t{1} << 26;  // all of them: 256 MB
constexpr int kMaxDim = 1 << 16;

const std::set<std::string> kSupportedOps = {
    "Placeholder",  "Const",   "Identity",     "Conv2D",    "DepthwiseConv2dNative",
    "_FusedConv2D", "AddV2",   "Add",          "Relu",      "Pad",
    "MaxPool",      "Reshape", "AvgPool",      "Tanh",      "_FusedMatMul",
    "Mul",          "RealDiv", "StridedSlice", "ExpandDims"};

// What a node lowers to: an op of the graph, or a constant folded at load time.
struct Value {
  int op = -1;
  const TfjsTensor* constant = nullptr;
};

class Parser {
 public:
  Parser(const json& doc, const fs::path& dir) : doc_(doc) {
    const json& topology = doc.at("modelTopology");
    for (const auto& node : topology.at("node")) {
      if (!node.is_object() || !node.contains("name") || !node["name"].is_string() ||
          !node.contains("op") || !node["op"].is_string())
        throw ModelError("a node without a name or op: " + node.dump().substr(0, 200));
      const std::string op = node["op"].get<std::string>();
      const std::string name = node["name"].get<std::string>();
      if (!kSupportedOps.contains(op))
        throw ModelError("op '" + op + "' (node " + name + ") is not supported");
      if (!nodes_.emplace(name, &node).second) throw ModelError("node " + name + " appears twice");
    }
    graph_.summary.nodes = static_cast<int>(nodes_.size());
    TfjsLoadReport report;
    weights_ = read_tfjs_tensors(doc.at("weightsManifest"), dir, report);
    graph_.summary.tensors = report.tensors;
    graph_.summary.weights = report.weights;
  }

  Graph run() {
    lower_input();
    for (const std::string& name : output_nodes()) {
      const Value v = lower(name);
      if (v.op < 0) throw ModelError("output " + name + " is a constant");
      graph_.output_names.push_back(name);
      graph_.outputs.push_back(v.op);
    }
    return std::move(graph_);
  }

 private:
  // The signature's outputs when the converter wrote one, else the nodes nothing consumes.
  std::vector<std::string> output_nodes() const {
    const json* signature = nullptr;
    if (doc_.contains("signature"))
      signature = &doc_["signature"];
    else if (doc_.contains("userDefinedMetadata") && doc_["userDefinedMetadata"].is_object() &&
             doc_["userDefinedMetadata"].contains("signature"))
      signature = &doc_["userDefinedMetadata"]["signature"];
    std::set<std::string> names;  // sorted: a stable order for callers
    if (signature && signature->contains("outputs") && (*signature)["outputs"].is_object()) {
      for (const auto& [key, value] : (*signature)["outputs"].items())
        names.insert(key.substr(0, key.rfind(':')));
    } else {
      std::set<std::string> consumed;
      for (const auto& [name, node] : nodes_)
        if (node->contains("input"))
          for (const auto& in : (*node)["input"]) consumed.insert(input_node(*node, in));
      for (const auto& [name, node] : nodes_)
        if (!consumed.contains(name) && (*node)["op"] != "Const") names.insert(name);
    }
    for (const auto& name : names)
      if (!nodes_.contains(name)) throw ModelError("output " + name + " is not a node");
    if (names.empty()) throw ModelError("the graph has no outputs");
    return {names.begin(), names.end()};
  }

  void lower_input() {
    const json* input = nullptr;
    for (const auto& [name, node] : nodes_)
      if ((*node)["op"] == "Placeholder") {
        if (input) throw ModelError("more than one input (Placeholder): not supported");
        input = node;
      }
    if (!input) throw ModelError("the graph has no input (Placeholder)");
    std::vector<int> shape;
    const json* a = attr(*input, "shape");
    if (!a || !a->contains("shape") || !(*a)["shape"].contains("dim"))
      fail_node(*input, "the input has no shape");
    for (const auto& d : (*a)["shape"]["dim"]) {
      long long size = parse_int(*input, d.value("size", json("0")));
      if (shape.empty() && size == -1) size = 1;  // batch 1
      if (size <= 0 || size > kMaxDim) fail_node(*input, "input dimension " + d.dump());
      shape.push_back(static_cast<int>(size));
    }
    if (shape.size() != 4 || shape[0] != 1)
      fail_node(*input, "input shape " + shape_text(shape) + " is not one NHWC image");
    check_size(*input, shape);
    Op op;
    op.kind = OpKind::kInput;
    op.node = (*input)["name"].get<std::string>();
    op.shape = shape;
    // The name is copied first: C++17 evaluates the right side of `=` before the left, and
    // add() takes the op (and its name) by value.
    const std::string name = op.node;
    values_[name] = Value{add(std::move(op)), nullptr};
  }

  // Depth-first from `name`, iteratively (a hostile chain of nodes must not exhaust the stack).
  Value lower(const std::string& name) {
    std::vector<std::pair<std::string, bool>> stack{{name, false}};
    std::set<std::string> on_path;
    while (!stack.empty()) {
      auto [current, inputs_done] = stack.back();
      stack.pop_back();
      if (values_.contains(current)) continue;
      auto it = nodes_.find(current);
      if (it == nodes_.end()) throw ModelError("input " + current + " is not a node");
      const json& node = *it->second;
      if (inputs_done) {
        on_path.erase(current);
        values_[current] = lower_node(node);
        continue;
      }
      if (!on_path.insert(current).second) fail_node(node, "the graph has a cycle");
      stack.emplace_back(current, true);
      if (node.contains("input"))
        for (const auto& in : node["input"]) {
          if (!in.is_string()) fail_node(node, "an input is not a name");
          const std::string dep = input_node(node, in.get<std::string>());
          if (on_path.contains(dep)) fail_node(node, "the graph has a cycle");
          if (!values_.contains(dep)) stack.emplace_back(dep, false);
        }
    }
    return values_.at(name);
  }

  std::vector<Value> inputs_of(const json& node, std::size_t expected) {
    std::vector<Value> out;
    if (node.contains("input"))
      for (const auto& in : node["input"])
        out.push_back(values_.at(input_node(node, in.get<std::string>())));
    if (out.size() != expected)
      fail_node(node, "has " + std::to_string(out.size()) + " inputs, expected " +
                          std::to_string(expected));
    return out;
  }

  const Op& image_input(const json& node, const Value& v) {
    if (v.op < 0) fail_node(node, "its data input is a constant (not supported)");
    const Op& op = graph_.ops[v.op];
    if (op.shape.size() != 4)
      fail_node(node, "needs a 4-D NHWC input, got " + shape_text(op.shape));
    return op;
  }

  const TfjsTensor& constant(const json& node, const Value& v, const char* what, bool ints) {
    if (!v.constant) fail_node(node, std::string("its ") + what + " is not a constant");
    if (v.constant->is_int != ints)
      fail_node(node, std::string("its ") + what + " is not " + (ints ? "int32" : "float32"));
    return *v.constant;
  }

  void check_size(const json& node, const std::vector<int>& shape) {
    std::size_t n = 1;
    for (int d : shape) {
      if (d <= 0 || d > kMaxDim) fail_node(node, "output shape " + shape_text(shape));
      n *= static_cast<std::size_t>(d);
      if (n > kMaxElements) fail_node(node, "output shape " + shape_text(shape) + " is too large");
    }
  }

  // NHWC strides/ksize/dilations/data_format and SAME/VALID padding -> an explicit window.
  Window window(const json& node, const std::vector<int>& in, int kh, int kw) {
    if (attr_string(node, "data_format", "NHWC") != "NHWC")
      fail_node(node, "data_format " + attr_string(node, "data_format", "") + " is not supported");
    for (long long d : attr_ints(node, "dilations"))
      if (d != 1) fail_node(node, "dilated convolutions are not supported");
    const auto strides = attr_ints(node, "strides");
    if (strides.size() != 4 || strides[0] != 1 || strides[3] != 1 || strides[1] < 1 ||
        strides[2] < 1 || strides[1] > 64 || strides[2] > 64)
      fail_node(node, "strides must be [1,h,w,1]");
    if (kh < 1 || kw < 1 || kh > kMaxDim || kw > kMaxDim)
      fail_node(node, "window " + std::to_string(kh) + "x" + std::to_string(kw));
    Window w;
    w.kernel_h = kh;
    w.kernel_w = kw;
    w.stride_h = static_cast<int>(strides[1]);
    w.stride_w = static_cast<int>(strides[2]);
    const std::string padding = attr_string(node, "padding", "");
    auto pads = [&](int size, int k, int s, int& before, int& after) {
      if (padding == "VALID") {
        if (size < k) fail_node(node, "the window is larger than its " + shape_text(in) + " input");
        return (size - k) / s + 1;
      }
      const int out = (size + s - 1) / s;
      const int total = std::max((out - 1) * s + k - size, 0);
      before = total / 2;  // TensorFlow puts the odd pixel after
      after = total - before;
      return out;
    };
    if (padding != "SAME" && padding != "VALID")
      fail_node(node, "padding \"" + padding + "\" is not supported");
    pads(in[1], kh, w.stride_h, w.pad_top, w.pad_bottom);
    pads(in[2], kw, w.stride_w, w.pad_left, w.pad_right);
    return w;
  }

  std::vector<int> window_output(const std::vector<int>& in, const Window& w, int channels) {
    return {in[0], (in[1] + w.pad_top + w.pad_bottom - w.kernel_h) / w.stride_h + 1,
            (in[2] + w.pad_left + w.pad_right - w.kernel_w) / w.stride_w + 1, channels};
  }

  Value lower_node(const json& node) {
    const std::string kind = node["op"].get<std::string>();
    const std::string name = node["name"].get<std::string>();
    if (kind == "Const") {
      auto it = weights_.find(name);
      if (it == weights_.end()) fail_node(node, "no tensor of that name in the weights manifest");
      return Value{-1, &it->second};
    }
    if (kind == "Placeholder") fail_node(node, "a second input");  // lowered first
    if (kind == "Identity") return inputs_of(node, 1)[0];
    Op op;
    op.node = name;
    if (kind == "Conv2D" || kind == "DepthwiseConv2dNative" || kind == "_FusedConv2D")
      lower_conv(node, kind, op);
    else if (kind == "AddV2" || kind == "Add" || kind == "Mul" || kind == "RealDiv")
      lower_binary(node, kind, op);
    else if (kind == "Relu" || kind == "Tanh") {
      const auto in = inputs_of(node, 1);
      if (in[0].op < 0) fail_node(node, "its input is a constant (not supported)");
      op.kind = kind == "Relu" ? OpKind::kRelu : OpKind::kTanh;
      op.inputs = {in[0].op};
      op.shape = graph_.ops[in[0].op].shape;
    } else if (kind == "Pad") {
      lower_pad(node, op);
    } else if (kind == "MaxPool" || kind == "AvgPool") {
      const auto in = inputs_of(node, 1);
      const Op& x = image_input(node, in[0]);
      const auto ksize = attr_ints(node, "ksize");
      if (ksize.size() != 4 || ksize[0] != 1 || ksize[3] != 1 || ksize[1] < 1 || ksize[2] < 1 ||
          ksize[1] > kMaxDim || ksize[2] > kMaxDim)
        fail_node(node, "ksize must be [1,h,w,1]");
      op.kind = kind == "MaxPool" ? OpKind::kMaxPool : OpKind::kAvgPool;
      op.window = window(node, x.shape, static_cast<int>(ksize[1]), static_cast<int>(ksize[2]));
      op.shape = window_output(x.shape, op.window, x.shape[3]);
      op.inputs = {in[0].op};
    } else if (kind == "Reshape") {
      lower_reshape(node, op);
    } else if (kind == "ExpandDims") {
      lower_expand_dims(node, op);
    } else if (kind == "_FusedMatMul") {
      lower_matmul(node, op);
    } else if (kind == "StridedSlice") {
      lower_slice(node, op);
    } else {
      throw ModelError("op '" + kind + "' (node " + name + ") is not supported");
    }
    check_size(node, op.shape);
    return Value{add(std::move(op)), nullptr};
  }

  void lower_conv(const json& node, const std::string& kind, Op& op) {
    const bool fused = kind == "_FusedConv2D";
    const bool depthwise = kind == "DepthwiseConv2dNative";
    const auto in = inputs_of(node, fused ? 3 : 2);
    const Op& x = image_input(node, in[0]);
    const TfjsTensor& f = constant(node, in[1], "filter", false);
    // TensorFlow filters: HWIO for Conv2D, [h][w][in][multiplier] for depthwise.
    if (f.shape.size() != 4) fail_node(node, "filter shape " + shape_text(f.shape) + " is not 4-D");
    const int kh = f.shape[0], kw = f.shape[1], cin = f.shape[2], m = f.shape[3];
    const int channels = x.shape[3];
    if (cin != channels || kh <= 0 || kw <= 0 || m <= 0)
      fail_node(node,
                "filter " + shape_text(f.shape) + " does not fit its input " + shape_text(x.shape));
    if (static_cast<long long>(depthwise ? cin : 1) * m > kMaxDim)
      fail_node(node, "filter " + shape_text(f.shape) + " has too many outputs");
    const int cout = depthwise ? cin * m : m;
    op.kind = OpKind::kConv;
    op.inputs = {in[0].op};
    op.window = window(node, x.shape, kh, kw);
    op.shape = window_output(x.shape, op.window, cout);
    op.groups = depthwise ? cin : 1;
    const int per_group = depthwise ? 1 : cin;
    op.filters.resize(f.values.size());
    // -> OIHW; a depthwise output channel c * m + j reads input channel c only.
    for (int y = 0; y < kh; ++y)
      for (int x2 = 0; x2 < kw; ++x2)
        for (int i = 0; i < cin; ++i)
          for (int j = 0; j < m; ++j) {
            const int o = depthwise ? i * m + j : j;
            const int i_in_group = depthwise ? 0 : i;
            op.filters[((static_cast<std::size_t>(o) * per_group + i_in_group) * kh + y) * kw +
                       x2] = f.values[((static_cast<std::size_t>(y) * kw + x2) * cin + i) * m + j];
          }
    if (!fused) return;
    const auto ops = attr_strings(node, "fused_ops");
    const bool bias = !ops.empty() && ops[0] == "BiasAdd";
    op.relu = ops.size() == 2 && ops[1] == "Relu";
    if (!bias || ops.size() > 2 || (ops.size() == 2 && !op.relu)) {
      std::string list;
      for (const auto& s : ops) {
        if (!list.empty()) list += ',';
        list += s;
      }
      fail_node(node, "fused_ops [" + list + "] are not supported (BiasAdd, then Relu)");
    }
    const TfjsTensor& b = constant(node, in[2], "bias", false);
    if (b.values.size() != static_cast<std::size_t>(cout))
      fail_node(node, "bias " + shape_text(b.shape) + " does not match " + std::to_string(cout) +
                          " output channels");
    op.bias = b.values;
  }

  // a + b, a * b, a / b: two ops of one shape, or an op and a one-element constant.
  void lower_binary(const json& node, const std::string& kind, Op& op) {
    const auto in = inputs_of(node, 2);
    op.inputs = {};
    op.binary = kind == "Mul"       ? BinaryOp::kMul
                : kind == "RealDiv" ? BinaryOp::kDiv
                                    : BinaryOp::kAdd;
    if (in[0].op >= 0 && in[1].op >= 0) {
      const Op &a = graph_.ops[in[0].op], &b = graph_.ops[in[1].op];
      if (a.shape != b.shape)
        fail_node(node, "broadcasting " + shape_text(a.shape) + " and " + shape_text(b.shape) +
                            " is not supported");
      op.kind = op.binary == BinaryOp::kAdd ? OpKind::kAdd : OpKind::kBinary;
      op.inputs = {in[0].op, in[1].op};
      op.shape = a.shape;
      return;
    }
    const bool constant_first = in[0].op < 0;
    if (constant_first && in[1].op < 0) fail_node(node, "both inputs are constants");
    if (constant_first && op.binary == BinaryOp::kDiv)
      fail_node(node, "dividing a constant by a tensor is not supported");
    const TfjsTensor& c = constant(node, in[constant_first ? 0 : 1], "constant operand", false);
    if (c.values.size() != 1)
      fail_node(node, "a constant operand of shape " + shape_text(c.shape) +
                          " (only single values broadcast)");
    op.kind = OpKind::kBinary;
    op.has_scalar = true;
    op.scalar = c.values[0];
    op.inputs = {in[constant_first ? 1 : 0].op};
    op.shape = graph_.ops[op.inputs[0]].shape;
  }

  // ExpandDims: a Reshape that inserts a 1 at `dim` (negative counts from the end).
  void lower_expand_dims(const json& node, Op& op) {
    const auto in = inputs_of(node, 2);
    if (in[0].op < 0) fail_node(node, "its input is a constant (not supported)");
    const TfjsTensor& d = constant(node, in[1], "dim", true);
    const auto& shape = graph_.ops[in[0].op].shape;
    const int rank = static_cast<int>(shape.size());
    if (d.ints.size() != 1 || d.ints[0] < -rank - 1 || d.ints[0] > rank || rank >= 8)
      fail_node(node, "dim must be one axis of the output");
    const int axis = d.ints[0] < 0 ? d.ints[0] + rank + 1 : d.ints[0];
    op.kind = OpKind::kReshape;
    op.inputs = {in[0].op};
    op.shape = shape;
    op.shape.insert(op.shape.begin() + axis, 1);
  }

  // _FusedMatMul [1, K] x [K, M] (constant) + bias, optionally ReLU; no transposes.
  void lower_matmul(const json& node, Op& op) {
    const auto in = inputs_of(node, 3);
    if (in[0].op < 0) fail_node(node, "its input is a constant (not supported)");
    const auto& x = graph_.ops[in[0].op].shape;
    const TfjsTensor& w = constant(node, in[1], "weights", false);
    const TfjsTensor& b = constant(node, in[2], "bias", false);
    for (const char* key : {"transpose_a", "transpose_b"})
      if (const json* a = attr(node, key); a && a->value("b", false))
        fail_node(node, std::string(key) + " is not supported");
    if (x.size() != 2 || w.shape.size() != 2 || w.shape[0] != x[1])
      fail_node(node, "weights " + shape_text(w.shape) + " do not fit its input " + shape_text(x));
    const int m = w.shape[1];
    if (b.values.size() != static_cast<std::size_t>(m))
      fail_node(node, "bias " + shape_text(b.shape) + " does not match " + std::to_string(m) +
                          " outputs");
    const auto ops = attr_strings(node, "fused_ops");
    op.relu = ops.size() == 2 && ops[1] == "Relu";
    if (ops.empty() || ops[0] != "BiasAdd" || ops.size() > 2 || (ops.size() == 2 && !op.relu))
      fail_node(node, "fused_ops must be BiasAdd, then optionally Relu");
    op.kind = OpKind::kMatMul;
    op.inputs = {in[0].op};
    op.shape = {x[0], m};
    op.filters = w.values;
    op.bias = b.values;
  }

  // StridedSlice with unit strides and no ellipsis or new axes: a box, shrunk axes dropped.
  void lower_slice(const json& node, Op& op) {
    const auto in = inputs_of(node, 4);
    if (in[0].op < 0) fail_node(node, "its input is a constant (not supported)");
    const auto& x = graph_.ops[in[0].op].shape;
    const int rank = static_cast<int>(x.size());
    const TfjsTensor& begin = constant(node, in[1], "begin", true);
    const TfjsTensor& end = constant(node, in[2], "end", true);
    const TfjsTensor& strides = constant(node, in[3], "strides", true);
    auto mask = [&](const char* key) {
      const json* a = attr(node, key);
      return a && a->contains("i") ? parse_int(node, (*a)["i"]) : 0;
    };
    if (mask("ellipsis_mask") != 0 || mask("new_axis_mask") != 0)
      fail_node(node, "ellipsis and new-axis masks are not supported");
    const long long begin_mask = mask("begin_mask"), end_mask = mask("end_mask"),
                    shrink = mask("shrink_axis_mask");
    if (static_cast<int>(begin.ints.size()) != rank || end.ints.size() != begin.ints.size() ||
        strides.ints.size() != begin.ints.size())
      fail_node(node, "begin, end and strides must have one value per axis of " + shape_text(x));
    op.kind = OpKind::kSlice;
    op.inputs = {in[0].op};
    for (int axis = 0; axis < rank; ++axis) {
      if (strides.ints[axis] != 1) fail_node(node, "strides other than 1 are not supported");
      auto clamp = [&](long long v) {
        if (v < 0) v += x[axis];
        return static_cast<int>(std::clamp<long long>(v, 0, x[axis]));
      };
      const int b = (begin_mask >> axis) & 1 ? 0 : clamp(begin.ints[axis]);
      int e = (end_mask >> axis) & 1 ? x[axis] : clamp(end.ints[axis]);
      if ((shrink >> axis) & 1) e = b + 1;  // one index, the axis dropped
      if (e <= b || e > x[axis]) fail_node(node, "an empty or out-of-range slice");
      op.offsets.push_back(b);
      op.sizes.push_back(e - b);
      if (!((shrink >> axis) & 1)) op.shape.push_back(e - b);
    }
  }

  void lower_pad(const json& node, Op& op) {
    const auto in = inputs_of(node, 2);
    if (in[0].op < 0) fail_node(node, "its input is a constant (not supported)");
    const Op& x = graph_.ops[in[0].op];
    const TfjsTensor& p = constant(node, in[1], "paddings", true);
    if (p.shape != std::vector<int>{static_cast<int>(x.shape.size()), 2})
      fail_node(node,
                "paddings " + shape_text(p.shape) + " do not fit its input " + shape_text(x.shape));
    op.kind = OpKind::kPad;
    op.inputs = {in[0].op};
    op.shape = x.shape;
    for (std::size_t d = 0; d < x.shape.size(); ++d) {
      const int before = p.ints[2 * d], after = p.ints[2 * d + 1];
      if (before < 0 || after < 0 || before > kMaxDim || after > kMaxDim)
        fail_node(node, "paddings must be between 0 and " + std::to_string(kMaxDim));
      op.paddings.push_back({before, after});
      op.shape[d] += before + after;
    }
  }

  void lower_reshape(const json& node, Op& op) {
    const auto in = inputs_of(node, 2);
    if (in[0].op < 0) fail_node(node, "its input is a constant (not supported)");
    const Op& x = graph_.ops[in[0].op];
    const TfjsTensor& s = constant(node, in[1], "shape", true);
    if (s.shape.size() != 1 || s.ints.empty() || s.ints.size() > 8)
      fail_node(node, "the target shape must list 1 to 8 sizes");
    const std::size_t total = element_count(x.shape);
    std::size_t known = 1;
    int infer = -1;
    for (std::size_t i = 0; i < s.ints.size(); ++i) {
      const int d = s.ints[i];
      if (d == -1 && infer < 0) {
        infer = static_cast<int>(i);
        op.shape.push_back(1);
        continue;
      }
      if (d <= 0 || d > static_cast<int>(kMaxElements))
        fail_node(node, "target size " + std::to_string(d) + " is not supported");
      op.shape.push_back(d);
      known *= static_cast<std::size_t>(d);
      if (known > total) break;
    }
    if (infer >= 0 && known != 0 && total % known == 0)
      op.shape[infer] = static_cast<int>(total / known);
    if (element_count(op.shape) != total || op.shape.size() != s.ints.size())
      fail_node(node, "cannot reshape " + shape_text(x.shape) + " to the target shape");
    op.kind = OpKind::kReshape;
    op.inputs = {in[0].op};
  }

  int add(Op op) {
    total_elements_ += element_count(op.shape);
    if (total_elements_ > kMaxTotalElements)
      throw ModelError("node " + op.node + ": the graph's tensors would take more than " +
                       std::to_string(kMaxTotalElements * 4 >> 20) + " MB");
    graph_.ops.push_back(std::move(op));
    return static_cast<int>(graph_.ops.size()) - 1;
  }

  const json& doc_;
  std::map<std::string, const json*> nodes_;
  std::map<std::string, TfjsTensor> weights_;
  std::map<std::string, Value> values_;
  Graph graph_;
  std::size_t total_elements_ = 0;
};

}  // namespace

Graph parse_graph(const fs::path& model_json) {
  std::error_code ec;
  if (!fs::is_regular_file(model_json, ec))
    throw ModelError(model_json.string() +
                     ": not found; run `lookalike-cli models fetch` (models/fetch in a source "
                     "tree) to download it");
  if (fs::file_size(model_json, ec) > kMaxJsonBytes)
    throw ModelError(model_json.string() + ": larger than " + std::to_string(kMaxJsonBytes >> 20) +
                     " MB: not a TF.js graph model");
  json doc;
  try {
    std::ifstream in(model_json);
    doc = json::parse(in);
  } catch (const std::exception& e) {
    throw ModelError(model_json.string() + ": not valid JSON: " + e.what());
  }
  try {
    if (!doc.is_object() || doc.value("format", std::string()) != "graph-model")
      throw ModelError("not a TF.js graph model (\"format\": \"graph-model\" is missing)");
    return Parser(doc, model_json.parent_path()).run();
  } catch (const ModelError& e) {
    throw ModelError(model_json.string() + ": " + e.what());
  } catch (const std::exception& e) {  // nlohmann's type and key errors
    throw ModelError(model_json.string() + ": malformed graph model: " + e.what());
  }
}

}  // namespace lookalike::tfjs_graph

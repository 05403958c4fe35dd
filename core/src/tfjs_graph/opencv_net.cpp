#include "opencv_net.hpp"

#include <span>

#include "lookalike/errors.hpp"

namespace lookalike::tfjs_graph {
namespace {

enum class Layout { kNchw, kTensorflow };

// A placed op: its layer and the layout its blob is in.
struct Placed {
  int layer = 0;
  Layout layout = Layout::kNchw;
};

class NetBuilder {
 public:
  explicit NetBuilder(OpencvNet& out) : out_(out) {}

  Placed place(const Op& op, const std::vector<Placed>& placed) {
    auto in = [&](std::size_t i) { return placed.at(op.inputs.at(i)); };
    switch (op.kind) {
      case OpKind::kInput:
        return {permute(0, {0, 3, 1, 2}), Layout::kNchw};  // NHWC -> NCHW
      case OpKind::kConv: {
        const int layer = conv(op, as_nchw(in(0)));
        return {op.relu ? add("ReLU", {}, {layer}) : layer, Layout::kNchw};
      }
      case OpKind::kAdd: {
        if (in(0).layout != in(1).layout)
          throw ModelError("node " + op.node + " (AddV2): its inputs are in different layouts");
        cv::dnn::LayerParams p;
        p.set("operation", "sum");
        return {add("Eltwise", p, {in(0).layer, in(1).layer}), in(0).layout};
      }
      case OpKind::kRelu:
        return {add("ReLU", {}, {in(0).layer}), in(0).layout};
      case OpKind::kPad:
        return {pad(op, in(0)), in(0).layout};
      case OpKind::kTanh:
        return {add("TanH", {}, {in(0).layer}), in(0).layout};
      case OpKind::kAvgPool: {
        cv::dnn::LayerParams p = window(op.window);
        p.set("pool", "ave");
        p.set("ave_pool_padded_area", false);  // TensorFlow averages the pixels inside only
        p.set("ceil_mode", false);
        return {add("Pooling", p, {as_nchw(in(0))}), Layout::kNchw};
      }
      case OpKind::kMatMul:
      case OpKind::kBinary:
      case OpKind::kSlice:
        throw ModelError("node " + op.node +
                         ": not supported by the OpenCV dnn backend (the oneDNN one runs it)");
      case OpKind::kMaxPool: {
        cv::dnn::LayerParams p = window(op.window);
        p.set("pool", "max");
        p.set("ceil_mode", false);
        return {add("Pooling", p, {as_nchw(in(0))}), Layout::kNchw};
      }
      case OpKind::kReshape: {
        int layer = in(0).layer;
        if (in(0).layout == Layout::kNchw) layer = permute(layer, {0, 2, 3, 1});  // back to NHWC
        cv::dnn::LayerParams p;
        p.set("dim",
              cv::dnn::DictValue::arrayInt(op.shape.data(), static_cast<int>(op.shape.size())));
        return {add("Reshape", p, {layer}), Layout::kTensorflow};
      }
    }
    throw ModelError("node " + op.node + ": unknown op kind");
  }

  // The layer that yields a 4-D `placed` as NCHW (after a Reshape it is in TensorFlow's NHWC).
  int as_nchw(const Placed& placed) {
    return placed.layout == Layout::kNchw ? placed.layer : permute(placed.layer, {0, 3, 1, 2});
  }

  // The layer that yields `placed` in TensorFlow's layout.
  int as_tensorflow(const Placed& placed) {
    return placed.layout == Layout::kNchw ? permute(placed.layer, {0, 2, 3, 1}) : placed.layer;
  }

  std::string name_of(int layer) const { return names_.at(layer); }

 private:
  static cv::dnn::LayerParams window(const Window& w) {
    cv::dnn::LayerParams p;
    p.set("kernel_h", w.kernel_h);
    p.set("kernel_w", w.kernel_w);
    p.set("stride_h", w.stride_h);
    p.set("stride_w", w.stride_w);
    // TensorFlow's SAME puts the odd pixel after: explicit, possibly unequal, pads.
    p.set("pad_t", w.pad_top);
    p.set("pad_b", w.pad_bottom);
    p.set("pad_l", w.pad_left);
    p.set("pad_r", w.pad_right);
    return p;
  }

  // OpenCV 4.6's convolution refuses unequal pads (TensorFlow's SAME with stride 2 on even
  // sizes): those are zero-padded by a Padding layer first.
  int conv(const Op& op, int input) {
    Window w = op.window;
    if (w.pad_top != w.pad_bottom || w.pad_left != w.pad_right) {
      const int pairs[] = {0, 0, 0, 0, w.pad_top, w.pad_bottom, w.pad_left, w.pad_right};
      input = zero_pad(input, pairs);
      w.pad_top = w.pad_bottom = w.pad_left = w.pad_right = 0;
    }
    const int cout = op.shape[3];
    const int per_out = static_cast<int>(op.filters.size()) / cout;
    const int shape[] = {cout, per_out / (op.window.kernel_h * op.window.kernel_w),
                         op.window.kernel_h, op.window.kernel_w};
    cv::dnn::LayerParams p = window(w);
    p.set("num_output", cout);
    p.set("group", op.groups);
    p.set("bias_term", !op.bias.empty());
    p.blobs.push_back(cv::Mat(4, shape, CV_32F, const_cast<float*>(op.filters.data())).clone());
    if (!op.bias.empty())
      p.blobs.push_back(cv::Mat(1, cout, CV_32F, const_cast<float*>(op.bias.data())).clone());
    return add("Convolution", p, {input});
  }

  // Zero padding; TensorFlow's (before, after) pairs reordered when the blob is NCHW.
  int pad(const Op& op, const Placed& input) {
    std::vector<int> pairs;
    const std::size_t rank = op.paddings.size();
    for (std::size_t d = 0; d < rank; ++d) {
      std::size_t tf_dim = d;
      if (input.layout == Layout::kNchw && rank == 4)
        tf_dim = std::array<std::size_t, 4>{0, 3, 1, 2}[d];
      pairs.push_back(op.paddings[tf_dim][0]);
      pairs.push_back(op.paddings[tf_dim][1]);
    }
    return zero_pad(input.layer, pairs);
  }

  int zero_pad(int input, std::span<const int> pairs) {
    cv::dnn::LayerParams p;
    p.set("paddings", cv::dnn::DictValue::arrayInt(pairs.data(), static_cast<int>(pairs.size())));
    p.set("type", "constant");
    p.set("value", 0.f);
    return add("Padding", p, {input});
  }

  int permute(int input, std::vector<int> order) {
    cv::dnn::LayerParams p;
    p.set("order", cv::dnn::DictValue::arrayInt(order.data(), static_cast<int>(order.size())));
    return add("Permute", p, {input});
  }

  int add(const char* type, cv::dnn::LayerParams p, std::initializer_list<int> inputs) {
    const std::string name = std::string(type) + "_" + std::to_string(out_.layers);
    p.name = name;
    p.type = type;
    const int id = out_.net.addLayer(name, type, p);
    int port = 0;
    for (int in : inputs) out_.net.connect(in, 0, id, port++);
    names_[id] = name;
    ++out_.layers;
    return id;
  }

  OpencvNet& out_;
  std::map<int, std::string> names_;
};

}  // namespace

OpencvNet build_opencv_net(const Graph& graph) {
  OpencvNet out;
  NetBuilder builder(out);
  std::vector<Placed> placed;
  placed.reserve(graph.ops.size());
  for (const Op& op : graph.ops) placed.push_back(builder.place(op, placed));
  for (int op : graph.outputs)
    out.output_layers.push_back(builder.name_of(builder.as_tensorflow(placed.at(op))));
  out.net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  out.net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return out;
}

}  // namespace lookalike::tfjs_graph

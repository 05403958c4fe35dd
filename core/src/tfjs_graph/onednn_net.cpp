#include "onednn_net.hpp"

#include <algorithm>
#include <cstring>
#include <oneapi/dnnl/dnnl.hpp>
#include <unordered_map>

#include "lookalike/engine/tfjs_weights.hpp"
#include "lookalike/errors.hpp"

namespace lookalike::tfjs_graph {
namespace {

using dnnl::memory;
using dt = memory::data_type;
using tag = memory::format_tag;

memory::dims dims_of(const std::vector<int>& shape) {
  return {shape.begin(), shape.end()};
}

// oneDNN orders 4-D dimensions N, C, H, W whatever the layout: NHWC shape -> NCHW dims.
memory::dims logical_dims(const std::vector<int>& nhwc) {
  return {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
}

memory::desc desc_of(const std::vector<int>& shape) {
  if (shape.empty()) return {{1}, dt::f32, tag::a};  // a scalar
  if (shape.size() == 4) return {logical_dims(shape), dt::f32, tag::nhwc};
  memory::dims strides(shape.size(), 1);  // row-major
  for (std::size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return {dims_of(shape), dt::f32, strides};
}

// Which ops read each op's output (graph outputs count as a reader, -1).
std::vector<std::vector<int>> readers_of(const Graph& graph) {
  std::vector<std::vector<int>> readers(graph.ops.size());
  for (std::size_t j = 0; j < graph.ops.size(); ++j)
    for (int in : graph.ops[j].inputs) readers[in].push_back(static_cast<int>(j));
  for (int out : graph.outputs) readers[out].push_back(-1);
  return readers;
}

// Residual adds done in place: for Add a = conv c + x, c may accumulate onto x's buffer (a sum
// post-op) when c has no other reader, x was computed before c and owns its buffer (not the
// input, a view or a zero-bordered Pad), and every other reader of x runs before c. Returns, per
// op, the conv that absorbs it (for adds) or -1.
std::vector<int> adds_done_in_place(const Graph& graph,
                                    const std::vector<std::vector<int>>& readers) {
  std::vector<int> absorbed_by(graph.ops.size(), -1);
  for (std::size_t a = 0; a < graph.ops.size(); ++a) {
    const Op& add = graph.ops[a];
    if (add.kind != OpKind::kAdd) continue;
    for (int side = 0; side < 2; ++side) {
      const int c = add.inputs[side], x = add.inputs[1 - side];
      const Op &conv = graph.ops[c], &shortcut = graph.ops[x];
      const bool owns = shortcut.kind == OpKind::kConv || shortcut.kind == OpKind::kAdd ||
                        shortcut.kind == OpKind::kMaxPool || shortcut.kind == OpKind::kRelu;
      if (conv.kind != OpKind::kConv || conv.relu || readers[c].size() != 1 || x >= c || !owns)
        continue;
      const bool others_done = std::all_of(readers[x].begin(), readers[x].end(), [&](int r) {
        return r == static_cast<int>(a) ||
               (r >= 0 && r < c && graph.ops[r].kind != OpKind::kReshape);
      });
      // A ReLU's buffer may be its producer's (fused): that producer must have no other reader.
      const bool alias_free =
          shortcut.kind != OpKind::kRelu || readers[shortcut.inputs[0]].size() == 1;
      if (others_done && alias_free) {
        absorbed_by[a] = c;
        break;
      }
    }
  }
  return absorbed_by;
}

}  // namespace

struct OnednnNet::Impl {
  struct Step {
    dnnl::primitive primitive;
    std::unordered_map<int, memory> args;
  };

  explicit Impl(const Graph& graph)
      : graph_ops(&graph.ops), engine(dnnl::engine::kind::cpu, 0), stream(engine) {
    const auto readers = readers_of(graph);
    const auto absorbed_by = adds_done_in_place(graph, readers);
    std::vector<int> absorbs(graph.ops.size(), -1);  // conv -> the add it performs
    for (std::size_t a = 0; a < graph.ops.size(); ++a)
      if (absorbed_by[a] >= 0) absorbs[absorbed_by[a]] = static_cast<int>(a);
    // A ReLU whose input has no other reader runs as that op's post-op.
    auto relu_after = [&](std::size_t i) {
      if (readers[i].size() != 1 || i + 1 >= graph.ops.size()) return false;
      const Op& next = graph.ops[i + 1];
      return next.kind == OpKind::kRelu && next.inputs[0] == static_cast<int>(i);
    };
    values.resize(graph.ops.size());
    std::vector<bool> fused_away(graph.ops.size(), false);
    for (std::size_t i = 0; i < graph.ops.size(); ++i) {
      const Op& op = graph.ops[i];
      const bool relu_next =
          (op.kind == OpKind::kConv || op.kind == OpKind::kAdd) && absorbs[i] < 0 && relu_after(i);
      if (fused_away[i]) {
        values[i] = values[op.inputs[0]];
        continue;
      }
      switch (op.kind) {
        case OpKind::kInput:
          values[i] = memory(desc_of(op.shape), engine);
          break;
        case OpKind::kConv:
          if (const int a = absorbs[i]; a >= 0) {  // conv + shortcut, in the shortcut's buffer
            const Op& add_op = graph.ops[a];
            const int x = add_op.inputs[add_op.inputs[0] == static_cast<int>(i) ? 1 : 0];
            const bool relu = relu_after(a);
            values[i] = conv(op, values[op.inputs[0]], relu, values[x]);
            if (relu) fused_away[a + 1] = true;
          } else {
            values[i] = conv(op, values[op.inputs[0]], op.relu || relu_next);
          }
          break;
        case OpKind::kAdd:
          values[i] = absorbed_by[i] >= 0 ? values[absorbed_by[i]] : add(op, relu_next);
          break;
        case OpKind::kRelu:
          values[i] = eltwise(op, dnnl::algorithm::eltwise_relu);
          break;
        case OpKind::kPad:
          values[i] = pad(op);
          break;
        case OpKind::kMaxPool:
          values[i] = pool(op, dnnl::algorithm::pooling_max);
          break;
        case OpKind::kAvgPool:
          values[i] = pool(op, dnnl::algorithm::pooling_avg_exclude_padding);
          break;
        case OpKind::kTanh:
          values[i] = eltwise(op, dnnl::algorithm::eltwise_tanh);
          break;
        case OpKind::kMatMul:
          values[i] = matmul(op);
          break;
        case OpKind::kBinary:
          values[i] = binary(op);
          break;
        case OpKind::kSlice:
          values[i] = slice(op);
          break;
        case OpKind::kReshape:  // the same bytes in TensorFlow's order: a view
          values[i] = memory(desc_of(op.shape), engine, values[op.inputs[0]].get_data_handle());
          break;
      }
      if (relu_next) fused_away[i + 1] = true;
    }
    for (int out : graph.outputs) {
      outputs.push_back(values[out]);
      output_shapes.push_back(graph.ops[out].shape);
    }
    input = values[0];
  }

  // With `sum_into`, the result is added onto that buffer (oneDNN's sum post-op), ReLU after.
  memory conv(const Op& op, const memory& src, bool relu, memory sum_into = {}) {
    const Op& in = *producer_of(op);
    const int cout = op.shape[3], cin = in.shape[3], g = op.groups;
    const Window& w = op.window;
    memory::desc dst_md = desc_of(op.shape);
    const memory::dims weight_dims =
        g == 1 ? memory::dims{cout, cin, w.kernel_h, w.kernel_w}
               : memory::dims{g, cout / g, cin / g, w.kernel_h, w.kernel_w};
    memory::desc weights_any(weight_dims, dt::f32, tag::any);
    memory::desc bias_md({cout}, dt::f32, tag::x);
    const memory::dims strides{w.stride_h, w.stride_w}, pad_l{w.pad_top, w.pad_left},
        pad_r{w.pad_bottom, w.pad_right};
    const bool has_bias = !op.bias.empty();
    auto desc = has_bias
                    ? dnnl::convolution_forward::desc(
                          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                          src.get_desc(), weights_any, bias_md, dst_md, strides, pad_l, pad_r)
                    : dnnl::convolution_forward::desc(
                          dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                          src.get_desc(), weights_any, dst_md, strides, pad_l, pad_r);
    dnnl::primitive_attr attr;
    dnnl::post_ops ops;
    if (sum_into) ops.append_sum(1.f);
    if (relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
    // Our filters are OIHW, which is goihw for groups (O = g * O/g, I/g outer).
    memory plain({weight_dims, dt::f32, g == 1 ? tag::oihw : tag::goihw}, engine,
                 const_cast<float*>(op.filters.data()));
    memory weights(pd.weights_desc(), engine);
    dnnl::reorder(plain, weights).execute(stream, plain, weights);
    stream.wait();
    memory dst = sum_into ? sum_into : memory(pd.dst_desc(), engine);
    Step step{dnnl::convolution_forward(pd),
              {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, dst}}};
    if (has_bias) {
      memory bias(bias_md, engine);
      std::memcpy(bias.get_data_handle(), op.bias.data(), op.bias.size() * sizeof(float));
      step.args[DNNL_ARG_BIAS] = bias;
    }
    steps.push_back(std::move(step));
    return dst;
  }

  memory add(const Op& op, bool relu) {
    const memory &a = values[op.inputs[0]], &b = values[op.inputs[1]];
    memory dst(desc_of(op.shape), engine);
    dnnl::binary::desc desc(dnnl::algorithm::binary_add, a.get_desc(), b.get_desc(),
                            dst.get_desc());
    dnnl::primitive_attr attr;
    if (relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    dnnl::binary::primitive_desc pd(desc, attr, engine);
    steps.push_back(
        {dnnl::binary(pd), {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, dst}}});
    return dst;
  }

  memory eltwise(const Op& op, dnnl::algorithm algorithm) {
    const memory& src = values[op.inputs[0]];
    memory dst(src.get_desc(), engine);
    dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src.get_desc(),
                                     0.f, 0.f);
    dnnl::eltwise_forward::primitive_desc pd(desc, engine);
    steps.push_back({dnnl::eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}});
    return dst;
  }

  // [1, K] x [K, M] + bias (+ ReLU).
  memory matmul(const Op& op) {
    const memory& src = values[op.inputs[0]];
    const int m = op.shape[1], k = static_cast<int>(op.filters.size()) / m;
    memory weights({{k, m}, dt::f32, tag::ab}, engine);
    std::memcpy(weights.get_data_handle(), op.filters.data(), op.filters.size() * sizeof(float));
    memory bias({{1, m}, dt::f32, tag::ab}, engine);
    std::memcpy(bias.get_data_handle(), op.bias.data(), op.bias.size() * sizeof(float));
    memory dst(desc_of(op.shape), engine);
    dnnl::matmul::desc desc(src.get_desc(), weights.get_desc(), bias.get_desc(), dst.get_desc());
    dnnl::primitive_attr attr;
    if (op.relu) {
      dnnl::post_ops ops;
      ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(ops);
    }
    dnnl::matmul::primitive_desc pd(desc, attr, engine);
    steps.push_back({dnnl::matmul(pd),
                     {{DNNL_ARG_SRC, src},
                      {DNNL_ARG_WEIGHTS, weights},
                      {DNNL_ARG_BIAS, bias},
                      {DNNL_ARG_DST, dst}}});
    return dst;
  }

  // a OP b, b a tensor of a's shape or a scalar broadcast from a one-element buffer.
  memory binary(const Op& op) {
    const memory& a = values[op.inputs[0]];
    memory b;
    if (op.has_scalar) {
      const std::size_t rank = a.get_desc().dims().size();
      b = memory({memory::dims(rank, 1), dt::f32, memory::dims(rank, 1)}, engine);
      *static_cast<float*>(b.get_data_handle()) = op.scalar;
    } else {
      b = values[op.inputs[1]];
    }
    const auto algorithm = op.binary == BinaryOp::kMul   ? dnnl::algorithm::binary_mul
                           : op.binary == BinaryOp::kDiv ? dnnl::algorithm::binary_div
                                                         : dnnl::algorithm::binary_add;
    memory dst(a.get_desc(), engine);
    dnnl::binary::desc desc(algorithm, a.get_desc(), b.get_desc(), dst.get_desc());
    dnnl::binary::primitive_desc pd(desc, engine);
    steps.push_back(
        {dnnl::binary(pd), {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, dst}}});
    return dst;
  }

  // The box of `src` at op.offsets, copied dense; shrunk axes dropped by viewing it as op.shape.
  memory slice(const Op& op) {
    const memory& src = values[op.inputs[0]];
    memory::dims offsets(op.offsets.begin(), op.offsets.end());
    memory::dims sizes(op.sizes.begin(), op.sizes.end());
    if (op.sizes.size() == 4) {
      offsets = {offsets[0], offsets[3], offsets[1], offsets[2]};
      sizes = logical_dims(op.sizes);
    }
    memory box(src.get_desc().submemory_desc(sizes, offsets), engine, src.get_data_handle());
    memory dense(desc_of(op.sizes), engine);
    steps.push_back({dnnl::reorder(box, dense), {{DNNL_ARG_FROM, box}, {DNNL_ARG_TO, dense}}});
    return memory(desc_of(op.shape), engine, dense.get_data_handle());
  }

  // A zeroed buffer of the padded shape; each run reorders the input into its inside.
  memory pad(const Op& op) {
    const memory& src = values[op.inputs[0]];
    memory dst(desc_of(op.shape), engine);
    std::memset(dst.get_data_handle(), 0, dst.get_desc().get_size());
    memory::dims offsets;
    for (const auto& p : op.paddings) offsets.push_back(p[0]);
    memory::dims inner = src.get_desc().dims();
    if (op.shape.size() == 4) offsets = {offsets[0], offsets[3], offsets[1], offsets[2]};
    memory inside(dst.get_desc().submemory_desc(inner, offsets), engine, dst.get_data_handle());
    steps.push_back({dnnl::reorder(src, inside), {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, inside}}});
    return dst;
  }

  memory pool(const Op& op, dnnl::algorithm algorithm) {
    const memory& src = values[op.inputs[0]];
    const Window& w = op.window;
    memory dst(desc_of(op.shape), engine);
    dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm,
                                        src.get_desc(), dst.get_desc(), {w.stride_h, w.stride_w},
                                        {w.kernel_h, w.kernel_w}, {0, 0}, {w.pad_top, w.pad_left},
                                        {w.pad_bottom, w.pad_right});
    dnnl::pooling_v2_forward::primitive_desc pd(desc, engine);
    steps.push_back({dnnl::pooling_v2_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}}});
    return dst;
  }

  const Op* producer_of(const Op& op) const { return &graph_ops->at(op.inputs[0]); }

  const std::vector<Op>* graph_ops = nullptr;
  dnnl::engine engine;
  dnnl::stream stream;
  std::vector<Step> steps;
  std::vector<memory> values;
  memory input;
  std::vector<memory> outputs;
  std::vector<std::vector<int>> output_shapes;
};

OnednnNet::OnednnNet(const Graph& graph) {
  try {
    impl_ = std::make_unique<Impl>(graph);
  } catch (const dnnl::error& e) {
    throw ModelError(std::string("oneDNN: ") + e.what());
  }
}
OnednnNet::OnednnNet(OnednnNet&&) noexcept = default;
OnednnNet& OnednnNet::operator=(OnednnNet&&) noexcept = default;
OnednnNet::~OnednnNet() = default;

int OnednnNet::primitives() const {
  return static_cast<int>(impl_->steps.size());
}

std::vector<Tensor> OnednnNet::run(const Tensor& input) {
  std::memcpy(impl_->input.get_data_handle(), input.values.data(),
              input.values.size() * sizeof(float));
  for (auto& step : impl_->steps) step.primitive.execute(impl_->stream, step.args);
  impl_->stream.wait();
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < impl_->outputs.size(); ++i) {
    const auto* p = static_cast<const float*>(impl_->outputs[i].get_data_handle());
    out.push_back({impl_->output_shapes[i],
                   std::vector<float>(p, p + element_count(impl_->output_shapes[i]))});
  }
  return out;
}

}  // namespace lookalike::tfjs_graph

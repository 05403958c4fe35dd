// oneDNN (f32) implementation of the ResNet-29 descriptor network: the production backend.
//
// Layout: activations are NHWC; every convolution has the following per-channel affine folded
// into its weights and bias and ReLU fused as a post-op; identity residual blocks add the
// shortcut through a `sum` post-op computed in place over the block input. Downsampling blocks
// (stride-2 conv, 2x2/2 average-pooled shortcut zero-padded in channels, and in the 256-wide
// stage a residual branch one pixel smaller than the shortcut, zero-padded as face-api and
// dlib do) combine the branches in a small fused loop. Plans (primitives + buffers) are built
// lazily per batch size; batches are split into powers of two up to kMaxPlanBatch.
#include <omp.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <oneapi/dnnl/dnnl.hpp>
#include <stdexcept>

#include "lookalike/engine/embedder.hpp"
#include "lookalike/errors.hpp"

namespace lookalike {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

constexpr int kMaxPlanBatch = 8;

struct FoldedConv {
  const ConvWeights* source = nullptr;
  std::vector<float> filters;  // OIHW, scaled by gamma
  std::vector<float> bias;     // bias * gamma + beta
};

FoldedConv fold(const ConvWeights& c) {
  FoldedConv f;
  f.source = &c;
  f.filters = c.filters;
  f.bias.resize(c.out_channels);
  const std::size_t per_out = c.filters.size() / static_cast<std::size_t>(c.out_channels);
  for (int o = 0; o < c.out_channels; ++o) {
    for (std::size_t k = 0; k < per_out; ++k) f.filters[o * per_out + k] *= c.gamma[o];
    f.bias[o] = c.bias[o] * c.gamma[o] + c.beta[o];
  }
  return f;
}

// One step of a plan: a oneDNN primitive with its arguments, or a custom join.
struct Step {
  dnnl::primitive primitive;
  std::unordered_map<int, memory> args;
  // Custom residual join for downsampling blocks (primitive is empty then).
  memory branch, shortcut, out;
  int branch_hw = 0, shortcut_hw = 0, branch_channels = 0, shortcut_channels = 0;
};

class Plan {
 public:
  Plan(const dnnl::engine& engine, const std::vector<FoldedConv>& convs, int batch)
      : batch_(batch) {
    // The stem runs NCHW in, blocked out (oneDNN's dedicated 3-channel kernel); everything
    // after the stem's pooling is NHWC.
    input_ = memory({{batch, 3, kChipSize, kChipSize}, dt::f32, tag::nchw}, engine);
    int hw = kChipSize;
    memory x = input_;
    const auto blocks = resnet_blocks();
    for (const BlockShape& block : blocks) {
      if (block.conv_count == 1) {  // stem: 7x7/2 conv + ReLU, then 3x3/2 max pool
        const int channels = convs[block.first_conv].source->out_channels;
        x = conv(engine, convs[block.first_conv], x, hw, /*relu=*/true, /*sum=*/false, {},
                 tag::any);
        hw = (hw - convs[block.first_conv].source->kernel) / 2 + 1;
        x = pool(engine, x, dnnl::algorithm::pooling_max, 3, hw, channels, tag::any);
        hw = (hw - 3) / 2 + 1;
        memory nhwc({{batch, channels, hw, hw}, dt::f32, tag::nhwc}, engine);
        Step to_nhwc;
        to_nhwc.primitive = dnnl::reorder(x, nhwc);
        to_nhwc.args = {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, nhwc}};
        steps_.push_back(std::move(to_nhwc));
        x = nhwc;
        continue;
      }
      const FoldedConv& c1 = convs[block.first_conv];
      const FoldedConv& c2 = convs[block.first_conv + 1];
      if (!block.downsample) {
        memory t = conv(engine, c1, x, hw, true, false, {});
        conv(engine, c2, t, hw, /*relu=*/true, /*sum=*/true, x);  // in place over x
        continue;
      }
      const int cin = c1.source->in_channels, cout = c2.source->out_channels;
      memory t = conv(engine, c1, x, hw, true, false, {});
      const int branch_hw = (hw - 3) / 2 + 1;
      memory u = conv(engine, c2, t, branch_hw, /*relu=*/false, false, {});
      memory s = pool(engine, x, dnnl::algorithm::pooling_avg_exclude_padding, 2, hw, cin);
      const int shortcut_hw = hw / 2;
      Step join;
      join.branch = u;
      join.shortcut = s;
      join.out = memory({{batch, cout, shortcut_hw, shortcut_hw}, dt::f32, tag::nhwc}, engine);
      join.branch_hw = branch_hw;
      join.shortcut_hw = shortcut_hw;
      join.branch_channels = cout;
      join.shortcut_channels = cin;
      x = join.out;
      steps_.push_back(std::move(join));
      hw = shortcut_hw;
    }
    output_ = x;
    output_hw_ = hw;
  }

  void run(dnnl::stream& stream, const float* fc, std::span<Embedding> out) {
    for (Step& step : steps_) {
      if (step.primitive) {
        step.primitive.execute(stream, step.args);
      } else {
        stream.wait();
        join(step);
      }
    }
    stream.wait();
    const float* feat = static_cast<const float*>(output_.get_data_handle());
    const int positions = output_hw_ * output_hw_;
    constexpr int C = ResNetWeights::kFeatureDim;
    for (int n = 0; n < batch_; ++n) {
      float mean[C] = {};
      for (int p = 0; p < positions; ++p)
        for (int c = 0; c < C; ++c)
          mean[c] += feat[(static_cast<std::size_t>(n) * positions + p) * C + c];
      for (float& m : mean) m /= static_cast<float>(positions);
      Embedding& e = out[n];
      e.fill(0.f);
      for (int c = 0; c < C; ++c)
        for (std::size_t k = 0; k < kEmbeddingDim; ++k) e[k] += mean[c] * fc[c * kEmbeddingDim + k];
    }
  }

  float* input() { return static_cast<float*>(input_.get_data_handle()); }

 private:
  memory conv(const dnnl::engine& engine, const FoldedConv& c, const memory& src, int hw, bool relu,
              bool sum, memory dst, tag dst_tag = tag::nhwc) {
    const ConvWeights& w = *c.source;
    const int stride = w.stride, k = w.kernel;
    const int pad = stride == 1 ? k / 2 : 0;
    const int out_hw = (hw + 2 * pad - k) / stride + 1;
    memory::desc src_md = src.get_desc();
    memory::desc dst_md({batch_, w.out_channels, out_hw, out_hw}, dt::f32, dst_tag);
    memory::desc weights_md({w.out_channels, w.in_channels, k, k}, dt::f32, tag::any);
    memory::desc bias_md({w.out_channels}, dt::f32, tag::x);
    dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference,
                                         dnnl::algorithm::convolution_direct, src_md, weights_md,
                                         bias_md, dst_md, {stride, stride}, {pad, pad}, {pad, pad});
    dnnl::post_ops ops;
    if (sum) ops.append_sum(1.f);
    if (relu) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    dnnl::primitive_attr attr;
    attr.set_post_ops(ops);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);

    memory plain_weights({{w.out_channels, w.in_channels, k, k}, dt::f32, tag::oihw}, engine,
                         const_cast<float*>(c.filters.data()));
    memory weights(pd.weights_desc(), engine);
    dnnl::stream stream(engine);
    dnnl::reorder(plain_weights, weights).execute(stream, plain_weights, weights);
    stream.wait();
    memory bias(bias_md, engine);
    std::memcpy(bias.get_data_handle(), c.bias.data(), c.bias.size() * sizeof(float));
    if (!dst) dst = memory(pd.dst_desc(), engine);

    Step step;
    step.primitive = dnnl::convolution_forward(pd);
    step.args = {{DNNL_ARG_SRC, src},
                 {DNNL_ARG_WEIGHTS, weights},
                 {DNNL_ARG_BIAS, bias},
                 {DNNL_ARG_DST, dst}};
    steps_.push_back(std::move(step));
    return dst;
  }

  memory pool(const dnnl::engine& engine, const memory& src, dnnl::algorithm algorithm, int k,
              int hw, int channels, tag dst_tag = tag::nhwc) {
    const int out_hw = (hw - k) / 2 + 1;
    memory::desc dst_md({batch_, channels, out_hw, out_hw}, dt::f32, dst_tag);
    dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm,
                                        src.get_desc(), dst_md, {2, 2}, {k, k}, {0, 0}, {0, 0},
                                        {0, 0});
    dnnl::pooling_v2_forward::primitive_desc pd(desc, engine);
    memory dst(pd.dst_desc(), engine);
    Step step;
    step.primitive = dnnl::pooling_v2_forward(pd);
    step.args = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
    steps_.push_back(std::move(step));
    return dst;
  }

  // out = relu(zero_pad_channels(shortcut) + zero_pad_spatial(branch)), all NHWC.
  void join(Step& s) const {
    const float* u = static_cast<const float*>(s.branch.get_data_handle());
    const float* sc = static_cast<const float*>(s.shortcut.get_data_handle());
    float* out = static_cast<float*>(s.out.get_data_handle());
    const int C = s.branch_channels, Cs = s.shortcut_channels, H = s.shortcut_hw, Hb = s.branch_hw;
    for (int n = 0; n < batch_; ++n)
      for (int y = 0; y < H; ++y)
        for (int x = 0; x < H; ++x) {
          float* o = out + ((static_cast<std::size_t>(n) * H + y) * H + x) * C;
          const float* sp = sc + ((static_cast<std::size_t>(n) * H + y) * H + x) * Cs;
          const bool inside = y < Hb && x < Hb;
          const float* up =
              inside ? u + ((static_cast<std::size_t>(n) * Hb + y) * Hb + x) * C : nullptr;
          for (int c = 0; c < C; ++c) {
            float v = (c < Cs ? sp[c] : 0.f) + (up ? up[c] : 0.f);
            o[c] = v > 0.f ? v : 0.f;
          }
        }
  }

  int batch_;
  memory input_, output_;
  int output_hw_ = 0;
  std::vector<Step> steps_;
};

class OnednnEmbedder final : public FaceEmbedder {
 public:
  OnednnEmbedder(const ResNetWeights& weights, int threads)
      : engine_(dnnl::engine::kind::cpu, 0),
        stream_(engine_),
        threads_(std::max(1, threads)),
        fc_(weights.fc) {
    if (weights.convs.size() != ResNetWeights::kConvCount)
      throw ModelError("weights do not describe the 29-convolution ResNet");
    for (const ConvWeights& c : weights.convs) folded_.push_back(fold(c));
    // The folded copies own the data the plans read; drop the pointer to the caller's weights.
    sources_ = weights.convs;
    for (std::size_t i = 0; i < folded_.size(); ++i) folded_[i].source = &sources_[i];
  }

  std::vector<Embedding> embed(std::span<const cv::Mat> chips) override {
    omp_set_num_threads(threads_);
    std::vector<Embedding> out(chips.size());
    std::size_t done = 0;
    while (done < chips.size()) {
      int batch = kMaxPlanBatch;
      while (static_cast<std::size_t>(batch) > chips.size() - done) batch /= 2;
      Plan& plan = plan_for(batch);
      chips_to_tensor(chips.subspan(done, batch), plan.input());
      plan.run(stream_, fc_.data(), std::span(out).subspan(done, batch));
      done += batch;
    }
    return out;
  }

  std::string_view name() const override { return "onednn"; }

 private:
  Plan& plan_for(int batch) {
    auto it = plans_.find(batch);
    if (it == plans_.end())
      it = plans_.emplace(batch, std::make_unique<Plan>(engine_, folded_, batch)).first;
    return *it->second;
  }

  dnnl::engine engine_;
  dnnl::stream stream_;
  int threads_;
  std::vector<float> fc_;
  std::vector<ConvWeights> sources_;
  std::vector<FoldedConv> folded_;
  std::map<int, std::unique_ptr<Plan>> plans_;
};

}  // namespace

std::unique_ptr<FaceEmbedder> make_onednn_embedder(const ResNetWeights& weights, int threads) {
  return std::make_unique<OnednnEmbedder>(weights, threads);
}

}  // namespace lookalike

// OpenCV dnn implementation of the ResNet-29 descriptor network: an alternative backend built
// layer by layer with cv::dnn::Net::addLayer/connect (no model file, no importer).
//
// Contract: same semantics as the oneDNN backend (see embedder.hpp). Each convolution has the
// following per-channel affine folded into its weights and bias; ReLU, pooling, the residual
// add and the final fully connected layer are OpenCV dnn layers. Downsampling blocks feed an
// Eltwise sum in output_channels_mode=input_0 with the residual branch first, so the
// avg-pooled shortcut (fewer channels) is implicitly zero-padded in channels; where the branch
// is one pixel smaller than the shortcut (the 256-wide stage) a Padding layer zero-pads it at
// the bottom/right, as dlib and face-api do. Backend OPENCV, target CPU, one forward per
// embed() call whatever the batch size (OpenCV re-plans when the input shape changes).
//
// Threads: OpenCV dnn has no per-net thread count; it runs on OpenCV's process-global pool
// (cv::setNumThreads), which this backend deliberately does not touch. `threads` is accepted
// for interface symmetry and otherwise ignored.
//
// Not thread-safe (one embedder per thread); the weights are copied into the net's blobs at
// construction, so the caller's ResNetWeights may be shared or dropped afterwards.
#include <algorithm>
#include <opencv2/dnn.hpp>
#include <stdexcept>
#include <string>

#include "lookalike/engine/embedder.hpp"
#include "lookalike/errors.hpp"

namespace lookalike {
namespace {

// Builds the graph; every add* returns the id of the layer it appended.
class GraphBuilder {
 public:
  explicit GraphBuilder(cv::dnn::Net& net) : net_(net) {}

  // Convolution with gamma/beta folded in: w' = w * gamma, b' = b * gamma + beta.
  int conv(int input, const ConvWeights& c) {
    const int k = c.kernel;
    const std::size_t per_out = static_cast<std::size_t>(c.in_channels) * k * k;
    if (c.out_channels <= 0 || c.in_channels <= 0 || k <= 0 ||
        c.filters.size() != per_out * c.out_channels ||
        c.bias.size() != static_cast<std::size_t>(c.out_channels) ||
        c.gamma.size() != c.bias.size() || c.beta.size() != c.bias.size())
      throw ModelError("convolution " + std::to_string(conv_index_) +
                       " has inconsistent weight sizes");
    const int shape[] = {c.out_channels, c.in_channels, k, k};
    cv::Mat filters(4, shape, CV_32F);
    cv::Mat bias(1, c.out_channels, CV_32F);
    auto* f = filters.ptr<float>();
    for (int o = 0; o < c.out_channels; ++o) {
      for (std::size_t i = 0; i < per_out; ++i)
        f[o * per_out + i] = c.filters[o * per_out + i] * c.gamma[o];
      bias.at<float>(o) = c.bias[o] * c.gamma[o] + c.beta[o];
    }
    cv::dnn::LayerParams p;
    p.set("kernel_size", k);
    p.set("stride", c.stride);
    p.set("pad", c.stride == 1 ? k / 2 : 0);  // stride 1 = "same", stride 2 = "valid"
    p.set("num_output", c.out_channels);
    p.set("bias_term", true);
    p.blobs = {filters, bias};
    return add("conv" + std::to_string(conv_index_++), "Convolution", p, {input});
  }

  int relu(int input) { return add(next_name("relu"), "ReLU", {}, {input}); }

  // Floor-mode pooling without padding ("valid", as dlib's max_pool/avg_pool with padding 0).
  int pool(int input, const char* kind, int kernel, int stride) {
    cv::dnn::LayerParams p;
    p.set("pool", kind);
    p.set("kernel_size", kernel);
    p.set("stride", stride);
    p.set("pad", 0);
    p.set("ceil_mode", false);
    return add(next_name(kind), "Pooling", p, {input});
  }

  int global_average(int input) {
    cv::dnn::LayerParams p;
    p.set("pool", "ave");
    p.set("global_pooling", true);
    return add(next_name("gap"), "Pooling", p, {input});
  }

  // Zero-pads an NCHW blob by `bottom` rows and `right` columns.
  int pad_bottom_right(int input, int bottom, int right) {
    const int paddings[] = {0, 0, 0, 0, 0, bottom, 0, right};
    cv::dnn::LayerParams p;
    p.set("paddings", cv::dnn::DictValue::arrayInt(paddings, 8));
    p.set("type", "constant");
    p.set("value", 0.f);
    return add(next_name("pad"), "Padding", p, {input});
  }

  // Sum whose output has the channels of `wide`; `narrow` is zero-padded in channels.
  int sum(int wide, int narrow) {
    cv::dnn::LayerParams p;
    p.set("operation", "sum");
    p.set("output_channels_mode", "input_0");
    return add(next_name("sum"), "Eltwise", p, {wide, narrow});
  }

  // fc is [in][out] (input-major, as face-api stores it); InnerProduct wants [out][in].
  int fully_connected(int input, const std::vector<float>& fc, int in, int out) {
    if (fc.size() != static_cast<std::size_t>(in) * out)
      throw ModelError("fc has " + std::to_string(fc.size()) + " weights, expected " +
                       std::to_string(in * out));
    cv::Mat weights(out, in, CV_32F);
    for (int i = 0; i < in; ++i)
      for (int o = 0; o < out; ++o)
        weights.at<float>(o, i) = fc[static_cast<std::size_t>(i) * out + o];
    cv::dnn::LayerParams p;
    p.set("num_output", out);
    p.set("bias_term", false);
    p.set("axis", 1);
    p.blobs = {weights};
    return add("fc", "InnerProduct", p, {input});
  }

 private:
  std::string next_name(const char* kind) {
    return std::string(kind) + std::to_string(layer_count_);
  }

  int add(const std::string& name, const char* type, cv::dnn::LayerParams p,
          std::initializer_list<int> inputs) {
    p.name = name;
    p.type = type;
    const int id = net_.addLayer(name, type, p);
    int port = 0;
    for (int in : inputs) net_.connect(in, 0, id, port++);
    ++layer_count_;
    return id;
  }

  cv::dnn::Net& net_;
  int conv_index_ = 0;
  int layer_count_ = 0;
};

cv::dnn::Net build_net(const ResNetWeights& weights) {
  if (weights.convs.size() != ResNetWeights::kConvCount)
    throw ModelError("weights describe " + std::to_string(weights.convs.size()) +
                     " convolutions, not the 29-convolution ResNet");
  cv::dnn::Net net;
  GraphBuilder g(net);
  int x = 0;  // the network input pseudo-layer
  int hw = kChipSize;
  int channels = 3;
  for (const BlockShape& block : resnet_blocks()) {
    const ConvWeights& c1 = weights.convs.at(block.first_conv);
    if (c1.in_channels != channels)
      throw ModelError("convolution " + std::to_string(block.first_conv) + " expects " +
                       std::to_string(c1.in_channels) + " input channels, the graph has " +
                       std::to_string(channels));
    if (block.conv_count == 1) {  // stem: 7x7/2 valid conv + ReLU, then 3x3/2 max pool
      x = g.pool(g.relu(g.conv(x, c1)), "max", 3, 2);
      hw = ((hw - c1.kernel) / c1.stride + 1 - 3) / 2 + 1;
      channels = c1.out_channels;
      continue;
    }
    const ConvWeights& c2 = weights.convs.at(block.first_conv + 1);
    const int branch = g.conv(g.relu(g.conv(x, c1)), c2);
    if (!block.downsample) {
      x = g.relu(g.sum(branch, x));
      channels = c2.out_channels;
      continue;
    }
    const int branch_hw = (hw - c1.kernel) / c1.stride + 1;
    const int shortcut_hw = hw / 2;
    const int shortcut = g.pool(x, "ave", 2, 2);
    const int padded = branch_hw < shortcut_hw ? g.pad_bottom_right(branch, shortcut_hw - branch_hw,
                                                                    shortcut_hw - branch_hw)
                                               : branch;
    x = g.relu(g.sum(padded, shortcut));  // branch (cout channels) first: input_0 mode
    hw = shortcut_hw;
    channels = c2.out_channels;
  }
  if (channels != ResNetWeights::kFeatureDim)
    throw ModelError("the last block has " + std::to_string(channels) + " channels, expected " +
                     std::to_string(ResNetWeights::kFeatureDim));
  g.fully_connected(g.global_average(x), weights.fc, ResNetWeights::kFeatureDim,
                    static_cast<int>(kEmbeddingDim));
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return net;
}

class OpencvDnnEmbedder final : public FaceEmbedder {
 public:
  explicit OpencvDnnEmbedder(const ResNetWeights& weights) : net_(build_net(weights)) {}

  std::vector<Embedding> embed(std::span<const cv::Mat> chips) override {
    std::vector<Embedding> out(chips.size());
    if (chips.empty()) return out;
    const int shape[] = {static_cast<int>(chips.size()), 3, kChipSize, kChipSize};
    input_.create(4, shape, CV_32F);
    chips_to_tensor(chips, input_.ptr<float>());
    net_.setInput(input_);
    const cv::Mat result = net_.forward();
    if (result.total() != chips.size() * kEmbeddingDim || result.type() != CV_32F)
      throw std::runtime_error("OpenCV dnn returned an output of unexpected shape");
    const float* r = result.ptr<float>();
    for (std::size_t n = 0; n < chips.size(); ++n)
      std::copy_n(r + n * kEmbeddingDim, kEmbeddingDim, out[n].begin());
    return out;
  }

  std::string_view name() const override { return "opencv_dnn"; }

 private:
  cv::dnn::Net net_;
  cv::Mat input_;  // N x 3 x 150 x 150, reused while the batch size is unchanged
};

}  // namespace

std::unique_ptr<FaceEmbedder> make_opencv_dnn_embedder(const ResNetWeights& weights,
                                                       int /*threads: OpenCV's global pool*/) {
  return std::make_unique<OpencvDnnEmbedder>(weights);
}

}  // namespace lookalike

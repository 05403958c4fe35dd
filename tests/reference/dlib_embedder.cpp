// The only translation unit that includes dlib/dnn.h (it takes minutes to compile).
#include "dlib_embedder.hpp"

#include <dlib/dnn.h>
#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "lookalike/errors.hpp"

namespace lookalike {
namespace {

using namespace dlib;

// Network definition exactly as dlib's dnn_face_recognition_ex.cpp.
template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual = add_prev1<block<N, BN, 1, tag1<SUBNET>>>;

template <template <int, template <typename> class, int, typename> class block, int N,
          template <typename> class BN, typename SUBNET>
using residual_down = add_prev2<avg_pool<2, 2, 2, 2, skip1<tag2<block<N, BN, 2, tag1<SUBNET>>>>>>;

template <int N, template <typename> class BN, int stride, typename SUBNET>
using block = BN<con<N, 3, 3, 1, 1, relu<BN<con<N, 3, 3, stride, stride, SUBNET>>>>>;

template <int N, typename SUBNET>
using ares = relu<residual<block, N, affine, SUBNET>>;
template <int N, typename SUBNET>
using ares_down = relu<residual_down<block, N, affine, SUBNET>>;

template <typename SUBNET>
using alevel0 = ares_down<256, SUBNET>;
template <typename SUBNET>
using alevel1 = ares<256, ares<256, ares_down<256, SUBNET>>>;
template <typename SUBNET>
using alevel2 = ares<128, ares<128, ares_down<128, SUBNET>>>;
template <typename SUBNET>
using alevel3 = ares<64, ares<64, ares<64, ares_down<64, SUBNET>>>>;
template <typename SUBNET>
using alevel4 = ares<32, ares<32, ares<32, SUBNET>>>;

using anet_type = loss_metric<fc_no_bias<
    128, avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<max_pool<
             3, 3, 2, 2, relu<affine<con<32, 7, 7, 2, 2, input_rgb_image_sized<150>>>>>>>>>>>>>;

template <typename T>
struct is_con : std::false_type {};
template <long N, long R, long C, int SY, int SX, int PY, int PX>
struct is_con<con_<N, R, C, SY, SX, PY, PX>> : std::true_type {};

template <typename T>
struct is_fc : std::false_type {};
template <unsigned long N, fc_bias_mode M>
struct is_fc<fc_<N, M>> : std::true_type {};

// Collects pointers to the parameterized layers, in the order dlib visits them (output first).
struct LayerCollector {
  std::vector<tensor*> con_params;
  std::vector<affine_*> affines;
  tensor* fc_params = nullptr;
  template <typename Layer>
  void operator()(Layer& layer) {
    if constexpr (is_con<Layer>::value) con_params.push_back(&layer.get_layer_params());
    if constexpr (std::is_same_v<Layer, affine_>) affines.push_back(&layer);
    if constexpr (is_fc<Layer>::value) fc_params = &layer.get_layer_params();
  }
};

class DlibEmbedder final : public FaceEmbedder {
 public:
  explicit DlibEmbedder(const ResNetWeights& weights) {
    // affine_ must be in CONV_MODE (per channel); its default is FC_MODE.
    visit_computational_layers(net_, [](auto& layer) {
      if constexpr (std::is_same_v<std::decay_t<decltype(layer)>, affine_>)
        layer = affine_(CONV_MODE);
    });
    // One forward pass allocates every layer's parameter tensor.
    std::vector<matrix<rgb_pixel>> dummy(1, matrix<rgb_pixel>(kChipSize, kChipSize));
    for (auto& p : dummy[0]) p = rgb_pixel(0, 0, 0);
    net_(dummy);

    LayerCollector layers;
    visit_computational_layers(net_, [&](auto& layer) { layers(layer); });
    std::reverse(layers.con_params.begin(), layers.con_params.end());
    std::reverse(layers.affines.begin(), layers.affines.end());
    if (layers.con_params.size() != weights.convs.size() ||
        layers.affines.size() != weights.convs.size() || !layers.fc_params)
      throw ModelError("dlib reference network does not have 29 convolutions");

    for (std::size_t i = 0; i < weights.convs.size(); ++i) {
      const ConvWeights& c = weights.convs[i];
      tensor& params = *layers.con_params[i];
      if (params.size() != c.filters.size() + c.bias.size())
        throw ModelError("dlib layer " + std::to_string(i) + " size mismatch");
      // dlib scales input by 1/256, face-api by 1/255: compensate in the first layer.
      const float input_scale = i == 0 ? 256.f / 255.f : 1.f;
      float* p = params.host();
      for (float f : c.filters) *p++ = f * input_scale;
      for (float b : c.bias) *p++ = b;
      auto gamma = layers.affines[i]->get_gamma();
      auto beta = layers.affines[i]->get_beta();
      std::copy(c.gamma.begin(), c.gamma.end(), gamma.host());
      std::copy(c.beta.begin(), c.beta.end(), beta.host());
    }
    if (layers.fc_params->size() != weights.fc.size())
      throw ModelError("dlib fc layer size mismatch");
    std::copy(weights.fc.begin(), weights.fc.end(), layers.fc_params->host());
  }

  std::vector<Embedding> embed(std::span<const cv::Mat> chips) override {
    std::vector<matrix<rgb_pixel>> batch;
    batch.reserve(chips.size());
    for (const cv::Mat& chip : chips) {
      if (chip.rows != kChipSize || chip.cols != kChipSize || chip.type() != CV_8UC3)
        throw std::invalid_argument("chip must be 150x150 CV_8UC3");
      matrix<rgb_pixel> m(kChipSize, kChipSize);
      for (int y = 0; y < kChipSize; ++y) {
        const auto* row = chip.ptr<cv::Vec3b>(y);
        for (int x = 0; x < kChipSize; ++x) m(y, x) = rgb_pixel(row[x][2], row[x][1], row[x][0]);
      }
      batch.push_back(std::move(m));
    }
    std::vector<Embedding> out;
    if (batch.empty()) return out;
    auto descriptors = net_(batch, 16);
    for (const auto& d : descriptors) {
      Embedding e;
      for (std::size_t k = 0; k < kEmbeddingDim; ++k) e[k] = d(static_cast<long>(k));
      out.push_back(e);
    }
    return out;
  }

  std::string_view name() const override { return "dlib"; }

 private:
  anet_type net_;
};

}  // namespace

std::unique_ptr<FaceEmbedder> make_dlib_embedder(const ResNetWeights& weights) {
  return std::make_unique<DlibEmbedder>(weights);
}

}  // namespace lookalike

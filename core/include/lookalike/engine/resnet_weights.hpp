// The weights of dlib's ResNet-29 face descriptor network in a backend-neutral form, plus the
// converter from face-api's TF.js export and our own compact file format.
//
// Contract: ResNetWeights is a value. Layers are stored input to output. Convolution filters
// are OIHW float32 (out, in, kh, kw); `gamma`/`beta` are the per-channel affine that follows
// each convolution (dlib's affine_ in CONV_MODE, face-api's scale layer); `fc` is [256][128]
// (input-major, as face-api stores it). Inputs are RGB normalized as (p - kInputMean) / 255.
// All functions throw ModelError with the file name on any malformed input.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace lookalike {

inline constexpr std::array<float, 3> kInputMean = {122.782f, 117.001f, 104.298f};  // R, G, B
inline constexpr float kInputScale = 1.f / 255.f;

struct ConvWeights {
  int out_channels = 0;
  int in_channels = 0;
  int kernel = 0;
  int stride = 1;              // 2 = "valid" downsampling convolution, 1 = "same" padding
  std::vector<float> filters;  // OIHW
  std::vector<float> bias;     // out_channels
  std::vector<float> gamma;    // out_channels
  std::vector<float> beta;     // out_channels
};

struct ResNetWeights {
  static constexpr int kConvCount = 29;
  static constexpr int kFeatureDim = 256;
  std::vector<ConvWeights> convs;  // kConvCount, input to output
  std::vector<float> fc;           // kFeatureDim x 128, input-major
  std::string source_sha256;       // SHA-256 of the TF.js .bin these came from
  std::string source;              // e.g. "@vladmandic/face-api@1.7.15 face_recognition_model"
};

// Face-api's unit names in network order; unit i has one conv (conv32_down) or two.
struct TfjsLoadReport {
  int tensors = 0;
  long long weights = 0;
  int quantized_tensors = 0;
};

// Reads `<dir>/face_recognition_model-weights_manifest.json` and its .bin shard(s).
ResNetWeights load_tfjs_weights(const std::filesystem::path& model_dir,
                                TfjsLoadReport* report = nullptr);

// Our file: magic "LKRESNET", version, then the layers. Written atomically.
void save_resnet_weights(const ResNetWeights& weights, const std::filesystem::path& path);
ResNetWeights load_resnet_weights(const std::filesystem::path& path);

// The structural facts all backends share.
struct BlockShape {
  int first_conv;   // index into convs
  int conv_count;   // 1 for the stem, 2 for residual blocks
  bool downsample;  // stride-2 residual block with avg-pooled, channel zero-padded shortcut
};
std::vector<BlockShape> resnet_blocks();

}  // namespace lookalike

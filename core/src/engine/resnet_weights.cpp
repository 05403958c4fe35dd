#include "lookalike/engine/resnet_weights.hpp"

#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "lookalike/engine/tfjs_weights.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/file_util.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

constexpr char kMagic[8] = {'L', 'K', 'R', 'E', 'S', 'N', 'E', 'T'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr char kManifestName[] = "face_recognition_model-weights_manifest.json";

// Face-api's units in network order: name, convolutions in the unit, downsampling.
struct Unit {
  const char* name;
  int convs;
  bool down;
};
constexpr Unit kUnits[] = {
    {"conv32_down", 1, true}, {"conv32_1", 2, false},   {"conv32_2", 2, false},
    {"conv32_3", 2, false},   {"conv64_down", 2, true}, {"conv64_1", 2, false},
    {"conv64_2", 2, false},   {"conv64_3", 2, false},   {"conv128_down", 2, true},
    {"conv128_1", 2, false},  {"conv128_2", 2, false},  {"conv256_down", 2, true},
    {"conv256_1", 2, false},  {"conv256_2", 2, false},  {"conv256_down_out", 2, true},
};

using Tensor = TfjsTensor;

std::map<std::string, Tensor> read_tfjs(const fs::path& dir, TfjsLoadReport& report,
                                        std::string& sha256) {
  const fs::path manifest_path = dir / kManifestName;
  if (!fs::is_regular_file(manifest_path))
    throw ModelError(manifest_path.string() +
                     ": not found; run `lookalike-cli models fetch` (models/fetch in a source "
                     "tree) to download it");
  nlohmann::json manifest;
  try {
    std::ifstream in(manifest_path);
    manifest = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    throw ModelError(manifest_path.string() + ": not a valid weights manifest: " + e.what());
  }
  try {
    return read_tfjs_tensors(manifest, dir, report, &sha256);
  } catch (const ModelError& e) {
    throw ModelError(
        manifest_path.string() + ": " + e.what() +
        "; run `lookalike-cli models fetch --force` (models/fetch in a source tree) again");
  } catch (const std::exception& e) {
    throw ModelError(
        manifest_path.string() + ": cannot read weights: " + e.what() +
        "; run `lookalike-cli models fetch --force` (models/fetch in a source tree) again");
  }
}

const Tensor& need(const std::map<std::string, Tensor>& tensors, const std::string& name,
                   std::size_t expected_size) {
  auto it = tensors.find(name);
  if (it == tensors.end()) throw ModelError("tensor " + name + " is missing");
  if (it->second.is_int) throw ModelError("tensor " + name + " is int32, expected float32");
  if (expected_size && it->second.values.size() != expected_size)
    throw ModelError("tensor " + name + " has " + std::to_string(it->second.values.size()) +
                     " values, expected " + std::to_string(expected_size));
  return it->second;
}

ConvWeights convert_conv(const std::map<std::string, Tensor>& tensors, const std::string& prefix,
                         int stride) {
  const Tensor& filters = need(tensors, prefix + "conv/filters", 0);
  if (filters.shape.size() != 4) throw ModelError("tensor " + prefix + "conv/filters is not 4-D");
  const int kh = filters.shape[0], kw = filters.shape[1], cin = filters.shape[2],
            cout = filters.shape[3];
  if (kh != kw) throw ModelError("tensor " + prefix + "conv/filters is not square");
  ConvWeights conv;
  conv.out_channels = cout;
  conv.in_channels = cin;
  conv.kernel = kh;
  conv.stride = stride;
  conv.filters.resize(filters.values.size());
  // TF HWIO [kh][kw][cin][cout] -> OIHW [cout][cin][kh][kw].
  for (int y = 0; y < kh; ++y)
    for (int x = 0; x < kw; ++x)
      for (int i = 0; i < cin; ++i)
        for (int o = 0; o < cout; ++o)
          conv.filters[((static_cast<std::size_t>(o) * cin + i) * kh + y) * kw + x] =
              filters.values[((static_cast<std::size_t>(y) * kw + x) * cin + i) * cout + o];
  const auto n = static_cast<std::size_t>(cout);
  conv.bias = need(tensors, prefix + "conv/bias", n).values;
  conv.gamma = need(tensors, prefix + "scale/weights", n).values;
  conv.beta = need(tensors, prefix + "scale/biases", n).values;
  return conv;
}

template <typename T>
void put(std::vector<std::byte>& out, const T& value) {
  const auto* p = reinterpret_cast<const std::byte*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}
void put_floats(std::vector<std::byte>& out, const std::vector<float>& values) {
  put(out, static_cast<std::uint64_t>(values.size()));
  const auto* p = reinterpret_cast<const std::byte*>(values.data());
  out.insert(out.end(), p, p + values.size() * sizeof(float));
}
void put_string(std::vector<std::byte>& out, const std::string& s) {
  put(out, static_cast<std::uint32_t>(s.size()));
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  out.insert(out.end(), p, p + s.size());
}

class Reader {
 public:
  Reader(std::span<const std::byte> bytes, const fs::path& path) : bytes_(bytes), path_(path) {}
  template <typename T>
  T get() {
    T value;
    std::memcpy(&value, take(sizeof(T)), sizeof(T));
    return value;
  }
  std::vector<float> floats(std::size_t expected) {
    auto n = get<std::uint64_t>();
    if (n != expected) fail("layer size mismatch");
    std::vector<float> values(n);
    std::memcpy(values.data(), take(n * sizeof(float)), n * sizeof(float));
    return values;
  }
  std::string string() {
    auto n = get<std::uint32_t>();
    if (n > 4096) fail("corrupt string");
    const auto* p = reinterpret_cast<const char*>(take(n));
    return std::string(p, n);
  }
  bool at_end() const { return pos_ == bytes_.size(); }
  [[noreturn]] void fail(const std::string& what) const {
    throw ModelError(path_.string() + ": " + what +
                     "; run `lookalike-cli models fetch --force` (models/fetch in a source tree) "
                     "to regenerate it");
  }

 private:
  const std::byte* take(std::size_t n) {
    if (bytes_.size() - pos_ < n) fail("file is truncated");
    const std::byte* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::span<const std::byte> bytes_;
  const fs::path& path_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<BlockShape> resnet_blocks() {
  std::vector<BlockShape> blocks;
  int conv = 0;
  for (const Unit& unit : kUnits) {
    blocks.push_back({conv, unit.convs, unit.down});
    conv += unit.convs;
  }
  return blocks;
}

ResNetWeights load_tfjs_weights(const fs::path& model_dir, TfjsLoadReport* report) {
  TfjsLoadReport local;
  ResNetWeights weights;
  auto tensors = read_tfjs(model_dir, report ? *report : local, weights.source_sha256);
  try {
    for (const Unit& unit : kUnits) {
      const std::string base = std::string(unit.name) + "/";
      if (unit.convs == 1) {
        weights.convs.push_back(convert_conv(tensors, base, unit.down ? 2 : 1));
      } else {
        weights.convs.push_back(convert_conv(tensors, base + "conv1/", unit.down ? 2 : 1));
        weights.convs.push_back(convert_conv(tensors, base + "conv2/", 1));
      }
    }
    weights.fc =
        need(tensors, "fc", static_cast<std::size_t>(ResNetWeights::kFeatureDim) * 128).values;
  } catch (const ModelError& e) {
    throw ModelError((model_dir / kManifestName).string() + ": " + e.what() +
                     "; is this face-api's face_recognition_model?");
  }
  for (const auto& t : weights.fc)
    if (!std::isfinite(t)) throw ModelError("non-finite weight in fc");
  weights.source = "@vladmandic/face-api@1.7.15 face_recognition_model";
  return weights;
}

void save_resnet_weights(const ResNetWeights& weights, const fs::path& path) {
  std::vector<std::byte> out;
  out.insert(out.end(), reinterpret_cast<const std::byte*>(kMagic),
             reinterpret_cast<const std::byte*>(kMagic) + sizeof(kMagic));
  put(out, kFormatVersion);
  put_string(out, weights.source);
  put_string(out, weights.source_sha256);
  put(out, static_cast<std::uint32_t>(weights.convs.size()));
  for (const ConvWeights& c : weights.convs) {
    put(out, static_cast<std::int32_t>(c.out_channels));
    put(out, static_cast<std::int32_t>(c.in_channels));
    put(out, static_cast<std::int32_t>(c.kernel));
    put(out, static_cast<std::int32_t>(c.stride));
    put_floats(out, c.filters);
    put_floats(out, c.bias);
    put_floats(out, c.gamma);
    put_floats(out, c.beta);
  }
  put_floats(out, weights.fc);
  const std::string checksum = sha256_hex(out);
  put_string(out, checksum);
  write_file_atomically(path, out);
}

ResNetWeights load_resnet_weights(const fs::path& path) {
  if (!fs::is_regular_file(path))
    throw ModelError(path.string() +
                     ": face recognition weights not found; run `lookalike-cli models fetch` "
                     "(models/fetch in a source tree; it downloads "
                     "@vladmandic/face-api@1.7.15 with npm and converts it)");
  std::vector<std::byte> bytes;
  try {
    bytes = read_file_bytes(path);
  } catch (const std::exception& e) {
    throw ModelError(std::string(e.what()) +
                     "; run `lookalike-cli models fetch` (models/fetch in a source tree)");
  }
  Reader r(bytes, path);
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    r.fail("not a Lookalike weights file");
  r.get<std::array<char, 8>>();
  if (auto version = r.get<std::uint32_t>(); version != kFormatVersion)
    r.fail("format version " + std::to_string(version) + " is not supported");
  ResNetWeights w;
  w.source = r.string();
  w.source_sha256 = r.string();
  const auto count = r.get<std::uint32_t>();
  if (count != ResNetWeights::kConvCount) r.fail("expected 29 convolutions");
  for (std::uint32_t i = 0; i < count; ++i) {
    ConvWeights c;
    c.out_channels = r.get<std::int32_t>();
    c.in_channels = r.get<std::int32_t>();
    c.kernel = r.get<std::int32_t>();
    c.stride = r.get<std::int32_t>();
    if (c.out_channels <= 0 || c.out_channels > 4096 || c.in_channels <= 0 ||
        c.in_channels > 4096 || c.kernel <= 0 || c.kernel > 11 || c.stride < 1 || c.stride > 2)
      r.fail("corrupt layer header");
    const auto n = static_cast<std::size_t>(c.out_channels);
    c.filters = r.floats(n * c.in_channels * c.kernel * c.kernel);
    c.bias = r.floats(n);
    c.gamma = r.floats(n);
    c.beta = r.floats(n);
    w.convs.push_back(std::move(c));
  }
  w.fc = r.floats(static_cast<std::size_t>(ResNetWeights::kFeatureDim) * 128);
  const std::string stored = r.string();
  if (!r.at_end()) r.fail("unexpected trailing data");
  const std::size_t body = bytes.size() - sizeof(std::uint32_t) - stored.size();
  if (sha256_hex(std::span(bytes.data(), body)) != stored) r.fail("checksum mismatch (corrupted)");
  return w;
}

}  // namespace lookalike

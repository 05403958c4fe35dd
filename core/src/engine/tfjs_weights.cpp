#include "lookalike/engine/tfjs_weights.hpp"

#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "lookalike/errors.hpp"
#include "lookalike/file_util.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

// Shards in use: face-api's ResNet 6 MB, human-models' largest (blazepose-heavy) 28 MB.
constexpr std::uintmax_t kMaxGroupBytes = std::uintmax_t{1} << 30;

// How a tensor is stored in the shard.
enum class Storage { kFloat32, kInt32, kUint8, kUint16, kFloat16 };

std::size_t bytes_per_element(Storage s) {
  switch (s) {
    case Storage::kUint8:
      return 1;
    case Storage::kUint16:
    case Storage::kFloat16:
      return 2;
    default:
      return 4;
  }
}

Storage storage_of(const nlohmann::json& w) {
  const std::string dtype = w.at("dtype").get<std::string>();
  if (!w.contains("quantization")) {
    if (dtype == "float32") return Storage::kFloat32;
    if (dtype == "int32") return Storage::kInt32;
    throw ModelError("unsupported dtype \"" + dtype + "\"");
  }
  const std::string q = w.at("quantization").at("dtype").get<std::string>();
  if (dtype != "float32") throw ModelError("quantized tensors must be float32, not " + dtype);
  if (q == "uint8") return Storage::kUint8;
  if (q == "uint16") return Storage::kUint16;
  if (q == "float16") return Storage::kFloat16;
  throw ModelError("unsupported quantization \"" + q + "\"");
}

// A shard name from the manifest: a plain file name beside it, never a path elsewhere.
fs::path shard_path(const fs::path& dir, const nlohmann::json& name) {
  const std::string file = name.get<std::string>();
  if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
    throw ModelError("shard name \"" + file + "\" is not a file name beside the manifest");
  return dir / file;
}

TfjsTensor decode(const nlohmann::json& w, Storage storage, std::span<const std::byte> bytes) {
  TfjsTensor t;
  t.shape = read_tfjs_shape(w.at("shape"));
  const std::size_t n = element_count(t.shape);
  switch (storage) {
    case Storage::kInt32:
      t.is_int = true;
      t.ints.resize(n);
      // memcpy from/to null is undefined even for 0 bytes (a [0] shape; fuzz_tfjs).
      if (n != 0) std::memcpy(t.ints.data(), bytes.data(), 4 * n);
      break;
    case Storage::kFloat32:
      t.values.resize(n);
      if (n != 0) std::memcpy(t.values.data(), bytes.data(), 4 * n);
      break;
    case Storage::kFloat16: {
      t.values.resize(n);
      if (n == 0) break;
      // OpenCV's half-float conversion, not our own bit twiddling.
      const cv::Mat half(1, static_cast<int>(n), CV_16F, const_cast<std::byte*>(bytes.data()));
      cv::Mat full(1, static_cast<int>(n), CV_32F, t.values.data());
      half.convertTo(full, CV_32F);
      break;
    }
    case Storage::kUint8:
    case Storage::kUint16: {
      const auto& q = w.at("quantization");
      const double scale = q.at("scale").get<double>(), min = q.at("min").get<double>();
      t.values.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        unsigned level = 0;
        if (storage == Storage::kUint8) {
          level = static_cast<unsigned>(bytes[i]);
        } else {
          std::uint16_t v;
          std::memcpy(&v, bytes.data() + 2 * i, 2);
          level = v;
        }
        t.values[i] = static_cast<float>(min + scale * static_cast<double>(level));
      }
      break;
    }
  }
  return t;
}

}  // namespace

std::vector<int> read_tfjs_shape(const nlohmann::json& shape) {
  // nlohmann's get<int>() of 1e300 or a negative dimension would be undefined or wrap to a
  // huge allocation (fuzz_tfjs).
  if (!shape.is_array()) throw ModelError("tensor shape " + shape.dump() + " is not a list");
  std::vector<int> dims;
  std::size_t n = 1;
  for (const auto& d : shape) {
    if (!d.is_number_integer() || d.get<std::int64_t>() < 0 ||
        d.get<std::int64_t>() > std::numeric_limits<int>::max())
      throw ModelError("tensor shape " + shape.dump() + " is not a list of sizes");
    dims.push_back(static_cast<int>(d.get<std::int64_t>()));
    if (dims.back() != 0 && n > std::numeric_limits<std::size_t>::max() / 4 / dims.back())
      throw ModelError("tensor shape " + shape.dump() + " is too large");
    n *= static_cast<std::size_t>(dims.back());
  }
  return dims;
}

std::size_t element_count(const std::vector<int>& shape) {
  std::size_t n = 1;
  for (int d : shape) n *= static_cast<std::size_t>(d);
  return n;
}

std::map<std::string, TfjsTensor> read_tfjs_tensors(const nlohmann::json& groups,
                                                    const fs::path& dir, TfjsLoadReport& report,
                                                    std::string* sha256) {
  if (!groups.is_array()) throw ModelError("the weights manifest is not a list of groups");
  std::map<std::string, TfjsTensor> tensors;
  std::vector<std::byte> data;
  std::string shards;  // names, for messages
  for (const auto& group : groups) {
    data.clear();
    shards.clear();
    for (const auto& shard : group.at("paths")) {
      const fs::path path = shard_path(dir, shard);
      // A manifest may list one shard many times: the total is bounded before reading.
      std::error_code ec;
      const auto size = fs::file_size(path, ec);
      if (!ec && data.size() + size > kMaxGroupBytes)
        throw ModelError("the shards of a weights group exceed " +
                         std::to_string(kMaxGroupBytes >> 20) + " MB");
      auto bytes = read_file_bytes(path);
      data.insert(data.end(), bytes.begin(), bytes.end());
      if (!shards.empty()) shards += '+';
      shards += path.filename().string();
    }
    if (sha256 && sha256->empty()) *sha256 = sha256_hex(data);
    std::size_t offset = 0;  // <= data.size() always
    for (const auto& w : group.at("weights")) {
      const Storage storage = storage_of(w);
      const std::string name = w.at("name").get<std::string>();
      // Sizes are checked against the shard before allocating: a 100-byte manifest must not
      // allocate gigabytes (found by fuzz_tfjs).
      const std::size_t n = element_count(read_tfjs_shape(w.at("shape")));
      const std::size_t width = bytes_per_element(storage);
      if (n > (data.size() - offset) / width)
        throw ModelError(shards + " is truncated: tensor " + name + " needs " +
                         std::to_string(n * width) + " bytes at offset " + std::to_string(offset) +
                         ", the shard has " + std::to_string(data.size()));
      TfjsTensor t = decode(w, storage, std::span(data).subspan(offset, n * width));
      offset += n * width;
      ++report.tensors;
      report.weights += static_cast<long long>(n);
      if (storage == Storage::kUint8 || storage == Storage::kUint16) ++report.quantized_tensors;
      if (!tensors.emplace(name, std::move(t)).second)
        throw ModelError("tensor " + name + " appears twice");
    }
    if (offset != data.size())
      throw ModelError(shards + " has " + std::to_string(data.size() - offset) +
                       " unexpected trailing bytes");
  }
  return tensors;
}

}  // namespace lookalike

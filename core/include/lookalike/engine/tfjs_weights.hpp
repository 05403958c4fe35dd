// The weights of a TF.js export (layers or graph model): its weights manifest read into named
// tensors. One reader for face-api's ResNet manifest and the graph models' model.json.
//
// Contract: `groups` is the manifest's list of {paths, weights}; each group's shards (plain file
// names inside `dir`) are concatenated and its tensors read from them in manifest order.
// Supported: float32, int32, float16, and uint8/uint16 quantization (min + scale * q, or
// float16 bits) of float32 tensors. Every size is checked against the shard before allocating;
// trailing bytes are an error. Throws ModelError saying what is wrong (the shard's name for
// truncation); the caller prefixes the manifest's path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "lookalike/engine/resnet_weights.hpp"

namespace lookalike {

struct TfjsTensor {
  std::vector<int> shape;
  bool is_int = false;        // int32: `ints`; otherwise `values`
  std::vector<float> values;  // dequantized float32
  std::vector<std::int32_t> ints;
};

// A manifest shape: whole non-negative dimensions whose product fits in memory arithmetic.
std::vector<int> read_tfjs_shape(const nlohmann::json& shape);
std::size_t element_count(const std::vector<int>& shape);

// `sha256`, when not null, receives the SHA-256 of the first group's shard bytes.
std::map<std::string, TfjsTensor> read_tfjs_tensors(const nlohmann::json& groups,
                                                    const std::filesystem::path& dir,
                                                    TfjsLoadReport& report,
                                                    std::string* sha256 = nullptr);

}  // namespace lookalike

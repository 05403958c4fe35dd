// Fuzz target: face-api's TF.js export (load_tfjs_weights, resnet_weights.hpp): the weights
// manifest (JSON) and its binary shard. Input: the manifest text, then the line
// "\n--shard--\n", then the bytes of face_recognition_model.bin (the shard name the real
// manifest uses; the fuzzer may name others, which then do not exist).
// Finding: a crash or sanitizer report, or an exception other than ModelError.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "lookalike/engine/resnet_weights.hpp"
#include "lookalike/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::string_view kSeparator = "\n--shard--\n";
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find(kSeparator);
  const std::string_view manifest = input.substr(0, cut);
  const std::string_view shard =
      cut == std::string_view::npos ? std::string_view{} : input.substr(cut + kSeparator.size());
  const auto& scratch = lookalike::fuzz::scratch();
  scratch.write("face_recognition_model-weights_manifest.json", manifest);
  scratch.write("face_recognition_model.bin", shard);
  try {
    (void)lookalike::load_tfjs_weights(scratch.dir());
  } catch (const lookalike::ModelError&) {
  }
  return 0;
}

// Fuzz target: our compact weights file (load_resnet_weights, resnet_weights.hpp, "LKRESNET").
// Finding: a crash or sanitizer report, or an exception other than ModelError.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "lookalike/engine/resnet_weights.hpp"
#include "lookalike/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = lookalike::fuzz::scratch().write("input.lkw", data, size);
  try {
    (void)lookalike::load_resnet_weights(path);
  } catch (const lookalike::ModelError&) {
  }
  return 0;
}

// Fuzz target: the hardened image decoder (decode_image, image_io.hpp) on arbitrary bytes:
// JPEG, PNG, GIF, BMP, WebP, TIFF, ... whatever the header says.
// Finding: a crash or sanitizer report, an exception other than ImageError, or a decoded image
// that breaks the contract (empty, not CV_8UC3, more pixels than the limit).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A smaller budget than the app's 40 MP keeps runs fast; the refusal path is the same.
  const lookalike::ImageLimits limits{.max_pixels = 4'000'000};
  try {
    const cv::Mat image = lookalike::decode_image(std::span(data, size), "fuzz-input", limits);
    if (image.empty() || image.type() != CV_8UC3 ||
        static_cast<long long>(image.total()) > limits.max_pixels)
      std::abort();
  } catch (const lookalike::ImageError&) {
  }
  return 0;
}

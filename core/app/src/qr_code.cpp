#include "lookalike/app/qr_code.hpp"

#include <qrencode.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace lookalike::app {
namespace {

constexpr int kQuietZoneModules = 4;

}  // namespace

cv::Mat qr_code(std::string_view text, int side) {
  if (text.empty()) throw std::invalid_argument("qr_code: the text is empty");
  const std::string data(text);  // libqrencode wants a NUL-terminated string
  const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(data.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
  if (!code)
    throw std::invalid_argument("qr_code: " + std::to_string(text.size()) +
                                " bytes do not fit in a QR code");
  const int modules = code->width + 2 * kQuietZoneModules;
  const int scale = side / modules;
  if (scale < 1)
    throw std::invalid_argument("qr_code: " + std::to_string(side) + " px is too small for " +
                                std::to_string(modules) + " modules");
  cv::Mat image(side, side, CV_8UC1, cv::Scalar(255));
  const int origin = (side - code->width * scale) / 2;
  for (int y = 0; y < code->width; ++y)
    for (int x = 0; x < code->width; ++x)
      if (code->data[y * code->width + x] & 1)  // bit 0: a dark module
        image(cv::Rect(origin + x * scale, origin + y * scale, scale, scale)).setTo(0);
  return image;
}

}  // namespace lookalike::app

// The QR code of a short text (the kiosk card's take-home URL), drawn by libqrencode.
//
// Contract: qr_code() returns a side x side CV_8UC1 image, black (0) modules on white (255),
// with the standard quiet zone of 4 modules; modules are whole pixels (nearest-neighbour scale),
// centred, and the margin left over is white. Error correction level M, 8-bit mode. Throws
// std::invalid_argument when the text is empty, too long for a QR code, or `side` is smaller
// than one pixel per module. Pure and thread-safe.
#pragma once

#include <string_view>

#include <opencv2/core.hpp>

namespace lookalike::app {

cv::Mat qr_code(std::string_view text, int side);

}  // namespace lookalike::app

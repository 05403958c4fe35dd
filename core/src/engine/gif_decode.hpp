// The first frame of a GIF as a BGR image, decoded with Debian's giflib (OpenCV 4.6 has no GIF
// reader). Internal to core: image_io.cpp's decode_image is the only caller.
//
// Contract: the logical screen and the frame's size are checked against `max_pixels` before any
// pixel buffer exists; the frame is drawn onto the logical screen (transparent pixels and the
// area outside the frame are white, so a face keeps its contrast); interlaced frames are
// de-interlaced. Throws ImageError naming `name` and giflib's reason for damaged files.
#pragma once

#include <opencv2/core.hpp>
#include <span>
#include <string>

namespace lookalike::detail {

cv::Mat decode_gif_first_frame(std::span<const unsigned char> bytes, const std::string& name,
                               long long max_pixels);

}  // namespace lookalike::detail

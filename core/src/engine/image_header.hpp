// What an encoded image is and how large it claims to be, read from its first bytes without
// decoding. Internal to core: image_io.cpp's decode_image asks this before any decoder runs.
//
// Contract: sniff_image_format names one of the formats Lookalike decodes (PNG, JPEG, GIF, BMP,
// WebP, TIFF, PNM) or `unknown`; nothing else is handed to a decoder, so OpenCV's rarer
// readers (Sun raster, PFM, HDR, JPEG 2000, ...) never see untrusted bytes.
// read_image_header reads the width and height the header declares (for TIFF its first page, which
// is what OpenCV decodes) and, for TIFF, the tile or strip OpenCV allocates beside the image (a
// strip of "rows per strip" rows can be taller than the image); nullopt when the header is too
// damaged to say. It never allocates more than libtiff's directory and never throws. Own code for
// the BMP and PNM headers (a few fixed fields; no library reads only those); libwebp's WebPGetInfo
// and libtiff read the WebP and TIFF ones.
#pragma once

#include <cstddef>
#include <opencv2/core.hpp>
#include <optional>
#include <span>
#include <string_view>

namespace lookalike::detail {

enum class ImageFormat { png, jpeg, gif, bmp, webp, tiff, pnm, unknown };

ImageFormat sniff_image_format(std::span<const unsigned char> bytes);

// "PNG", "JPEG", ... for messages.
std::string_view image_format_name(ImageFormat format);

struct ImageHeader {
  cv::Size size;   // may be 0 x N: a broken header the caller refuses
  cv::Size block;  // the TIFF tile or strip buffer; 0 x 0 for the other formats
};

std::optional<ImageHeader> read_image_header(std::span<const unsigned char> bytes,
                                             ImageFormat format);

}  // namespace lookalike::detail

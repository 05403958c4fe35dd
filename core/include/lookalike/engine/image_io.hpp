// Safe image loading for untrusted files.
//
// Contract: load_image either returns a non-empty CV_8UC3 BGR image or throws ImageError whose
// message starts with the path and names the problem (missing, directory, empty file, not an
// image, truncated, too large to decode). Only JPEG, PNG, GIF, BMP, WebP, TIFF and PNM reach a
// decoder (OpenCV's other readers never see untrusted bytes); every one has its dimensions (and
// a TIFF its tile or strip) checked from the header before decoding, so a decompression bomb is
// refused without allocating its pixels; a JPEG
// above the budget (a 48-200 MP phone photo) is decoded at 1/2, 1/4 or 1/8 scale by libjpeg's
// DCT scaling instead, and refused only when still above it at 1/8. JPEGs come out turned as
// their EXIF orientation says; a GIF gives its first frame (giflib). 16-bit images are scaled
// to 8 bits, alpha is dropped, grayscale is expanded to BGR.
// Every path that decodes an untrusted image (importers, gallery thumbnails, image-folder frame
// sources, photo mode) goes through load_image or decode_image: there is no other decoder.
// Thread-safe.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <span>
#include <string>
#include <string_view>

namespace lookalike {

struct ImageLimits {
  // 40 MP decoded: plenty for finding faces, far below a bomb (larger JPEGs are decoded reduced).
  long long max_pixels = 40'000'000;
};

cv::Mat load_image(const std::filesystem::path& path, const ImageLimits& limits = {});

// Decodes an in-memory encoded image under the same rules; `name` is used in messages.
cv::Mat decode_image(std::span<const unsigned char> bytes, const std::string& name,
                     const ImageLimits& limits = {});

// The file extensions (lower case, with the dot) that the importers, the image-folder source
// and the app treat as photos: the one list.
std::span<const std::string_view> image_extensions();

// True when `path` ends in one of image_extensions() (case-insensitive).
bool has_image_extension(const std::filesystem::path& path);

// `image` turned `degrees` clockwise (a multiple of 90; 0 returns `image` itself).
cv::Mat turned_clockwise(const cv::Mat& image, int degrees);

// `pixels` (BGR) as a PNG file, written atomically (temp file, fsync, rename; parent folders
// created). Throws std::runtime_error naming the file.
void write_png_atomically(const std::filesystem::path& path, const cv::Mat& pixels);

}  // namespace lookalike

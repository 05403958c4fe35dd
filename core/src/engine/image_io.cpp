#include "lookalike/engine/image_io.hpp"

#include "lookalike/file_util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <span>
#include <string_view>

#include <spdlog/spdlog.h>

#include "gif_decode.hpp"
#include "lookalike/errors.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 256ull << 20;  // no photo is this big; refuse early

// OpenCV's own decoder limit as a second line of defence for formats we do not probe.
const bool kOpenCvLimitSet = [] {
  ::setenv("OPENCV_IO_MAX_IMAGE_PIXELS", "100000000", /*overwrite=*/0);
  return true;
}();

unsigned be16(const unsigned char* p) {
  return (p[0] << 8) | p[1];
}
unsigned be32(const unsigned char* p) {
  return (unsigned(p[0]) << 24) | (unsigned(p[1]) << 16) | (unsigned(p[2]) << 8) | p[3];
}

enum class Format { png, jpeg, gif, other };

Format sniff(std::span<const unsigned char> b) {
  static constexpr std::array<unsigned char, 8> kPng = {0x89, 'P',  'N',  'G',
                                                        0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() >= 8 && std::equal(kPng.begin(), kPng.end(), b.begin())) return Format::png;
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return Format::jpeg;
  if (b.size() >= 6 &&
      (std::memcmp(b.data(), "GIF87a", 6) == 0 || std::memcmp(b.data(), "GIF89a", 6) == 0))
    return Format::gif;
  return Format::other;
}

// Width x height from the file header, without decoding. nullopt when not found.
std::optional<cv::Size> header_size(std::span<const unsigned char> b, Format format) {
  if (format == Format::png) {
    if (b.size() < 24) return std::nullopt;
    return cv::Size(static_cast<int>(std::min(be32(&b[16]), 0x7fffffffu)),
                    static_cast<int>(std::min(be32(&b[20]), 0x7fffffffu)));
  }
  if (format == Format::jpeg) {
    std::size_t i = 2;
    while (i + 9 < b.size()) {
      if (b[i] != 0xFF) return std::nullopt;
      const unsigned marker = b[i + 1];
      if (marker == 0xFF) {
        ++i;
        continue;
      }
      const unsigned length = be16(&b[i + 2]);
      const bool sof =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof)
        return cv::Size(static_cast<int>(be16(&b[i + 7])), static_cast<int>(be16(&b[i + 5])));
      i += 2 + length;
    }
  }
  return std::nullopt;
}

bool jpeg_has_end_marker(std::span<const unsigned char> b) {
  // Cameras may append data after EOI; look for it near the end only.
  const std::size_t from = b.size() > 65536 ? b.size() - 65536 : 0;
  for (std::size_t i = b.size(); i-- > from + 1;)
    if (b[i - 1] == 0xFF && b[i] == 0xD9) return true;
  return false;
}

std::string limit_text(const ImageLimits& limits) {
  if (limits.max_pixels >= 1'000'000)
    return std::to_string(limits.max_pixels / 1'000'000) + " megapixels";
  return std::to_string(limits.max_pixels) + " pixels";  // tests and tight callers
}

// The smallest libjpeg DCT scaling (1/2, 1/4, 1/8) that brings `size` within the budget; 0 when
// even 1/8 does not. libjpeg decodes straight to the reduced size: no full-size buffer exists.
int jpeg_reduction(cv::Size size, long long max_pixels) {
  for (const int denominator : {2, 4, 8}) {
    const long long w = (size.width + denominator - 1) / denominator;
    const long long h = (size.height + denominator - 1) / denominator;
    if (w * h <= max_pixels) return denominator;
  }
  return 0;
}

int reduced_color_flag(int denominator) {
  switch (denominator) {
    case 2:
      return cv::IMREAD_REDUCED_COLOR_2;
    case 4:
      return cv::IMREAD_REDUCED_COLOR_4;
    case 8:
      return cv::IMREAD_REDUCED_COLOR_8;
    default:
      return cv::IMREAD_COLOR;
  }
}

}  // namespace

std::span<const std::string_view> image_extensions() {
  static constexpr std::array<std::string_view, 10> kExt = {
      ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"};
  return kExt;
}

bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  const auto known = image_extensions();
  return std::find(known.begin(), known.end(), ext) != known.end();
}

cv::Mat decode_image(std::span<const unsigned char> bytes, const std::string& name,
                     const ImageLimits& limits) {
  (void)kOpenCvLimitSet;
  if (bytes.empty()) throw ImageError(name + ": empty file (0 bytes)");
  if (bytes.size() > kMaxFileBytes) throw ImageError(name + ": file is too large to be a photo");
  const Format format = sniff(bytes);
  if (format == Format::gif) return detail::decode_gif_first_frame(bytes, name, limits.max_pixels);
  // IMREAD_COLOR applies the EXIF orientation (JPEG), so phone photos come out upright.
  int flags = cv::IMREAD_COLOR;
  if (auto size = header_size(bytes, format)) {
    if (size->width <= 0 || size->height <= 0)
      throw ImageError(name + ": invalid image header (zero width or height)");
    const long long pixels = static_cast<long long>(size->width) * size->height;
    const std::string dimensions = std::to_string(size->width) + "x" + std::to_string(size->height);
    if (pixels > limits.max_pixels) {
      // Phones take 48-200 MP photos: a JPEG is decoded smaller by its DCT scaling instead.
      const int denominator = format == Format::jpeg ? jpeg_reduction(*size, limits.max_pixels) : 0;
      if (denominator == 0)
        throw ImageError(name + ": image is too large to decode (" + dimensions + ", limit " +
                         limit_text(limits) +
                         (format == Format::jpeg ? ", even at 1/8 scale)" : ")"));
      flags = reduced_color_flag(denominator);
      spdlog::info("{}: {} is above the {} budget, decoding at 1/{} scale", name, dimensions,
                   limit_text(limits), denominator);
    }
  }
  if (format == Format::jpeg && !jpeg_has_end_marker(bytes))
    throw ImageError(name + ": truncated JPEG (no end-of-image marker)");
  cv::Mat image;
  try {
    // A header over the caller's bytes (no copy); imdecode only reads it.
    const cv::Mat encoded(1, static_cast<int>(bytes.size()), CV_8UC1,
                          const_cast<unsigned char*>(bytes.data()));
    image = cv::imdecode(encoded, flags);
  } catch (const cv::Exception& e) {
    throw ImageError(name + ": cannot decode image: " + e.err);
  }
  if (image.empty()) {
    if (format == Format::other) throw ImageError(name + ": not an image (unrecognized format)");
    throw ImageError(name + ": corrupt or truncated " + (format == Format::png ? "PNG" : "JPEG"));
  }
  if (static_cast<long long>(image.total()) > limits.max_pixels)
    throw ImageError(name + ": image is too large (" + std::to_string(image.cols) + "x" +
                     std::to_string(image.rows) + ")");
  return image;
}

cv::Mat load_image(const fs::path& path, const ImageLimits& limits) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw ImageError(name + ": no such file");
  if (fs::is_directory(status)) throw ImageError(name + ": is a directory, not an image");
  if (!fs::is_regular_file(status)) throw ImageError(name + ": not a regular file");
  const auto size = fs::file_size(path, ec);
  if (ec) throw ImageError(name + ": cannot read file size: " + ec.message());
  if (size > kMaxFileBytes) throw ImageError(name + ": file is too large to be a photo");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageError(name + ": cannot open (permission denied?)");
  std::vector<unsigned char> bytes(size);
  if (size && !in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    throw ImageError(name + ": read error");
  return decode_image(bytes, name, limits);
}

cv::Mat turned_clockwise(const cv::Mat& image, int degrees) {
  const int quarter = ((degrees / 90) % 4 + 4) % 4;
  if (quarter == 0 || image.empty()) return image;
  cv::Mat out;
  cv::rotate(image, out,
             quarter == 1   ? cv::ROTATE_90_CLOCKWISE
             : quarter == 2 ? cv::ROTATE_180
                            : cv::ROTATE_90_COUNTERCLOCKWISE);
  return out;
}

void write_png_atomically(const std::filesystem::path& path, const cv::Mat& pixels) {
  std::vector<unsigned char> png;
  if (pixels.empty() || !cv::imencode(".png", pixels, png))
    throw std::runtime_error(path.string() + ": PNG encoding failed");
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  write_file_atomically(path, std::as_bytes(std::span(png.data(), png.size())));
}

}  // namespace lookalike

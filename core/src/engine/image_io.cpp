#include "lookalike/engine/image_io.hpp"

#include "lookalike/file_util.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <span>
#include <string_view>

#include <spdlog/spdlog.h>

#include "gif_decode.hpp"
#include "image_header.hpp"
#include "lookalike/errors.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

constexpr std::uintmax_t kMaxFileBytes = 256ull << 20;  // no photo is this big; refuse early

// No OPENCV_IO_MAX_IMAGE_PIXELS here: OpenCV reads it once when its library loads, before any
// code of ours runs, so setting it from inside the process does nothing. Every format we hand to
// imdecode has its declared size checked first instead (image_header.hpp).

bool jpeg_has_end_marker(std::span<const unsigned char> b) {
  // Cameras may append data after EOI; look for it near the end only.
  const std::size_t from = b.size() > 65536 ? b.size() - 65536 : 0;
  for (std::size_t i = b.size(); i-- > from + 1;)
    if (b[i - 1] == 0xFF && b[i] == 0xD9) return true;
  return false;
}

std::string size_text(cv::Size size) {
  return std::to_string(size.width) + "x" + std::to_string(size.height);
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
  if (bytes.empty()) throw ImageError(name + ": empty file (0 bytes)");
  if (bytes.size() > kMaxFileBytes) throw ImageError(name + ": file is too large to be a photo");
  const detail::ImageFormat format = detail::sniff_image_format(bytes);
  const std::string format_name(detail::image_format_name(format));
  if (format == detail::ImageFormat::unknown)
    throw ImageError(name +
                     ": not an image (unrecognized format; Lookalike reads JPEG, PNG, GIF, BMP, "
                     "WebP, TIFF and PNM)");
  if (format == detail::ImageFormat::gif)
    return detail::decode_gif_first_frame(bytes, name, limits.max_pixels);
  const bool jpeg = format == detail::ImageFormat::jpeg;
  // IMREAD_COLOR applies the EXIF orientation (JPEG), so phone photos come out upright.
  int flags = cv::IMREAD_COLOR;
  const auto header = detail::read_image_header(bytes, format);
  // PNG and JPEG headers too short to read fall through to the decoder, which refuses them;
  // the other readers are less hardened, so a header we cannot read is refused here.
  if (!header && !jpeg && format != detail::ImageFormat::png)
    throw ImageError(name + ": damaged " + format_name + " header (no width and height)");
  if (header) {
    const cv::Size size = header->size;
    if (size.width <= 0 || size.height <= 0)
      throw ImageError(name + ": invalid image header (zero width or height)");
    const long long pixels = static_cast<long long>(size.width) * size.height;
    const std::string dimensions = size_text(size);
    if (pixels > limits.max_pixels) {
      // Phones take 48-200 MP photos: a JPEG is decoded smaller by its DCT scaling instead.
      const int denominator = jpeg ? jpeg_reduction(size, limits.max_pixels) : 0;
      if (denominator == 0)
        throw ImageError(name + ": image is too large to decode (" + dimensions + ", limit " +
                         limit_text(limits) + (jpeg ? ", even at 1/8 scale)" : ")"));
      flags = reduced_color_flag(denominator);
      spdlog::info("{}: {} is above the {} budget, decoding at 1/{} scale", name, dimensions,
                   limit_text(limits), denominator);
    }
    const long long block_pixels =
        static_cast<long long>(header->block.width) * header->block.height;
    if (block_pixels > limits.max_pixels)  // TIFF only: the others have no separate block
      throw ImageError(name + ": " + format_name + " tile or strip is too large to decode (" +
                       size_text(header->block) + ", limit " + limit_text(limits) + ")");
  }
  if (jpeg && !jpeg_has_end_marker(bytes))
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
  if (image.empty()) throw ImageError(name + ": corrupt or truncated " + format_name);
  if (static_cast<long long>(image.total()) > limits.max_pixels)
    throw ImageError(name + ": image is too large (" + size_text(image.size()) + ")");
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

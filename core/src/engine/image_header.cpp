#include "image_header.hpp"

#include <tiffio.h>
#include <webp/decode.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

namespace lookalike::detail {
namespace {

unsigned be16(const unsigned char* p) {
  return (p[0] << 8) | p[1];
}
std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) |
         p[3];
}
std::uint32_t le32(const unsigned char* p) {
  return (std::uint32_t(p[3]) << 24) | (std::uint32_t(p[2]) << 16) | (std::uint32_t(p[1]) << 8) |
         p[0];
}
unsigned le16(const unsigned char* p) {
  return (p[1] << 8) | p[0];
}

// Header fields are unsigned 32-bit; cv::Size is int. Saturating keeps "too large" honest.
int clamp_int(std::int64_t v) {
  return static_cast<int>(std::clamp<std::int64_t>(v, 0, std::numeric_limits<int>::max()));
}

bool starts_with(std::span<const unsigned char> b, std::string_view magic) {
  return b.size() >= magic.size() && std::memcmp(b.data(), magic.data(), magic.size()) == 0;
}

std::optional<cv::Size> png_size(std::span<const unsigned char> b) {
  if (b.size() < 24) return std::nullopt;
  return cv::Size(clamp_int(be32(&b[16])), clamp_int(be32(&b[20])));
}

// The first start-of-frame marker's size; markers before it are skipped by their lengths.
std::optional<cv::Size> jpeg_size(std::span<const unsigned char> b) {
  std::size_t i = 2;
  while (i + 9 < b.size()) {
    if (b[i] != 0xFF) return std::nullopt;
    const unsigned marker = b[i + 1];
    if (marker == 0xFF) {
      ++i;
      continue;
    }
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) return cv::Size(static_cast<int>(be16(&b[i + 7])), static_cast<int>(be16(&b[i + 5])));
    i += 2 + be16(&b[i + 2]);
  }
  return std::nullopt;
}

// BITMAPFILEHEADER (14 bytes), then the DIB header: OS/2's 12-byte core header has 16-bit sizes,
// every later one (40, 52, 56, 64, 108, 124 bytes) signed 32-bit ones, a negative height meaning
// top-down rows. OpenCV reads 32-bit sizes from any header of 36 bytes or more; so do we.
std::optional<cv::Size> bmp_size(std::span<const unsigned char> b) {
  if (b.size() < 26) return std::nullopt;
  const std::uint32_t dib = le32(&b[14]);
  if (dib == 12) return cv::Size(static_cast<int>(le16(&b[18])), static_cast<int>(le16(&b[20])));
  if (dib < 36) return std::nullopt;
  const auto width = static_cast<std::int32_t>(le32(&b[18]));
  const auto height = static_cast<std::int32_t>(le32(&b[22]));
  return cv::Size(clamp_int(width), clamp_int(std::abs(static_cast<std::int64_t>(height))));
}

// Netpbm: "P1".."P6", then width and height as decimal text, separated by whitespace and
// '#' comments that run to the end of the line.
std::optional<cv::Size> pnm_size(std::span<const unsigned char> b) {
  std::size_t i = 2;
  std::array<std::int64_t, 2> values{};
  for (std::int64_t& value : values) {
    for (;;) {
      if (i >= b.size()) return std::nullopt;
      if (b[i] == '#') {
        while (i < b.size() && b[i] != '\n' && b[i] != '\r') ++i;
      } else if (std::isspace(b[i])) {
        ++i;
      } else {
        break;
      }
    }
    if (!std::isdigit(b[i])) return std::nullopt;
    for (; i < b.size() && std::isdigit(b[i]); ++i)
      value = std::min<std::int64_t>(value * 10 + (b[i] - '0'), std::int64_t{1} << 40);
  }
  return cv::Size(clamp_int(values[0]), clamp_int(values[1]));
}

std::optional<cv::Size> webp_size(std::span<const unsigned char> b) {
  int width = 0;
  int height = 0;
  if (!WebPGetInfo(b.data(), b.size(), &width, &height)) return std::nullopt;
  return cv::Size(width, height);
}

// libtiff reads the first directory straight from the caller's bytes through these callbacks.
struct TiffBytes {
  std::span<const unsigned char> bytes;
  std::uint64_t offset = 0;
};

tmsize_t tiff_read(thandle_t handle, void* out, tmsize_t size) {
  auto& in = *static_cast<TiffBytes*>(handle);
  if (size <= 0 || in.offset >= in.bytes.size()) return 0;
  const auto n =
      std::min<std::uint64_t>(static_cast<std::uint64_t>(size), in.bytes.size() - in.offset);
  std::memcpy(out, in.bytes.data() + in.offset, n);
  in.offset += n;
  return static_cast<tmsize_t>(n);
}
tmsize_t tiff_write(thandle_t, void*, tmsize_t) {
  return 0;
}
toff_t tiff_seek(thandle_t handle, toff_t offset, int whence) {
  auto& in = *static_cast<TiffBytes*>(handle);
  const std::uint64_t base = whence == SEEK_CUR   ? in.offset
                             : whence == SEEK_END ? in.bytes.size()
                                                  : 0;
  if (offset > std::numeric_limits<std::uint64_t>::max() - base) return static_cast<toff_t>(-1);
  in.offset = base + offset;  // past the end reads as end of file
  return in.offset;
}
int tiff_close(thandle_t) {
  return 0;
}
toff_t tiff_size(thandle_t handle) {
  return static_cast<TiffBytes*>(handle)->bytes.size();
}
int tiff_quiet(TIFF*, void*, const char*, const char*, va_list) {
  return 1;  // handled: damaged files are reported by the caller, not on stderr
}

constexpr tmsize_t kTiffMaxAlloc = 16 << 20;  // a directory this large is an attack

std::optional<ImageHeader> tiff_header(std::span<const unsigned char> b) {
  TiffBytes in{b};
  std::unique_ptr<TIFFOpenOptions, decltype(&TIFFOpenOptionsFree)> options(TIFFOpenOptionsAlloc(),
                                                                           TIFFOpenOptionsFree);
  if (!options) return std::nullopt;
  TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), kTiffMaxAlloc);
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), tiff_quiet, nullptr);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), tiff_quiet, nullptr);
  // "m": no memory mapping (there is no file). Opening reads the first directory only.
  std::unique_ptr<TIFF, decltype(&TIFFClose)> tiff(
      TIFFClientOpenExt("tiff", "rm", &in, tiff_read, tiff_write, tiff_seek, tiff_close, tiff_size,
                        nullptr, nullptr, options.get()),
      TIFFClose);
  if (!tiff) return std::nullopt;
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  if (!TIFFGetField(tiff.get(), TIFFTAG_IMAGEWIDTH, &width) ||
      !TIFFGetField(tiff.get(), TIFFTAG_IMAGELENGTH, &height))
    return std::nullopt;
  ImageHeader header{.size = cv::Size(clamp_int(width), clamp_int(height))};
  // As OpenCV's TIFF reader sizes its buffer: a tile, or a strip of "rows per strip" full rows
  // (0 or the 2^32-1 default meaning the whole image).
  std::uint32_t block_width = width;
  std::uint32_t block_height = 0;
  if (TIFFIsTiled(tiff.get())) {
    if (!TIFFGetField(tiff.get(), TIFFTAG_TILEWIDTH, &block_width) ||
        !TIFFGetField(tiff.get(), TIFFTAG_TILELENGTH, &block_height))
      return std::nullopt;
  } else {
    TIFFGetField(tiff.get(), TIFFTAG_ROWSPERSTRIP, &block_height);
    if (block_height == std::numeric_limits<std::uint32_t>::max()) block_height = 0;
  }
  if (block_width == 0) block_width = width;
  if (block_height == 0) block_height = height;
  header.block = cv::Size(clamp_int(block_width), clamp_int(block_height));
  return header;
}

}  // namespace

ImageFormat sniff_image_format(std::span<const unsigned char> b) {
  if (starts_with(b, "\x89PNG\r\n\x1a\n")) return ImageFormat::png;
  if (starts_with(b, "\xFF\xD8\xFF")) return ImageFormat::jpeg;
  if (starts_with(b, "GIF87a") || starts_with(b, "GIF89a")) return ImageFormat::gif;
  if (starts_with(b, "BM")) return ImageFormat::bmp;
  if (b.size() >= 12 && starts_with(b, "RIFF") && std::memcmp(&b[8], "WEBP", 4) == 0)
    return ImageFormat::webp;
  if (starts_with(b, std::string_view("II*\0", 4)) ||
      starts_with(b, std::string_view("MM\0*", 4)) ||
      starts_with(b, std::string_view("II+\0", 4)) || starts_with(b, std::string_view("MM\0+", 4)))
    return ImageFormat::tiff;
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6' && std::isspace(b[2]))
    return ImageFormat::pnm;
  return ImageFormat::unknown;
}

std::string_view image_format_name(ImageFormat format) {
  // In ImageFormat's order; `unknown` last.
  static constexpr std::array<std::string_view, 8> kNames = {"PNG",  "JPEG", "GIF", "BMP",
                                                             "WebP", "TIFF", "PNM", "image"};
  static_assert(kNames.size() == static_cast<std::size_t>(ImageFormat::unknown) + 1);
  return kNames[static_cast<std::size_t>(format)];
}

std::optional<ImageHeader> read_image_header(std::span<const unsigned char> bytes,
                                             ImageFormat format) {
  std::optional<cv::Size> size;
  switch (format) {
    case ImageFormat::tiff:
      return tiff_header(bytes);
    case ImageFormat::png:
      size = png_size(bytes);
      break;
    case ImageFormat::jpeg:
      size = jpeg_size(bytes);
      break;
    case ImageFormat::bmp:
      size = bmp_size(bytes);
      break;
    case ImageFormat::webp:
      size = webp_size(bytes);
      break;
    case ImageFormat::pnm:
      size = pnm_size(bytes);
      break;
    case ImageFormat::gif:  // giflib's decoder checks its own screen and frame sizes
    case ImageFormat::unknown:
      break;
  }
  if (!size) return std::nullopt;
  return ImageHeader{.size = *size};
}

}  // namespace lookalike::detail

// Every format decode_image accepts has its declared size checked before a decoder allocates
// (the fuzzer's 51-byte BMP that asked OpenCV for 2.7 GB is one such header); formats outside
// the list are refused as "not an image"; real files of each accepted format still decode.
#include <algorithm>
#include <cstdint>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

using Bytes = std::vector<unsigned char>;

std::string decode_error(const Bytes& bytes, const ImageLimits& limits = {}) {
  try {
    decode_image(bytes, "upload", limits);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

Bytes encoded(const std::string& ext, const cv::Mat& image, const std::vector<int>& params = {}) {
  Bytes bytes;
  EXPECT_TRUE(cv::imencode(ext, image, bytes, params)) << ext;
  return bytes;
}

// Lossy WebP ("VP8 " chunk); OpenCV's default quality writes lossless ("VP8L").
Bytes lossy_webp(const cv::Mat& image) {
  return encoded(".webp", image, {cv::IMWRITE_WEBP_QUALITY, 80});
}

void put_le32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<unsigned char>(v >> (8 * i));
}

// A little-endian TIFF: one 8-bit gray strip, all tags in one directory.
Bytes tiff_header(std::uint32_t width, std::uint32_t height, std::uint32_t rows_per_strip,
                  std::uint16_t compression = 1) {
  struct Entry {
    std::uint16_t tag, type;
    std::uint32_t value;
  };
  const std::vector<Entry> entries = {
      {256, 4, width}, {257, 4, height}, {258, 3, 8}, {259, 3, compression},
      {262, 3, 1},     {273, 4, 200},    {277, 3, 1}, {278, 4, rows_per_strip},
      {279, 4, 16}};
  Bytes b = {'I', 'I', 42, 0, 8, 0, 0, 0};
  auto put16 = [&](std::uint16_t v) {
    b.push_back(v & 0xFF);
    b.push_back(v >> 8);
  };
  auto put32 = [&](std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<unsigned char>(v >> (8 * i)));
  };
  put16(static_cast<std::uint16_t>(entries.size()));
  for (const Entry& e : entries) {
    put16(e.tag);
    put16(e.type);
    put32(1);
    if (e.type == 3) {
      put16(static_cast<std::uint16_t>(e.value));
      put16(0);
    } else {
      put32(e.value);
    }
  }
  put32(0);             // no next directory
  b.resize(216, 0x80);  // the strip's 16 bytes at offset 200
  return b;
}

TEST(ImageFormats, EveryAcceptedFormatStillDecodes) {
  const cv::Mat image(30, 40, CV_8UC3, cv::Scalar(10, 120, 230));
  cv::Mat gray;
  cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  for (const char* ext : {".png", ".jpg", ".bmp", ".webp", ".tiff", ".ppm", ".pgm"}) {
    const cv::Mat decoded =
        decode_image(encoded(ext, ext == std::string(".pgm") ? gray : image), ext);
    EXPECT_EQ(decoded.size(), image.size()) << ext;
    EXPECT_EQ(decoded.type(), CV_8UC3) << ext;
  }
  // A TIFF written by hand (not by OpenCV) as the header reader expects it.
  EXPECT_EQ(decode_image(tiff_header(4, 4, 4), "gray.tif").size(), cv::Size(4, 4));
}

TEST(ImageFormats, BombHeadersAreRefusedBeforeDecoding) {
  // The fuzz finding: a BMP whose 40-byte header claims 16432 x 54299 (892 MP).
  Bytes bmp = encoded(".bmp", cv::Mat(2, 2, CV_8UC3, cv::Scalar::all(1)));
  put_le32(bmp, 18, 16432);
  put_le32(bmp, 22, 54299);
  std::string error = decode_error(bmp);
  EXPECT_NE(error.find("upload: image is too large to decode (16432x54299"), std::string::npos)
      << error;
  put_le32(bmp, 22, static_cast<std::uint32_t>(-54299));  // top-down rows: negative height
  EXPECT_NE(decode_error(bmp).find("(16432x54299"), std::string::npos) << decode_error(bmp);

  const std::string ppm = "P6\n# made by hand\n30000 30000\n255\n";
  error = decode_error(Bytes(ppm.begin(), ppm.end()));
  EXPECT_NE(error.find("too large to decode (30000x30000"), std::string::npos) << error;

  // VP8 (lossy) keeps 14-bit width and height at offsets 26 and 28: 16383 x 16383 is 268 MP.
  Bytes webp = lossy_webp(cv::Mat(16, 16, CV_8UC3, cv::Scalar::all(50)));
  ASSERT_EQ(std::string(webp.begin() + 12, webp.begin() + 16), "VP8 ");
  webp[26] = webp[28] = 0xFF;
  webp[27] = webp[29] = 0x3F;
  error = decode_error(webp);
  EXPECT_NE(error.find("too large to decode (16383x16383"), std::string::npos) << error;

  error = decode_error(tiff_header(30000, 30000, 30000));
  EXPECT_NE(error.find("too large to decode (30000x30000"), std::string::npos) << error;
  // A 4 x 4 image whose strip claims a million rows: OpenCV would size its buffer by the strip.
  error = decode_error(tiff_header(4000, 4, 1'000'000, /*deflate=*/8));
  EXPECT_NE(error.find("TIFF tile or strip is too large to decode (4000x1000000"),
            std::string::npos)
      << error;
}

TEST(ImageFormats, DamagedHeadersAndOtherFormatsAreRefusedByName) {
  Bytes bmp = encoded(".bmp", cv::Mat(2, 2, CV_8UC3, cv::Scalar::all(1)));
  put_le32(bmp, 14, 20);  // no DIB header is 20 bytes long
  EXPECT_NE(decode_error(bmp).find("upload: damaged BMP header"), std::string::npos)
      << decode_error(bmp);
  Bytes cut_tiff = tiff_header(4, 4, 4);
  cut_tiff.resize(20);  // the directory's count and first entries only
  EXPECT_NE(decode_error(cut_tiff).find("damaged TIFF header"), std::string::npos)
      << decode_error(cut_tiff);
  const std::string ppm = "P6\n# no size follows";
  EXPECT_NE(decode_error(Bytes(ppm.begin(), ppm.end())).find("damaged PNM header"),
            std::string::npos);
  Bytes webp = lossy_webp(cv::Mat(16, 16, CV_8UC3, cv::Scalar::all(50)));
  webp.resize(24);
  EXPECT_NE(decode_error(webp).find("damaged WebP header"), std::string::npos)
      << decode_error(webp);

  // Formats OpenCV reads but Lookalike does not accept: Sun raster, PFM, Radiance HDR.
  cv::Mat radiance;
  cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(200)).convertTo(radiance, CV_32FC3, 1.0 / 255);
  for (const Bytes& bytes :
       {encoded(".ras", cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(200))), encoded(".hdr", radiance)})
    EXPECT_NE(decode_error(bytes).find("upload: not an image (unrecognized format"),
              std::string::npos)
        << decode_error(bytes);
  const std::string pfm = "PF\n8 8\n-1\n";
  EXPECT_NE(decode_error(Bytes(pfm.begin(), pfm.end())).find("not an image"), std::string::npos);
}

}  // namespace
}  // namespace lookalike

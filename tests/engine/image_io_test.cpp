// load_image on hostile files: each gets its own clear error naming the file; odd but valid
// images (16-bit, alpha, grayscale, 1x1) load as 8-bit BGR; JPEGs above the pixel budget decode
// reduced, EXIF orientation is applied, GIFs give their first frame.
#include <gif_lib.h>

#include <algorithm>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

std::string load_error(const fs::path& path) {
  try {
    load_image(path);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

class ImageIo : public ::testing::Test {
 protected:
  test::TempDir dir;
  fs::path good_jpeg() {
    cv::Mat img(120, 160, CV_8UC3, cv::Scalar(10, 200, 30));
    const auto path = dir / "good.jpg";
    cv::imwrite(path.string(), img);
    return path;
  }
};

TEST_F(ImageIo, RejectsBadFilesWithTheirOwnMessage) {
  test::write_file(dir / "empty.jpg", "");
  EXPECT_NE(load_error(dir / "empty.jpg").find("empty file"), std::string::npos);

  std::ifstream in(good_jpeg(), std::ios::binary);
  std::string jpeg((std::istreambuf_iterator<char>(in)), {});
  test::write_file(dir / "truncated.jpg", jpeg.substr(0, jpeg.size() / 2));
  EXPECT_NE(load_error(dir / "truncated.jpg").find("truncated"), std::string::npos);

  test::write_file(dir / "notes.jpg", "this is a text file, not a photo\n");
  EXPECT_NE(load_error(dir / "notes.jpg").find("not an image"), std::string::npos);

  test::write_file(dir / "bomb.png", test::bomb_png_header());
  const std::string bomb = load_error(dir / "bomb.png");
  EXPECT_NE(bomb.find("too large"), std::string::npos) << bomb;
  EXPECT_NE(bomb.find("20000x20000"), std::string::npos) << bomb;

  EXPECT_NE(load_error(dir / "nope.jpg").find("no such file"), std::string::npos);
  EXPECT_NE(load_error(dir.path()).find("is a directory"), std::string::npos);
  for (const char* name : {"empty.jpg", "truncated.jpg", "notes.jpg", "bomb.png", "nope.jpg"})
    EXPECT_NE(load_error(dir / name).find(name), std::string::npos) << "message names the file";
}

TEST_F(ImageIo, LoadsUnusualButValidImagesAsBgr8) {
  cv::Mat sixteen(40, 50, CV_16UC3, cv::Scalar(1000, 30000, 65000));
  cv::imwrite((dir / "deep.png").string(), sixteen);
  cv::Mat alpha(40, 50, CV_8UC4, cv::Scalar(1, 2, 3, 128));
  cv::imwrite((dir / "alpha.png").string(), alpha);
  cv::Mat gray(40, 50, CV_8UC1, cv::Scalar(77));
  cv::imwrite((dir / "gray.png").string(), gray);
  cv::Mat tiny(1, 1, CV_8UC3, cv::Scalar(5, 6, 7));
  cv::imwrite((dir / "tiny.png").string(), tiny);
  for (const char* name : {"deep.png", "alpha.png", "gray.png", "tiny.png"}) {
    cv::Mat img = load_image(dir / name);
    EXPECT_EQ(img.type(), CV_8UC3) << name;
  }
  EXPECT_EQ(load_image(dir / "deep.png").at<cv::Vec3b>(0, 0)[2], 253);  // 65000 >> 8
  EXPECT_EQ(load_image(dir / "gray.png").at<cv::Vec3b>(0, 0), cv::Vec3b(77, 77, 77));
  EXPECT_EQ(load_image(dir / "tiny.png").size(), cv::Size(1, 1));
}

// decode_image (gallery thumbnails, anything already in memory) follows the same rules and
// limits as load_image, naming what it decodes.
TEST_F(ImageIo, DecodesFromMemoryUnderTheSameLimits) {
  const std::string bomb = test::bomb_png_header();
  const std::vector<unsigned char> bomb_bytes(bomb.begin(), bomb.end());
  try {
    decode_image(bomb_bytes, "thumb 7");
    ADD_FAILURE() << "a bomb decoded";
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("thumb 7: image is too large to decode (20000x20000"),
              std::string::npos)
        << e.what();
  }
  std::vector<unsigned char> png;
  ASSERT_TRUE(cv::imencode(".png", cv::Mat(30, 40, CV_8UC3, cv::Scalar(1, 2, 3)), png));
  EXPECT_EQ(decode_image(png, "ok").size(), cv::Size(40, 30));
  ImageLimits tight;
  tight.max_pixels = 1000;  // 1200 pixels is over
  try {
    decode_image(png, "tight", tight);
    ADD_FAILURE() << "over the limit decoded";
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("limit 1000 pixels"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decode_image(std::vector<unsigned char>{}, "empty"), ImageError);
  EXPECT_THROW(decode_image(std::vector<unsigned char>(100, 'x'), "text"), ImageError);
}

std::vector<unsigned char> jpeg_of(const cv::Mat& image) {
  std::vector<unsigned char> bytes;
  EXPECT_TRUE(cv::imencode(".jpg", image, bytes));
  return bytes;
}

std::string decode_error(std::span<const unsigned char> bytes, const ImageLimits& limits = {}) {
  try {
    decode_image(bytes, "photo.jpg", limits);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

// A phone photo above the budget comes out at the first DCT scale that fits, not refused.
TEST(ImageIoBudget, JpegAboveTheBudgetDecodesAtAReducedScale) {
  const ImageLimits limit{.max_pixels = 1'000'000};
  cv::Mat big(1500, 2000, CV_8UC3, cv::Scalar(40, 90, 200));
  cv::rectangle(big, {0, 0, 1000, 1500}, cv::Scalar(200, 40, 90), cv::FILLED);
  const cv::Mat half = decode_image(jpeg_of(big), "3mp.jpg", limit);  // 1/2: 0.75 MP fits
  EXPECT_EQ(half.size(), cv::Size(1000, 750));
  EXPECT_NEAR(half.at<cv::Vec3b>(300, 100)[0], 200, 8) << "the left half is still the left half";
  EXPECT_NEAR(half.at<cv::Vec3b>(300, 900)[2], 200, 8);

  const cv::Mat quarter = decode_image(jpeg_of(cv::Mat(3000, 4000, CV_8UC3, cv::Scalar::all(9))),
                                       "12mp.jpg", limit);  // 1/2 is 3 MP: 1/4
  EXPECT_EQ(quarter.size(), cv::Size(1000, 750));

  // Still above the budget at 1/8: refused, saying so.
  const std::string refused = decode_error(
      jpeg_of(cv::Mat(3000, 3000, CV_8UC3, cv::Scalar::all(9))), {.max_pixels = 100'000});
  EXPECT_NE(refused.find("photo.jpg: image is too large to decode (3000x3000"), std::string::npos)
      << refused;
  EXPECT_NE(refused.find("even at 1/8 scale"), std::string::npos) << refused;

  // PNG has no reduced decoding: above the budget it is refused.
  std::vector<unsigned char> png;
  ASSERT_TRUE(cv::imencode(".png", big, png));
  EXPECT_NE(decode_error(png, limit).find("too large to decode (2000x1500"), std::string::npos);
}

// The stored pixels are sideways; EXIF orientation 6 says "turn 90 degrees clockwise to view".
TEST(ImageIoExif, OrientationSixComesOutUpright) {
  cv::Mat stored(100, 200, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::rectangle(stored, {0, 0, 40, 40}, cv::Scalar(0, 0, 255), cv::FILLED);  // red, top left
  const auto bytes = test::with_exif_orientation(jpeg_of(stored), 6);
  const cv::Mat shown = decode_image(bytes, "exif6.jpg");
  ASSERT_EQ(shown.size(), cv::Size(100, 200)) << "width and height swap";
  // Turned clockwise, the top-left corner becomes the top-right one.
  EXPECT_GT(shown.at<cv::Vec3b>(10, 90)[2], 200);
  EXPECT_LT(shown.at<cv::Vec3b>(10, 90)[0], 60);
  EXPECT_GT(shown.at<cv::Vec3b>(10, 10)[0], 200) << "top left is white now";
  // Orientation 1 leaves it as stored.
  EXPECT_EQ(decode_image(test::with_exif_orientation(jpeg_of(stored), 1), "exif1.jpg").size(),
            cv::Size(200, 100));
}

TEST(ImageIoRotation, TurnedClockwiseInQuarters) {
  cv::Mat m(2, 3, CV_8UC3, cv::Scalar::all(0));
  m.at<cv::Vec3b>(0, 0) = {1, 1, 1};
  EXPECT_EQ(turned_clockwise(m, 90).size(), cv::Size(2, 3));
  EXPECT_EQ(turned_clockwise(m, 90).at<cv::Vec3b>(0, 1), cv::Vec3b(1, 1, 1));
  EXPECT_EQ(turned_clockwise(m, 180).at<cv::Vec3b>(1, 2), cv::Vec3b(1, 1, 1));
  EXPECT_EQ(turned_clockwise(m, 270).at<cv::Vec3b>(2, 0), cv::Vec3b(1, 1, 1));
  EXPECT_EQ(turned_clockwise(m, 360).data, m.data);
  EXPECT_EQ(turned_clockwise(m, -90).at<cv::Vec3b>(2, 0), cv::Vec3b(1, 1, 1));
}

// A GIF written by giflib itself: screen w x h, one frame at (left, top) of frame_w x frame_h,
// colour index = row % 3 (red, green, blue), index 3 transparent in the frame's first column.
std::vector<unsigned char> make_gif(int w, int h, int left, int top, int frame_w, int frame_h,
                                    bool interlaced) {
  std::vector<unsigned char> out;
  int error = 0;
  GifFileType* gif = EGifOpen(
      &out,
      [](GifFileType* g, const GifByteType* data, int n) {
        auto* bytes = static_cast<std::vector<unsigned char>*>(g->UserData);
        bytes->insert(bytes->end(), data, data + n);
        return n;
      },
      &error);
  EXPECT_NE(gif, nullptr);
  const GifColorType colours[4] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {0, 0, 0}};
  ColorMapObject* map = GifMakeMapObject(4, colours);
  EGifSetGifVersion(gif, true);
  EXPECT_EQ(EGifPutScreenDesc(gif, w, h, 2, 0, map), GIF_OK);
  GraphicsControlBlock gcb{};
  gcb.TransparentColor = 3;
  GifByteType ext[4];
  EGifGCBToExtension(&gcb, ext);
  EXPECT_EQ(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, ext), GIF_OK);
  EXPECT_EQ(EGifPutImageDesc(gif, left, top, frame_w, frame_h, interlaced, nullptr), GIF_OK);
  std::vector<int> rows;
  if (interlaced) {
    for (const auto [start, step] : {std::pair{0, 8}, {4, 8}, {2, 4}, {1, 2}})
      for (int y = start; y < frame_h; y += step) rows.push_back(y);
  } else {
    for (int y = 0; y < frame_h; ++y) rows.push_back(y);
  }
  for (const int y : rows) {
    std::vector<GifByteType> line(static_cast<std::size_t>(frame_w), GifByteType(y % 3));
    line[0] = 3;
    EXPECT_EQ(EGifPutLine(gif, line.data(), frame_w), GIF_OK);
  }
  EXPECT_EQ(EGifCloseFile(gif, &error), GIF_OK);
  GifFreeMapObject(map);
  return out;
}

TEST(ImageIoGif, FirstFrameOnItsScreenWithTransparencyAndInterlace) {
  for (const bool interlaced : {false, true}) {
    SCOPED_TRACE(interlaced ? "interlaced" : "progressive");
    const cv::Mat img = decode_image(make_gif(60, 50, 5, 7, 40, 30, interlaced), "anim.gif");
    ASSERT_EQ(img.size(), cv::Size(60, 50));
    EXPECT_EQ(img.at<cv::Vec3b>(7, 10), cv::Vec3b(0, 0, 255)) << "row 0: red (BGR)";
    EXPECT_EQ(img.at<cv::Vec3b>(8, 10), cv::Vec3b(0, 255, 0)) << "row 1: green";
    EXPECT_EQ(img.at<cv::Vec3b>(9, 10), cv::Vec3b(255, 0, 0)) << "row 2: blue";
    EXPECT_EQ(img.at<cv::Vec3b>(7 + 29, 10), cv::Vec3b(255, 0, 0)) << "row 29: blue";
    EXPECT_EQ(img.at<cv::Vec3b>(10, 5), cv::Vec3b(255, 255, 255)) << "transparent: white";
    EXPECT_EQ(img.at<cv::Vec3b>(2, 2), cv::Vec3b(255, 255, 255)) << "outside the frame";
  }
  // A frame overhanging the screen is clipped, not written out of bounds.
  EXPECT_EQ(decode_image(make_gif(20, 20, 10, 10, 30, 30, false), "overhang.gif").size(),
            cv::Size(20, 20));
}

TEST(ImageIoGif, DamagedAndHugeGifsAreRefusedByName) {
  const auto gif = make_gif(60, 50, 0, 0, 60, 50, false);
  const std::vector<unsigned char> cut(gif.begin(), gif.begin() + gif.size() / 2);
  const std::string truncated = decode_error(cut);
  EXPECT_NE(truncated.find("photo.jpg: corrupt or truncated GIF"), std::string::npos) << truncated;
  // A logical screen of 65535 x 65535 (a bomb's header) is refused before any buffer exists.
  auto bomb = gif;
  bomb[6] = bomb[7] = bomb[8] = bomb[9] = 0xFF;
  EXPECT_NE(decode_error(bomb).find("too large to decode (65535x65535"), std::string::npos);
  const std::vector<unsigned char> header_only(gif.begin(), gif.begin() + 6);
  EXPECT_NE(decode_error(header_only).find("GIF"), std::string::npos);
  // Only the header of a GIF with a screen but no image.
  std::vector<unsigned char> no_image(gif.begin(), gif.begin() + 13 + 12);
  no_image.push_back(0x3B);  // trailer
  EXPECT_NE(decode_error(no_image).find("GIF"), std::string::npos) << decode_error(no_image);
}

TEST(ImageExtensions, OneListCaseInsensitive) {
  const auto exts = image_extensions();
  EXPECT_NE(std::find(exts.begin(), exts.end(), ".png"), exts.end());
  EXPECT_NE(std::find(exts.begin(), exts.end(), ".jpeg"), exts.end());
  EXPECT_TRUE(has_image_extension("a/B.JPG"));
  EXPECT_TRUE(has_image_extension("x.webp"));
  EXPECT_TRUE(has_image_extension("party.GIF"));
  EXPECT_FALSE(has_image_extension("notes.txt"));
  EXPECT_FALSE(has_image_extension("png"));
  for (std::string_view ext : exts) EXPECT_TRUE(has_image_extension("f" + std::string(ext)));
}

}  // namespace
}  // namespace lookalike

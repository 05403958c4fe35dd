// load_image on hostile files: each gets its own clear error naming the file; odd but valid
// images (16-bit, alpha, grayscale, 1x1) load as 8-bit BGR.
#include <algorithm>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

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
  write_bytes(dir / "empty.jpg", "");
  EXPECT_NE(load_error(dir / "empty.jpg").find("empty file"), std::string::npos);

  std::ifstream in(good_jpeg(), std::ios::binary);
  std::string jpeg((std::istreambuf_iterator<char>(in)), {});
  write_bytes(dir / "truncated.jpg", jpeg.substr(0, jpeg.size() / 2));
  EXPECT_NE(load_error(dir / "truncated.jpg").find("truncated"), std::string::npos);

  write_bytes(dir / "notes.jpg", "this is a text file, not a photo\n");
  EXPECT_NE(load_error(dir / "notes.jpg").find("not an image"), std::string::npos);

  write_bytes(dir / "bomb.png", test::bomb_png_header());
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

TEST(ImageExtensions, OneListCaseInsensitive) {
  const auto exts = image_extensions();
  EXPECT_NE(std::find(exts.begin(), exts.end(), ".png"), exts.end());
  EXPECT_NE(std::find(exts.begin(), exts.end(), ".jpeg"), exts.end());
  EXPECT_TRUE(has_image_extension("a/B.JPG"));
  EXPECT_TRUE(has_image_extension("x.webp"));
  EXPECT_FALSE(has_image_extension("notes.txt"));
  EXPECT_FALSE(has_image_extension("png"));
  for (std::string_view ext : exts) EXPECT_TRUE(has_image_extension("f" + std::string(ext)));
}

}  // namespace
}  // namespace lookalike

// The take-home QR code: libqrencode's modules as an image, read back by a real decoder
// (Debian's zbarimg, zbar-tools) and followed to the share server's card.
#include <gtest/gtest.h>

#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "http_test_server.hpp"
#include "lookalike/app/qr_code.hpp"
#include "lookalike/app/share_server.hpp"
#include "test_support.hpp"

namespace lookalike::app {
namespace {

// What zbarimg reads in `image` (written as PNG to a temp dir): its text, or its error output.
std::string zbar_decode(const cv::Mat& image) {
  test::TempDir dir;
  const std::filesystem::path png = dir / "qr.png";
  EXPECT_TRUE(cv::imwrite(png.string(), image));
  const test::CommandResult result =
      test::run_command("zbarimg --quiet --raw " + test::shell_quote(png.string()));
  EXPECT_EQ(result.exit_code, 0) << "zbarimg (zbar-tools) failed: " << result.err;
  std::string text = result.out;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

TEST(QrCode, ModulesOnWhiteWithQuietZoneAtTheRequestedSize) {
  const cv::Mat code = qr_code("http://192.168.1.50:8080/c/AAAAAAAAAAAAAAAAAAAAAA", 300);
  ASSERT_EQ(code.type(), CV_8UC1);
  ASSERT_EQ(code.size(), cv::Size(300, 300));
  cv::Mat not_binary = (code != 0) & (code != 255);
  EXPECT_EQ(cv::countNonZero(not_binary), 0);
  const int dark = static_cast<int>(code.total()) - cv::countNonZero(code);
  EXPECT_GT(dark, static_cast<int>(code.total()) / 5);
  // The finder pattern in the top-left corner is 7 dark modules wide: the module size. The
  // code is centred with at least the 4-module quiet zone around it.
  cv::Mat dark_mask = code == 0;
  const cv::Rect box = cv::boundingRect(dark_mask);
  int run = 0;
  while (code.at<uchar>(box.y, box.x + run) == 0) ++run;
  ASSERT_EQ(run % 7, 0) << run;
  const int module = run / 7;
  EXPECT_GE(box.x, 4 * module);
  EXPECT_GE(box.y, 4 * module);
  EXPECT_GE(300 - box.br().x, 4 * module);
  EXPECT_GE(300 - box.br().y, 4 * module);
  EXPECT_LE(std::abs(box.x - (300 - box.br().x)), 1);
  EXPECT_EQ(box.width, box.height);
  EXPECT_EQ(box.width % module, 0);
}

// URLs are ASCII: zbar guesses the character set of 8-bit data (it read UTF-8 as Shift JIS).
TEST(QrCode, DecodesToTheTextWithZbarimg) {
  for (const std::string text :
       {"http://127.0.0.1:1/c/x", "http://[fd00::1]:8080/c/Zx3_kQ9-pLm2ZX8rT0bYwA"})
    EXPECT_EQ(zbar_decode(qr_code(text, 240)), text);
}

TEST(QrCode, RefusesEmptyTooLongAndTooSmall) {
  EXPECT_THROW(qr_code("", 200), std::invalid_argument);
  EXPECT_THROW(qr_code(std::string(8000, 'x'), 2000), std::invalid_argument);
  EXPECT_THROW(qr_code("http://127.0.0.1:8080/c/AAAAAAAAAAAAAAAAAAAAAA", 20),
               std::invalid_argument);
}

TEST(QrCode, DecodedUrlFetchesThePublishedCard) {
  ShareSettings settings;
  settings.enabled = true;
  ShareServer server(settings);
  cv::Mat card(300, 240, CV_8UC3, cv::Scalar(20, 120, 220));
  const PublishedCard published = server.publish(card);
  const std::string decoded = zbar_decode(qr_code(published.url, 360));
  ASSERT_EQ(decoded, published.url);
  const test::HttpAnswer page = test::http_get(decoded);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find(published.token + ".jpg"), std::string::npos);
  const test::HttpAnswer image = test::http_get(decoded + ".jpg");
  ASSERT_EQ(image.status, 200);
  const std::vector<unsigned char> expected = encode_share_image(card);
  EXPECT_EQ(image.body, std::string(expected.begin(), expected.end()));
}

}  // namespace
}  // namespace lookalike::app

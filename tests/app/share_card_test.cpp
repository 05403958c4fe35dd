// The picture a guest takes home: composed from real photos (../shared) with the event's
// branding, and the QR code of its URL readable on it by zbarimg.
#include <gtest/gtest.h>

#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "lookalike/app/qr_code.hpp"
#include "lookalike/app/share_card.hpp"
#include "test_support.hpp"

namespace lookalike::app {
namespace {

// Colours no photo is likely to have in large areas, so that they count the card's parts.
const cv::Scalar kBackground(30, 140, 20);
const cv::Scalar kAccent(200, 0, 200);
const cv::Scalar kText(250, 250, 250);

cv::Mat read_photo(const std::string& relative) {
  const cv::Mat photo = cv::imread(test::shared_data(relative).string(), cv::IMREAD_COLOR);
  EXPECT_FALSE(photo.empty()) << relative;
  return photo;
}

ShareCardInputs real_inputs() {
  ShareCardInputs inputs;
  const cv::Mat portrait = read_photo("faces/lfw10/Colin_Powell/Colin_Powell_0001.jpg");
  inputs.face = portrait(cv::Rect(60, 50, 130, 150)).clone();  // the face in LFW's centre
  inputs.celebrity = read_photo(
      "faces/bbt/penny/" +
      test::photos_under(test::shared_data("faces/bbt/penny")).front().filename().string());
  inputs.celebrity_name = "Penny";
  inputs.similarity_percent = 73.4;
  inputs.branding.title = "Lookalike Night 2026";
  inputs.branding.footer = "lookalike.example — nothing is stored";
  inputs.branding.background = kBackground;
  inputs.branding.accent = kAccent;
  inputs.branding.text = kText;
  return inputs;
}

int count_colour(const cv::Mat& image, const cv::Scalar& colour) {
  cv::Mat mask;
  cv::inRange(image, colour, colour, mask);
  return cv::countNonZero(mask);
}

double fraction_not(const cv::Mat& region, const cv::Scalar& colour) {
  return 1.0 - static_cast<double>(count_colour(region, colour)) / region.total();
}

TEST(ShareCard, BrandingColoursFacesAndTextInTheirPlaces) {
  LOOKALIKE_REQUIRE_SHARED();
  const ShareCardInputs inputs = real_inputs();
  const cv::Mat card = compose_share_card(inputs);
  ASSERT_EQ(card.type(), CV_8UC3);
  ASSERT_EQ(card.size(), inputs.size);
  const int w = card.cols, h = card.rows;

  // The background is the branding colour; the accent frames the faces and writes the %.
  EXPECT_GT(count_colour(card, kBackground), static_cast<int>(card.total()) / 4);
  EXPECT_GT(count_colour(card, kAccent), 4 * w);
  // Faces: the middle band's left and right quarters are mostly photo, not background.
  const cv::Rect left(w / 10, h / 4, w / 4, h / 6), right(w - w / 10 - w / 4, h / 4, w / 4, h / 6);
  EXPECT_GT(fraction_not(card(left), kBackground), 0.95);
  EXPECT_GT(fraction_not(card(right), kBackground), 0.95);
  // The face goes left, the celebrity right: each side is nearer its own photo's mean colour.
  const cv::Scalar face_mean = cv::mean(inputs.face), celebrity_mean = cv::mean(inputs.celebrity);
  EXPECT_LT(cv::norm(cv::mean(card(left)) - face_mean),
            cv::norm(cv::mean(card(left)) - celebrity_mean));
  EXPECT_LT(cv::norm(cv::mean(card(right)) - celebrity_mean),
            cv::norm(cv::mean(card(right)) - face_mean));
  // Title in the top band, name and % under the faces, footer at the bottom: text pixels
  // (antialiased edges aside, glyphs are drawn in the exact colour).
  EXPECT_GT(count_colour(card(cv::Rect(0, 0, w, h / 8)), kText), 500);
  EXPECT_GT(count_colour(card(cv::Rect(0, h * 13 / 25, w, h * 7 / 25)), kText), 500);
  EXPECT_GT(count_colour(card(cv::Rect(0, h * 13 / 25, w, h * 7 / 25)), kAccent), 500);
  EXPECT_GT(count_colour(card(cv::Rect(0, h - h / 12, w, h / 12)), kText), 200);
}

TEST(ShareCard, EmptyTitleAndFooterLeaveTheirBandsPlain) {
  LOOKALIKE_REQUIRE_SHARED();
  ShareCardInputs inputs = real_inputs();
  inputs.branding.title.clear();
  inputs.branding.footer.clear();
  const cv::Mat card = compose_share_card(inputs);
  const int w = card.cols, h = card.rows;
  EXPECT_EQ(count_colour(card(cv::Rect(0, 0, w, h / 9)), kText), 0);
  EXPECT_EQ(fraction_not(card(cv::Rect(0, h - h / 12, w, h / 12)), kBackground), 0.0);
}

TEST(ShareCard, LogoIsBlendedByItsAlpha) {
  LOOKALIKE_REQUIRE_SHARED();
  ShareCardInputs inputs = real_inputs();
  inputs.branding.title.clear();
  const cv::Scalar red(0, 0, 255);
  cv::Mat logo(100, 200, CV_8UC4, cv::Scalar(0, 0, 255, 255));
  logo(cv::Rect(100, 0, 100, 100)).setTo(cv::Scalar(255, 0, 0, 0));  // right half transparent
  inputs.branding.logo = logo;
  const cv::Mat card = compose_share_card(inputs);
  const cv::Mat band = card(cv::Rect(0, 0, card.cols, card.rows / 8));
  EXPECT_GT(count_colour(band, red), 1000);
  EXPECT_EQ(count_colour(card, cv::Scalar(255, 0, 0)), 0);  // the transparent half is not drawn
}

TEST(ShareCard, AnyUnicodeNameAndLongLinesFit) {
  LOOKALIKE_REQUIRE_SHARED();
  ShareCardInputs inputs = real_inputs();
  inputs.celebrity_name = "Penélope Cruz Sánchez de la Frontera y Ñandú Müller-Lüdenscheidt";
  inputs.branding.footer = std::string(300, 'W');
  const cv::Mat card = compose_share_card(inputs);
  const int w = card.cols, h = card.rows;
  // Shrunk to fit: nothing is drawn in the side margins.
  for (const cv::Rect margin : {cv::Rect(0, h * 13 / 25, w / 40, h * 12 / 25),
                                cv::Rect(w - w / 40, h * 13 / 25, w / 40, h * 12 / 25)})
    EXPECT_EQ(fraction_not(card(margin), kBackground), 0.0);
  EXPECT_GT(count_colour(card(cv::Rect(0, h * 13 / 25, w, h * 7 / 25)), kText), 500);
}

TEST(ShareCard, RefusesEmptyImagesAndTinySizes) {
  ShareCardInputs inputs;
  inputs.celebrity = cv::Mat(10, 10, CV_8UC3, cv::Scalar::all(0));
  EXPECT_THROW(compose_share_card(inputs), std::invalid_argument);
  inputs.face = inputs.celebrity;
  inputs.celebrity = cv::Mat();
  EXPECT_THROW(compose_share_card(inputs), std::invalid_argument);
  inputs.celebrity = inputs.face;
  inputs.size = {100, 100};
  EXPECT_THROW(compose_share_card(inputs), std::invalid_argument);
}

TEST(ShareCard, QrCodeOnTheCardDecodesWithZbarimg) {
  LOOKALIKE_REQUIRE_SHARED();
  cv::Mat card = compose_share_card(real_inputs());
  const std::string url = "http://192.168.1.50:8080/c/Zx3_kQ9-pLm2ZX8rT0bYwA";
  cv::Mat code;
  cv::cvtColor(qr_code(url, 260), code, cv::COLOR_GRAY2BGR);
  code.copyTo(card(cv::Rect(card.cols - 280, card.rows - 380, 260, 260)));
  test::TempDir dir;
  const std::filesystem::path png = dir / "card.png";
  ASSERT_TRUE(cv::imwrite(png.string(), card));
  const test::CommandResult zbar =
      test::run_command("zbarimg --quiet --raw " + test::shell_quote(png.string()));
  ASSERT_EQ(zbar.exit_code, 0) << zbar.err;
  EXPECT_EQ(zbar.out, url + "\n");
}

}  // namespace
}  // namespace lookalike::app

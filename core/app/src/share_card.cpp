#include "lookalike/app/share_card.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

namespace lookalike::app {
namespace {

// fonts-dejavu-core (a dependency of the package, also the desktop app's font).
constexpr const char* kFontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

// Centred single lines of text, shrunk until they fit `max_width`.
class TextPainter {
 public:
  TextPainter() {
    if (!std::filesystem::exists(kFontPath)) {
      spdlog::warn("share card: font {} not found (install fonts-dejavu-core); using Hershey",
                   kFontPath);
      return;
    }
    try {
      freetype_ = cv::freetype::createFreeType2();
      freetype_->loadFontData(kFontPath, 0);
    } catch (const cv::Exception& e) {
      spdlog::warn("share card: cannot load {} ({}); using Hershey", kFontPath, e.what());
      freetype_.release();
    }
  }

  // Draws `text` centred on `center_x` with its top at `top`; returns the height used. Too wide
  // a line shrinks down to half its height, then loses characters to an ellipsis.
  int centred(cv::Mat& image, std::string text, int center_x, int top, int height, int max_width,
              const cv::Scalar& colour) const {
    if (text.empty()) return 0;
    const int smallest = std::max(12, height / 2);
    while (height > smallest && measure(text, height).width > max_width)
      height = std::max(smallest, height * 9 / 10);
    while (measure(text, height).width > max_width && text.size() > 1) shorten(text);
    const cv::Size size = measure(text, height);
    draw(image, text, {center_x - size.width / 2, top}, height, colour);
    return size.height;
  }

 private:
  cv::Size measure(const std::string& text, int height) const {
    int baseline = 0;
    if (freetype_) return freetype_->getTextSize(text, height, -1, &baseline);
    return cv::getTextSize(text, cv::FONT_HERSHEY_DUPLEX, hershey_scale(height),
                           hershey_thickness(height), &baseline);
  }
  void draw(cv::Mat& image, const std::string& text, cv::Point top_left, int height,
            const cv::Scalar& colour) const {
    if (freetype_) {
      freetype_->putText(image, text, top_left, height, colour, -1, cv::LINE_AA, false);
      return;
    }
    cv::putText(image, text, {top_left.x, top_left.y + height}, cv::FONT_HERSHEY_DUPLEX,
                hershey_scale(height), colour, hershey_thickness(height), cv::LINE_AA);
  }
  // One UTF-8 character less before the trailing ellipsis.
  static void shorten(std::string& text) {
    static const std::string kEllipsis = "\u2026";
    if (text.ends_with(kEllipsis)) text.resize(text.size() - kEllipsis.size());
    while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80)
      text.pop_back();
    if (!text.empty()) text.pop_back();
    while (!text.empty() && text.back() == ' ') text.pop_back();
    text += kEllipsis;
  }
  static double hershey_scale(int height) { return height / 30.0; }
  static int hershey_thickness(int height) { return std::max(1, height / 15); }

  cv::Ptr<cv::freetype::FreeType2> freetype_;
};

// `image` scaled to cover a side x side square, centre-cropped.
cv::Mat square_fit(const cv::Mat& image, int side) {
  cv::Mat bgr = image;
  if (image.channels() == 1) cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  if (image.channels() == 4) cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
  const double scale = static_cast<double>(side) / std::min(bgr.cols, bgr.rows);
  cv::Mat scaled;
  cv::resize(bgr, scaled, {}, scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_CUBIC);
  const cv::Rect crop((scaled.cols - side) / 2, (scaled.rows - side) / 2, side, side);
  return scaled(crop & cv::Rect({}, scaled.size())).clone();
}

void paste_framed(cv::Mat& card, const cv::Mat& image, cv::Rect where, const cv::Scalar& accent) {
  const cv::Mat square = square_fit(image, where.width);
  square.copyTo(card(cv::Rect(where.tl(), square.size())));
  const int frame = std::max(3, where.width / 60);
  cv::rectangle(card, where, accent, frame);
}

// The logo scaled to `height` at `top_left` (a 4-channel logo is blended by its alpha), at most
// a third of the card wide; returns its width.
int paste_logo(cv::Mat& card, const cv::Mat& logo, cv::Point top_left, int height) {
  if (logo.empty()) return 0;
  const double scale =
      std::min(static_cast<double>(height) / logo.rows, card.cols / 3.0 / logo.cols);
  cv::Mat scaled;
  cv::resize(logo, scaled, {}, scale, scale, cv::INTER_AREA);
  const cv::Rect where = cv::Rect(top_left, scaled.size()) & cv::Rect({}, card.size());
  scaled = scaled(cv::Rect({}, where.size()));
  cv::Mat target = card(where);
  if (scaled.channels() == 4) {
    std::vector<cv::Mat> planes;
    cv::split(scaled, planes);
    cv::Mat alpha, colour;
    planes[3].convertTo(alpha, CV_32F, 1 / 255.0);
    cv::merge(std::vector<cv::Mat>(planes.begin(), planes.begin() + 3), colour);
    const cv::Mat base = target.clone();
    cv::blendLinear(colour, base, alpha, 1.0 - alpha, target);
  } else if (scaled.channels() == 1) {
    cv::cvtColor(scaled, target, cv::COLOR_GRAY2BGR);
  } else {
    scaled.copyTo(target);
  }
  return where.width;
}

}  // namespace

cv::Mat compose_share_card(const ShareCardInputs& inputs) {
  if (inputs.face.empty()) throw std::invalid_argument("share card: the face image is empty");
  if (inputs.celebrity.empty())
    throw std::invalid_argument("share card: the celebrity thumbnail is empty");
  const cv::Size size = inputs.size;
  if (size.width < 320 || size.height < 400)
    throw std::invalid_argument(
        fmt::format("share card: {} x {} is smaller than 320 x 400", size.width, size.height));
  const ShareCardBranding& brand = inputs.branding;
  cv::Mat card(size, CV_8UC3, brand.background);
  // The font is read once per thread (FreeType2 objects are not to be shared across threads).
  thread_local const TextPainter painter;
  const int w = size.width, h = size.height, margin = w / 20, cx = w / 2;

  // Top band: logo left, title centred in the space right of it.
  const int band = h / 8;
  const int logo_width = paste_logo(card, brand.logo, {margin, margin / 2}, band - margin);
  const int title_left = logo_width > 0 ? margin + logo_width + margin / 2 : margin;
  painter.centred(card, brand.title, (title_left + w - margin) / 2, band / 2 - band / 5,
                  band * 2 / 5, w - margin - title_left, brand.text);
  cv::line(card, {margin, band}, {w - margin, band}, brand.accent, std::max(2, h / 400));

  // The two faces side by side.
  const int gap = margin;
  const int side = std::min((w - 2 * margin - gap) / 2, h / 2);
  const int faces_top = band + margin;
  paste_framed(card, inputs.face, {margin, faces_top, side, side}, brand.accent);
  paste_framed(card, inputs.celebrity, {w - margin - side, faces_top, side, side}, brand.accent);

  // Name and similarity under them, the footer at the bottom.
  int y = faces_top + side + margin;
  y += painter.centred(card, inputs.celebrity_name, cx, y, h / 16, w - 2 * margin, brand.text);
  y += margin / 2;
  const double percent = std::clamp(inputs.similarity_percent, 0.0, 100.0);
  painter.centred(card, fmt::format("{:.0f} % alike", percent), cx, y, h / 12, w - 2 * margin,
                  brand.accent);
  painter.centred(card, brand.footer, cx, h - margin - h / 30, h / 30, w - 2 * margin, brand.text);
  return card;
}

}  // namespace lookalike::app

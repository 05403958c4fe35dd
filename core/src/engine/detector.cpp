#include "lookalike/engine/detector.hpp"

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <stdexcept>

#include "blazeface_detector.hpp"
#include "lookalike/errors.hpp"

namespace lookalike {
namespace {

// Gray copy of `image`, scaled so its longer side is at most `max_side` and then doubled
// `upsample` times. Returns the factor from original to scanned pixels.
double prepare_gray(const cv::Mat& image, int max_side, int upsample, cv::Mat& gray) {
  if (image.channels() == 3)
    cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  else if (image.channels() == 4)
    cv::cvtColor(image, gray, cv::COLOR_BGRA2GRAY);
  else
    gray = image;
  double scale = 1.0;
  const int longer = std::max(gray.cols, gray.rows);
  if (max_side > 0 && longer > max_side) scale = static_cast<double>(max_side) / longer;
  scale *= std::pow(2.0, upsample);
  if (scale != 1.0)
    cv::resize(gray, gray, cv::Size(), scale, scale,
               scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return scale;
}

cv::Rect unscale(const cv::Rect& r, double scale) {
  return {static_cast<int>(std::lround(r.x / scale)), static_cast<int>(std::lround(r.y / scale)),
          static_cast<int>(std::lround(r.width / scale)),
          static_cast<int>(std::lround(r.height / scale))};
}

class HogDetector final : public FaceDetector {
 public:
  explicit HogDetector(const DetectorOptions& options)
      : options_(options), detector_(dlib::get_frontal_face_detector()) {}

  std::vector<Detection> detect(const cv::Mat& image) override {
    if (image.empty()) return {};
    cv::Mat gray;
    const double scale = prepare_gray(image, options_.max_scan_side, options_.upsample, gray);
    if (gray.cols < 20 || gray.rows < 20) return {};
    dlib::cv_image<unsigned char> view(gray);
    std::vector<dlib::rect_detection> found;
    detector_(view, found, options_.hog_adjust_threshold);
    std::vector<Detection> out;
    out.reserve(found.size());
    for (const auto& d : found) {
      const dlib::rectangle& r = d.rect;
      cv::Rect box(static_cast<int>(r.left()), static_cast<int>(r.top()),
                   static_cast<int>(r.width()), static_cast<int>(r.height()));
      out.push_back({unscale(box, scale), static_cast<float>(d.detection_confidence)});
    }
    std::sort(out.begin(), out.end(),
              [](const Detection& a, const Detection& b) { return a.score > b.score; });
    return out;
  }
  std::string_view name() const override { return "hog"; }

 private:
  DetectorOptions options_;
  dlib::frontal_face_detector detector_;
};

class HaarDetector final : public FaceDetector {
 public:
  HaarDetector(const DetectorOptions& options, const ModelPaths& paths) : options_(options) {
    paths.verify_haar();
    if (!cascade_.load(paths.haar_cascade.string()))
      throw ModelError(paths.haar_cascade.string() +
                       ": not a valid Haar cascade; reinstall it with `apt-get install --reinstall "
                       "opencv-data`");
  }

  std::vector<Detection> detect(const cv::Mat& image) override {
    if (image.empty()) return {};
    cv::Mat gray;
    const double scale = prepare_gray(image, options_.max_scan_side, options_.upsample, gray);
    if (gray.cols < 20 || gray.rows < 20) return {};
    cv::equalizeHist(gray, gray);
    std::vector<cv::Rect> boxes;
    std::vector<int> levels;
    std::vector<double> weights;
    const int min_face = std::max(20, options_.haar_min_face);
    cascade_.detectMultiScale(gray, boxes, levels, weights, 1.1, 4, 0, cv::Size(min_face, min_face),
                              cv::Size(), /*outputRejectLevels=*/true);
    std::vector<Detection> out;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      // Viola-Jones boxes include the forehead; move them to where dlib's landmark model
      // expects a face box (the model was trained on HOG detector boxes).
      const cv::Rect& b = boxes[i];
      cv::Rect hog_like(b.x + static_cast<int>(0.09 * b.width),
                        b.y + static_cast<int>(0.17 * b.height), static_cast<int>(0.82 * b.width),
                        static_cast<int>(0.82 * b.height));
      const double w = i < weights.size() ? weights[i] : 0.0;
      out.push_back({unscale(hog_like, scale), static_cast<float>(w)});
    }
    std::sort(out.begin(), out.end(),
              [](const Detection& a, const Detection& b) { return a.score > b.score; });
    return out;
  }
  std::string_view name() const override { return "haar"; }

 private:
  DetectorOptions options_;
  cv::CascadeClassifier cascade_;
};

}  // namespace

std::unique_ptr<FaceDetector> make_detector(const DetectorOptions& options,
                                            const ModelPaths& paths) {
  switch (options.kind) {
    case DetectorKind::hog:
      return std::make_unique<HogDetector>(options);
    case DetectorKind::haar:
      return std::make_unique<HaarDetector>(options, paths);
    case DetectorKind::blazeface:
    case DetectorKind::blazeface_front:
    case DetectorKind::blazeface_back:
      return detail::make_blazeface_detector(options, paths);
  }
  throw std::invalid_argument("unknown detector kind");
}

namespace {
constexpr std::array kKinds{DetectorKind::hog, DetectorKind::haar, DetectorKind::blazeface,
                            DetectorKind::blazeface_front, DetectorKind::blazeface_back};
}  // namespace

std::string_view to_string(DetectorKind kind) {
  switch (kind) {
    case DetectorKind::hog:
      return "hog";
    case DetectorKind::haar:
      return "haar";
    case DetectorKind::blazeface:
      return "blazeface";
    case DetectorKind::blazeface_front:
      return "blazeface-front";
    case DetectorKind::blazeface_back:
      return "blazeface-back";
  }
  return "hog";
}

const std::vector<std::string>& detector_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const DetectorKind kind : kKinds) out.emplace_back(to_string(kind));
    return out;
  }();
  return names;
}

DetectorKind detector_kind_from_string(std::string_view name) {
  for (const DetectorKind kind : kKinds)
    if (to_string(kind) == name) return kind;
  std::string expected;
  for (const auto& n : detector_names()) expected += (expected.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown detector '" + std::string(name) + "' (expected one of " +
                              expected + ")");
}

}  // namespace lookalike

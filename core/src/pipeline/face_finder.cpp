#include "face_finder.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace lookalike::detail {
namespace {

// A crop around a track spans this many box sides (the face may move between frames).
constexpr float kCropBoxSides = 2.0f;
// Crops are scaled so their longer side is this many pixels: the face then spans ~120 px,
// comfortably above dlib HOG's 80 px window and small enough to scan in a few ms.
constexpr int kCropScanSide = 240;
// Two boxes overlapping more than this are the same face (crops of nearby tracks overlap).
constexpr float kDuplicateIou = 0.5f;

float iou(const cv::Rect& a, const cv::Rect& b) {
  const float inter = static_cast<float>((a & b).area());
  const float uni = static_cast<float>(a.area() + b.area()) - inter;
  return uni > 0 ? inter / uni : 0.f;
}

// `near`: the image is a crop around one tracked face (FaceEngine::detect_near).
std::vector<Detection> scan(FaceEngine& engine, const cv::Mat& image, cv::Point offset,
                            double scale, bool near) {
  cv::Mat scanned = image;
  if (std::abs(scale - 1.0) > 1e-3)
    cv::resize(image, scanned, {}, scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  std::vector<Detection> found = near ? engine.detect_near(scanned) : engine.detect(scanned);
  for (Detection& d : found) {
    d.box = cv::Rect(static_cast<int>(std::lround(d.box.x / scale)) + offset.x,
                     static_cast<int>(std::lround(d.box.y / scale)) + offset.y,
                     static_cast<int>(std::lround(d.box.width / scale)),
                     static_cast<int>(std::lround(d.box.height / scale)));
    for (cv::Point2f& k : d.keypoints)  // BlazeFace's: the landmark fit starts from them
      k = {k.x / static_cast<float>(scale) + static_cast<float>(offset.x),
           k.y / static_cast<float>(scale) + static_cast<float>(offset.y)};
  }
  return found;
}

}  // namespace

std::vector<Detection> find_faces(FaceEngine& engine, const cv::Mat& frame,
                                  const FindRequest& request) {
  std::vector<Detection> all;
  if (frame.empty()) return all;
  if (request.full_frame) {
    const int side = std::max(frame.cols, frame.rows);
    const int target = std::max(1, request.detect_max_side * request.scale_percent / 100);
    const double scale = side > target ? static_cast<double>(target) / side : 1.0;
    all = scan(engine, frame, {0, 0}, scale, /*near=*/false);
  } else {
    const cv::Rect bounds(0, 0, frame.cols, frame.rows);
    for (const cv::Rect2f& box : request.track_boxes) {
      const float side = std::max(box.width, box.height) * kCropBoxSides;
      const cv::Point2f centre(box.x + box.width / 2, box.y + box.height / 2);
      const cv::Rect region = cv::Rect(cv::Point(static_cast<int>(centre.x - side / 2),
                                                 static_cast<int>(centre.y - side / 2)),
                                       cv::Size(static_cast<int>(side), static_cast<int>(side))) &
                              bounds;
      if (region.width < 8 || region.height < 8) continue;
      const double scale =
          static_cast<double>(kCropScanSide) / std::max(region.width, region.height);
      std::vector<Detection> found = scan(engine, frame(region), region.tl(), scale, /*near=*/true);
      // The crop's face is the one nearest its centre.
      auto best =
          std::min_element(found.begin(), found.end(), [&](const Detection& a, const Detection& b) {
            auto d = [&](const Detection& x) {
              const cv::Point2f c(x.box.x + x.box.width / 2.f, x.box.y + x.box.height / 2.f);
              return std::hypot(c.x - centre.x, c.y - centre.y);
            };
            return d(a) < d(b);
          });
      if (best != found.end()) all.push_back(*best);
    }
  }
  std::sort(all.begin(), all.end(),
            [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> unique;
  for (const Detection& d : all) {
    bool dup = std::any_of(unique.begin(), unique.end(),
                           [&](const Detection& u) { return iou(u.box, d.box) > kDuplicateIou; });
    if (!dup) unique.push_back(d);
  }
  return unique;
}

}  // namespace lookalike::detail

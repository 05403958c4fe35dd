#include "lookalike/engine/aligner.hpp"

#include <dlib/image_processing.h>
#include <dlib/image_transforms.h>
#include <dlib/opencv/cv_image.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "lookalike/errors.hpp"

namespace lookalike {

struct LandmarkModel::Impl {
  dlib::shape_predictor predictor;
};

LandmarkModel::LandmarkModel() : impl_(std::make_unique<Impl>()) {}
LandmarkModel::~LandmarkModel() = default;

std::shared_ptr<const LandmarkModel> LandmarkModel::load(const std::filesystem::path& path) {
  if (!std::filesystem::is_regular_file(path))
    throw ModelError(path.string() +
                     ": 68-point landmark model not found; install it with `apt-get install "
                     "libdlib-data` (or set LOOKALIKE_LANDMARKS_MODEL)");
  std::shared_ptr<LandmarkModel> model(new LandmarkModel());
  try {
    dlib::deserialize(path.string()) >> model->impl_->predictor;
  } catch (const std::exception& e) {
    throw ModelError(path.string() + ": not a valid dlib shape predictor (" + e.what() +
                     "); reinstall it with `apt-get install --reinstall libdlib-data`");
  }
  if (model->impl_->predictor.num_parts() != kLandmarkCount)
    throw ModelError(path.string() + ": expected a 68-point model, found " +
                     std::to_string(model->impl_->predictor.num_parts()) + " points");
  return model;
}

namespace {
dlib::rectangle to_dlib(const cv::Rect& r) {
  return dlib::rectangle(r.x, r.y, r.x + r.width - 1, r.y + r.height - 1);
}

dlib::full_object_detection to_shape(const Landmarks& landmarks) {
  std::vector<dlib::point> parts;
  parts.reserve(kLandmarkCount);
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (const auto& p : landmarks) {
    parts.emplace_back(std::lround(p.x), std::lround(p.y));
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  return dlib::full_object_detection(
      dlib::rectangle(std::lround(x0), std::lround(y0), std::lround(x1), std::lround(y1)), parts);
}
}  // namespace

Landmarks LandmarkModel::predict(const cv::Mat& image, const cv::Rect& box) const {
  Landmarks out{};
  dlib::full_object_detection shape;
  if (image.type() == CV_8UC3) {
    dlib::cv_image<dlib::bgr_pixel> view(image);
    shape = impl_->predictor(view, to_dlib(box));
  } else {
    dlib::cv_image<unsigned char> view(image);
    shape = impl_->predictor(view, to_dlib(box));
  }
  for (std::size_t i = 0; i < kLandmarkCount; ++i)
    out[i] =
        cv::Point2f(static_cast<float>(shape.part(i).x()), static_cast<float>(shape.part(i).y()));
  return out;
}

cv::Mat align_face(const cv::Mat& bgr, const Landmarks& landmarks) {
  CV_Assert(bgr.type() == CV_8UC3);
  dlib::cv_image<dlib::bgr_pixel> view(bgr);
  const auto details = dlib::get_face_chip_details(to_shape(landmarks), kChipSize, 0.25);
  dlib::matrix<dlib::bgr_pixel> chip;
  dlib::extract_image_chip(view, details, chip);
  cv::Mat out(kChipSize, kChipSize, CV_8UC3);
  for (int y = 0; y < kChipSize; ++y) {
    auto* row = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < kChipSize; ++x) {
      const dlib::bgr_pixel& p = chip(y, x);
      row[x] = cv::Vec3b(p.blue, p.green, p.red);
    }
  }
  return out;
}

bool same_face(const Landmarks& a, const Landmarks& b) {
  const auto bounds = [](const Landmarks& points) {
    cv::Point2f low = points[0], high = points[0];
    for (const cv::Point2f& p : points)
      low = {std::min(low.x, p.x), std::min(low.y, p.y)},
      high = {std::max(high.x, p.x), std::max(high.y, p.y)};
    return cv::Rect2f(low, high);
  };
  const auto centre = [](const cv::Rect2f& r) {
    return cv::Point2f(r.x + r.width / 2, r.y + r.height / 2);
  };
  const cv::Rect2f box_a = bounds(a), box_b = bounds(b);
  return box_a.contains(centre(box_b)) || box_b.contains(centre(box_a));
}

float face_quality(const cv::Mat& chip, const Landmarks& lm) {
  // Size: inter-ocular distance in source pixels; 60 px and up is as good as it gets for a
  // 150 px chip (the chip's own eye distance is ~50 px).
  const cv::Point2f left_eye = (lm[36] + lm[39]) * 0.5f, right_eye = (lm[42] + lm[45]) * 0.5f;
  const float iod = static_cast<float>(cv::norm(right_eye - left_eye));
  const float size = std::clamp(iod / 60.f, 0.f, 1.f);
  // Frontalness: the nose tip sits midway between the jaw ends in a frontal face.
  const float dl = static_cast<float>(cv::norm(lm[30] - lm[0]));
  const float dr = static_cast<float>(cv::norm(lm[16] - lm[30]));
  const float frontal = std::max(dl, dr) > 0 ? std::min(dl, dr) / std::max(dl, dr) : 0.f;
  // Sharpness: variance of the Laplacian of the chip.
  float sharp = 0.f;
  if (!chip.empty()) {
    cv::Mat gray, lap;
    cv::cvtColor(chip, gray, cv::COLOR_BGR2GRAY);
    cv::Laplacian(gray, lap, CV_32F);
    cv::Scalar mean, stddev;
    cv::meanStdDev(lap, mean, stddev);
    sharp = std::clamp(static_cast<float>(stddev[0] * stddev[0]) / 400.f, 0.f, 1.f);
  }
  return std::cbrt(size * frontal * std::max(sharp, 0.05f));
}

}  // namespace lookalike

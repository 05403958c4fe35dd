#include "lookalike/app/feature_resemblance.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "lookalike/app/morph.hpp"
#include "lookalike/gallery/match_json.hpp"

namespace lookalike::app {
namespace {

struct FeatureSpec {
  std::string_view name;
  int first, last;  // dlib's 68-point indices, inclusive
  // The median full Procrustes distance between different people's faces (a gallery-thumbnail
  // chip against another photo's chip, both fitted by morph_face at kFeatureChipSide) over the
  // 1,100 different-person pairs of LFW's pairsDevTrain.txt, measured by
  // tests/app/bench_feature_resemblance.cpp (README, "Per-feature resemblance"): such a pair
  // maps to 50 %.
  double median_different;
};

// Indexed by FaceFeature. Measured 2026-12-06 (1,099 same-person pairs: medians 0.0383, 0.0891,
// 0.1197, 0.2074, 0.0720, i.e. about 60 % each; AUC same vs different 0.58-0.62: shapes say
// little about identity).
constexpr std::array<FeatureSpec, kFaceFeatures.size()> kSpecs{{
    {"eyes", 36, 47, 0.0449},
    {"brows", 17, 26, 0.1025},
    {"nose", 27, 35, 0.1446},
    {"mouth", 48, 67, 0.2470},
    {"jaw", 0, 16, 0.0840},
}};

const FeatureSpec& spec(FaceFeature feature) {
  return kSpecs[static_cast<std::size_t>(feature)];
}

// The points as an n x 2 matrix, centred and scaled to unit Frobenius norm.
cv::Mat normalized_shape(std::span<const cv::Point2f> points) {
  cv::Mat shape(static_cast<int>(points.size()), 2, CV_64F);
  for (int i = 0; i < shape.rows; ++i) {
    shape.at<double>(i, 0) = points[static_cast<std::size_t>(i)].x;
    shape.at<double>(i, 1) = points[static_cast<std::size_t>(i)].y;
  }
  cv::Mat mean;
  cv::reduce(shape, mean, 0, cv::REDUCE_AVG);
  shape -= cv::repeat(mean, shape.rows, 1);
  const double norm = cv::norm(shape);
  if (norm > 0) shape /= norm;
  return shape;
}

// The full Procrustes distance: sqrt(1 - s^2), s the sum of the singular values of the shapes'
// cross-covariance, i.e. the residual left after the least-squares similarity transform
// (Kabsch/Umeyama, with OpenCV's SVD). Our own few lines because OpenCV's
// estimateAffinePartial2D is a robust estimator (RANSAC/LMedS): it sets aside the very points
// that differ, which are what this measures.
double procrustes_distance(std::span<const cv::Point2f> a, std::span<const cv::Point2f> b) {
  const cv::Mat x = normalized_shape(a), y = normalized_shape(b);
  cv::Mat w, u, vt;
  cv::SVD::compute(x.t() * y, w, u, vt);
  // A proper rotation only: a reflection would match a feature with its mirror image.
  const double turn = cv::determinant(u * vt) < 0 ? -1 : 1;
  const double fit = w.at<double>(0) + turn * w.at<double>(1);
  const double d = std::sqrt(std::max(0.0, 1 - fit * fit));
  return std::isfinite(d) ? std::min(d, 1.0) : 1.0;  // NaN points: as unlike as can be
}

}  // namespace

std::string_view feature_name(FaceFeature feature) {
  return spec(feature).name;
}

FeatureValues feature_distances(std::span<const cv::Point2f> a, std::span<const cv::Point2f> b) {
  if (a.size() < 68 || b.size() < 68)
    throw std::invalid_argument("feature resemblance needs 68 landmarks per face, got " +
                                std::to_string(a.size()) + " and " + std::to_string(b.size()));
  FeatureValues out;
  for (const FaceFeature f : kFaceFeatures) {
    const auto first = static_cast<std::size_t>(spec(f).first);
    const auto count = static_cast<std::size_t>(spec(f).last - spec(f).first + 1);
    out[f] = procrustes_distance(a.subspan(first, count), b.subspan(first, count));
  }
  return out;
}

double feature_similarity_percent(FaceFeature feature, double distance) {
  // 100 * 2^-(d / median)^2: 100 at 0, 50 at the median, smooth, never negative.
  const double r = distance / spec(feature).median_different;
  return 100 * std::exp2(-r * r);
}

FeatureValues feature_resemblance(std::span<const cv::Point2f> a, std::span<const cv::Point2f> b) {
  FeatureValues out = feature_distances(a, b);
  for (const FaceFeature f : kFaceFeatures) out[f] = feature_similarity_percent(f, out[f]);
  return out;
}

FeatureValues chip_feature_resemblance(FaceEngine& engine, const cv::Mat& person_chip,
                                       const cv::Mat& celebrity_chip, int side) {
  return feature_resemblance(morph_face(engine, person_chip, side).points,
                             morph_face(engine, celebrity_chip, side).points);
}

std::string features_text(const FeatureValues& percent) {
  std::string out;
  for (const FaceFeature f : kFaceFeatures)
    out += fmt::format("{}{} {:.0f} %", out.empty() ? "" : ", ", feature_name(f), percent[f]);
  return out;
}

nlohmann::json features_to_json(const FeatureValues& percent) {
  nlohmann::json out = nlohmann::json::object();
  for (const FaceFeature f : kFaceFeatures)
    out[std::string(feature_name(f))] = round_to(percent[f], 0.1);
  return out;
}

}  // namespace lookalike::app

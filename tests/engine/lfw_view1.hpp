// LFW View 1 verification (pairsDevTest.txt: 500 same + 500 different pairs) as the LFW test
// measures it, shared by that test and lookalike-bench-jitter: the faces are found once
// (lfw_view1_chips), then embedded and scored for each embedding recipe (score_lfw_view1).
//
// Method (engineering choices, not threshold tuning): HOG with the thorough fallback chain so
// that every photo yields a detection; the labelled person is the face overlapping LFW's
// central face box best; a photo where no detector finds it is aligned from that box itself
// (and listed in no_detection). Verification: dlib's 0.6 Euclidean threshold.
//
// Contract: both steps run on `threads` workers (0 = all cores), each with its own FaceEngine,
// and time the work in thread CPU time (per face, summed over workers: the numbers hold on a
// busy machine). lfw_view1_chips throws std::runtime_error naming the pair file when it cannot
// be read; per-photo failures are collected, never thrown.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lookalike/engine/engine.hpp"
#include "test_support.hpp"

namespace lookalike::test {

// Where LFW's deep-funneled 250x250 photos put the labelled face (median HOG box on lfw10).
inline const cv::Rect kLfwCentralFace(77, 89, 105, 105);

struct LfwView1Chips {
  std::vector<LfwPair> pairs;
  std::map<std::string, cv::Mat> chips;   // photo -> the labelled face's aligned chip
  std::vector<std::string> no_detection;  // photos aligned from LFW's box
  std::vector<std::string> failures;      // "photo: what went wrong"
  double cpu_ms_per_face = 0;             // detection, landmarks, alignment
};

struct LfwView1Score {
  double accuracy_percent = 0;
  int same_correct = 0, same_total = 0, different_correct = 0, different_total = 0;
  // Finer than one threshold's accuracy (which moves in steps of 0.1 %): the mean distance of
  // the same and of the different pairs, and the accuracy at the best single threshold (for
  // comparing recipes, not a tuned threshold).
  double mean_same_distance = 0, mean_different_distance = 0;
  double best_threshold = 0, best_threshold_accuracy_percent = 0;
  double embed_cpu_ms_per_face = 0;
  double wall_seconds = 0;
};

// The pairs (0 = all; else the first max_pairs / 2 same and different pairs) and the chips of
// their photos, found by `detector`.
LfwView1Chips lfw_view1_chips(const std::filesystem::path& lfw_view1_dir, std::size_t max_pairs = 0,
                              unsigned threads = 0, DetectorKind detector = DetectorKind::hog);

// Every chip embedded as FaceEngine::embed(chip, mirror_average, jitter); a pair with a photo
// that has no chip counts as wrong.
LfwView1Score score_lfw_view1(const LfwView1Chips& chips, bool mirror_average, int jitter,
                              unsigned threads = 0);

}  // namespace lookalike::test

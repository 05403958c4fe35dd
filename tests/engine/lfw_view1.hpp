// LFW View 1 verification (pairsDevTest.txt: 500 same + 500 different pairs) as the LFW test
// measures it, shared by that test and lookalike-bench-jitter.
//
// Method (engineering choices, not threshold tuning): HOG with the thorough fallback chain so
// that every photo yields a detection; the labelled person is the face overlapping LFW's
// central face box best; a photo where no detector finds it is embedded from that box itself
// (and listed in no_detection). Verification: dlib's 0.6 Euclidean threshold.
//
// Contract: run_lfw_view1 embeds every photo of the first `max_pairs` pairs (0 = all) on
// `threads` workers (0 = all cores), each with its own FaceEngine, analysing with `analyze`
// (its expected_face is overwritten by the fallback). Throws std::runtime_error naming the pair
// file when it cannot be read; per-photo failures are collected, never thrown.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lookalike/engine/engine.hpp"

namespace lookalike::test {

struct LfwView1Result {
  std::size_t pairs = 0, photos = 0;
  int same_correct = 0, same_total = 0, different_correct = 0, different_total = 0;
  double accuracy_percent = 0;
  std::vector<std::string> no_detection;  // photos embedded from LFW's box
  std::vector<std::string> failures;      // "photo: what went wrong"
  // Per photo, summed over the workers' analyze() calls (so independent of the worker count
  // apart from contention): the embedding stage and the whole analysis.
  double embed_ms_per_face = 0, analyze_ms_per_face = 0;
  double wall_seconds = 0;
};

LfwView1Result run_lfw_view1(const std::filesystem::path& lfw_view1_dir,
                             const AnalyzeOptions& analyze, std::size_t max_pairs = 0,
                             unsigned threads = 0);

}  // namespace lookalike::test

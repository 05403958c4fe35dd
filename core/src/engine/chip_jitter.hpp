// Jittered copies of an aligned face chip for test-time augmentation (AnalyzeOptions::jitter).
//
// Contract: `jittered_copies(chip, n)` returns n new chips of the same size and type as `chip`
// (a square CV_8UC3 image), made by dlib's jitter_image (crop shifted up to 2 %, scaled 0.97 to
// 1, turned up to 3 degrees, mirrored half the time). The copies come from a freshly seeded
// generator for every call, so the same chip always yields the same copies, whatever else the
// process has jittered before and on whichever thread. Throws std::invalid_argument for a chip
// that is empty, not square or not 8-bit BGR.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace lookalike::detail {

std::vector<cv::Mat> jittered_copies(const cv::Mat& chip, int count);

}  // namespace lookalike::detail

// Exact t-SNE (van der Maaten and Hinton, "Visualizing Data using t-SNE", JMLR 2008): our own
// code because Debian packages no C++ t-SNE. Gaussian input affinities calibrated to a
// perplexity by binary search, a Student-t kernel in 2-D, gradient descent with momentum,
// per-parameter gains and early exaggeration, as in the paper's reference implementation.
//
// Contract: O(n^2) time and memory (n x n affinities as float: 400 MB at 10k points): meant for
// up to ~10k points. Deterministic for a given seed (one thread, fixed summation order).
// `progress` (optional) gets the iteration count; a stop request returns early with the
// layout so far. Internal to lookalike::app.
#pragma once

#include <functional>
#include <stop_token>
#include <vector>

#include <opencv2/core.hpp>

namespace lookalike::app::detail {

struct TsneOptions {
  double perplexity = 30;  // clamped to (n - 1) / 3 for small inputs
  int iterations = 750;
  unsigned seed = 1;
};

// `data`: n rows (CV_32F). Returns n points, centred on the origin.
std::vector<cv::Point2f> tsne_2d(const cv::Mat& data, const TsneOptions& options,
                                 std::stop_token stop = {},
                                 const std::function<void(int)>& progress = {});

}  // namespace lookalike::app::detail

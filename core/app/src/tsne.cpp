#include "tsne.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace lookalike::app::detail {
namespace {

constexpr int kExaggerationIterations = 250;
constexpr double kExaggeration = 12.0;

// Row i of the conditional affinities P(j|i) for the Gaussian whose entropy matches
// log(perplexity); `d2` holds the squared distances from point i (d2[i] ignored).
void conditional_row(const std::vector<double>& d2, std::size_t i, double perplexity, float* row) {
  const std::size_t n = d2.size();
  const double target = std::log(perplexity);
  double beta = 1, lo = 0, hi = std::numeric_limits<double>::infinity();
  std::vector<double> p(n);
  for (int step = 0; step < 64; ++step) {
    double sum = 0, weighted = 0;
    for (std::size_t j = 0; j < n; ++j) {
      p[j] = j == i ? 0 : std::exp(-beta * d2[j]);
      sum += p[j];
      weighted += p[j] * d2[j];
    }
    if (sum <= 0) sum = std::numeric_limits<double>::min();
    const double entropy = std::log(sum) + beta * weighted / sum;
    for (std::size_t j = 0; j < n; ++j) p[j] /= sum;
    const double diff = entropy - target;
    if (std::abs(diff) < 1e-5) break;
    if (diff > 0) {  // too flat: narrow the Gaussian
      lo = beta;
      beta = std::isinf(hi) ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = (beta + lo) / 2;
    }
  }
  for (std::size_t j = 0; j < n; ++j) row[j] = static_cast<float>(p[j]);
}

}  // namespace

std::vector<cv::Point2f> tsne_2d(const cv::Mat& data, const TsneOptions& options,
                                 std::stop_token stop, const std::function<void(int)>& progress) {
  const std::size_t n = static_cast<std::size_t>(data.rows);
  std::vector<cv::Point2f> out(n);
  if (n < 2) return out;
  cv::Mat x;
  data.convertTo(x, CV_64F);
  // Scale-free input: distances relative to the largest, as the reference code does.
  std::vector<double> d2(n);
  double max_d2 = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j)
      max_d2 = std::max(
          max_d2, cv::norm(x.row(static_cast<int>(i)), x.row(static_cast<int>(j)), cv::NORM_L2SQR));
  if (max_d2 <= 0) max_d2 = 1;
  const double perplexity = std::clamp(options.perplexity, 1.0, std::max(1.0, (n - 1) / 3.0));

  // Joint affinities P = (P(j|i) + P(i|j)) / 2n.
  std::vector<float> p(n * n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j)
      d2[j] =
          cv::norm(x.row(static_cast<int>(i)), x.row(static_cast<int>(j)), cv::NORM_L2SQR) / max_d2;
    conditional_row(d2, i, perplexity, &p[i * n]);
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = i + 1; j < n; ++j) {
      const float v = std::max((p[i * n + j] + p[j * n + i]) / (2.f * n), 1e-12f);
      p[i * n + j] = p[j * n + i] = v;
    }

  std::mt19937 rng(options.seed);
  std::normal_distribution<double> normal(0.0, 1e-4);
  std::vector<double> y(2 * n), update(2 * n, 0), gains(2 * n, 1), grad(2 * n);
  for (auto& v : y) v = normal(rng);
  const double learning_rate = std::max(n / kExaggeration, 50.0);
  std::vector<float> num(n * n);  // Student-t kernel values, i < j
  for (int iter = 0; iter < options.iterations && !stop.stop_requested(); ++iter) {
    const double exaggeration = iter < kExaggerationIterations ? kExaggeration : 1.0;
    const double momentum = iter < kExaggerationIterations ? 0.5 : 0.8;
    double z = 0;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) {
        const double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
        const double q = 1.0 / (1.0 + dx * dx + dy * dy);
        num[i * n + j] = static_cast<float>(q);  // the upper triangle is all that is read
        z += 2 * q;
      }
    // Each pair once: the force on i from j is minus the force on j from i.
    std::fill(grad.begin(), grad.end(), 0.0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = i + 1; j < n; ++j) {
        const double q = num[i * n + j];
        const double m = 4 * (exaggeration * p[i * n + j] - q / z) * q;
        const double fx = m * (y[2 * i] - y[2 * j]), fy = m * (y[2 * i + 1] - y[2 * j + 1]);
        grad[2 * i] += fx;
        grad[2 * i + 1] += fy;
        grad[2 * j] -= fx;
        grad[2 * j + 1] -= fy;
      }
    for (std::size_t k = 0; k < 2 * n; ++k) {
      // Gains grow where the gradient keeps its direction against the last step, shrink else.
      gains[k] = (grad[k] > 0) != (update[k] > 0) ? gains[k] + 0.2 : std::max(gains[k] * 0.8, 0.01);
      update[k] = momentum * update[k] - learning_rate * gains[k] * grad[k];
      y[k] += update[k];
    }
    double cx = 0, cy = 0;
    for (std::size_t i = 0; i < n; ++i) {
      cx += y[2 * i];
      cy += y[2 * i + 1];
    }
    for (std::size_t i = 0; i < n; ++i) {
      y[2 * i] -= cx / n;
      y[2 * i + 1] -= cy / n;
    }
    if (progress) progress(iter + 1);
  }
  for (std::size_t i = 0; i < n; ++i)
    out[i] = {static_cast<float>(y[2 * i]), static_cast<float>(y[2 * i + 1])};
  return out;
}

}  // namespace lookalike::app::detail

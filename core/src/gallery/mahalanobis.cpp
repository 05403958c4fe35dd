#include "lookalike/gallery/mahalanobis.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace lookalike {

float mahalanobis_distance(const Embedding& query, std::span<const float> photos,
                           float pooled_variance) {
  constexpr std::size_t d = kEmbeddingDim;
  const std::size_t n = std::min(photos.size() / d, kMaxMahalanobisPhotos);
  const double pooled = std::max(static_cast<double>(pooled_variance), 1e-12);
  if (n == 0) return INFINITY;

  std::vector<double> mu(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) mu[j] += photos[i * d + j];
  for (auto& v : mu) v /= static_cast<double>(n);
  std::vector<double> x(d);
  double x2 = 0;
  for (std::size_t j = 0; j < d; ++j) {
    x[j] = query[j] - mu[j];
    x2 += x[j] * x[j];
  }
  if (n == 1) return static_cast<float>(std::sqrt(x2 / pooled));

  // Centered photos C (n x d), Gram G = C C^T, y = C x.
  std::vector<double> c(n * d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) c[i * d + j] = photos[i * d + j] - mu[j];
  std::vector<double> gram(n * n), y(n);
  for (std::size_t i = 0; i < n; ++i) {
    double yi = 0;
    for (std::size_t j = 0; j < d; ++j) yi += c[i * d + j] * x[j];
    y[i] = yi;
    for (std::size_t k = 0; k <= i; ++k) {
      double s = 0;
      for (std::size_t j = 0; j < d; ++j) s += c[i * d + j] * c[k * d + j];
      gram[i * n + k] = gram[k * n + i] = s;
    }
  }
  // Ledoit-Wolf intensity from Gram entries.
  const double nn = static_cast<double>(n);
  double trace = 0, frob2 = 0;
  for (std::size_t i = 0; i < n; ++i) trace += gram[i * n + i];
  trace /= nn;
  for (double v : gram) frob2 += v * v;
  frob2 /= nn * nn;  // |S|_F^2
  const double m = trace / d;
  const double dist2 = std::max(frob2 - m * m * d, 0.0);  // |S - mI|_F^2
  double b2 = 0;
  for (std::size_t k = 0; k < n; ++k) {
    double row = 0;
    for (std::size_t i = 0; i < n; ++i) row += gram[k * n + i] * gram[k * n + i];
    const double ck2 = gram[k * n + k];
    b2 += ck2 * ck2 - 2.0 * row / nn + frob2;
  }
  b2 /= nn * nn;
  double lambda = dist2 > 0 ? std::min(b2, dist2) / dist2 : 1.0;
  lambda = std::clamp(lambda, static_cast<double>(kMinShrinkage), 1.0);
  const double m_eff = std::max(m, kVarianceFloorFraction * pooled);

  // Sigma = a I + b C^T C;  x^T Sigma^-1 x = |x|^2/a - y^T M^-1 y / a^2, M = I/b + G/a.
  const double a = lambda * m_eff;
  const double b = (1.0 - lambda) / nn;
  double result = x2 / a;
  if (b > 0) {
    std::vector<double> chol(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k <= i; ++k) {
        double s = gram[i * n + k] / a + (i == k ? 1.0 / b : 0.0);
        for (std::size_t j = 0; j < k; ++j) s -= chol[i * n + j] * chol[k * n + j];
        chol[i * n + k] = i == k ? std::sqrt(std::max(s, 1e-300)) : s / chol[k * n + k];
      }
    // z = L^-1 y; y^T M^-1 y = |z|^2.
    double z2 = 0;
    std::vector<double> z(n);
    for (std::size_t i = 0; i < n; ++i) {
      double s = y[i];
      for (std::size_t j = 0; j < i; ++j) s -= chol[i * n + j] * z[j];
      z[i] = s / chol[i * n + i];
      z2 += z[i] * z[i];
    }
    result -= z2 / (a * a);
  }
  return static_cast<float>(std::sqrt(std::max(result, 0.0)));
}

}  // namespace lookalike

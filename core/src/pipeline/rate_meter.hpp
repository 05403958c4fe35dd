// RateMeter: events per second over the last N events (a fixed ring, no growth).
// ExpMovingAverage: exponential moving average for stage latencies.
//
// Contract: not thread-safe; owners guard them with their own mutex.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>

#include "lookalike/pipeline/snapshot.hpp"

namespace lookalike::detail {

class RateMeter {
 public:
  static constexpr std::size_t kWindow = 32;  // ~1 s at 30 fps
  void tick(Clock::time_point t) {
    times_[next_ % kWindow] = t;
    ++next_;
  }
  double per_second() const {
    if (next_ < 2) return 0;
    const std::size_t n = next_ < kWindow ? next_ : kWindow;
    const auto newest = times_[(next_ - 1) % kWindow];
    const auto oldest = times_[(next_ - n) % kWindow];
    const double s = std::chrono::duration<double>(newest - oldest).count();
    return s > 0 ? static_cast<double>(n - 1) / s : 0;
  }

 private:
  std::array<Clock::time_point, kWindow> times_{};
  std::size_t next_ = 0;
};

class ExpMovingAverage {
 public:
  explicit ExpMovingAverage(double alpha = 0.1) : alpha_(alpha) {}
  void add(double v) {
    value_ = seeded_ ? value_ + alpha_ * (v - value_) : v;
    seeded_ = true;
  }
  double value() const { return value_; }
  bool seeded() const { return seeded_; }

 private:
  double alpha_;
  double value_ = 0;
  bool seeded_ = false;
};

}  // namespace lookalike::detail

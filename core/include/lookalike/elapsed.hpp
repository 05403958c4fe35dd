// ms_since: milliseconds elapsed on the steady clock since `start`, as a double (the pipeline's
// stage timings and the benchmarks; one definition so they all measure the same way).
//
// Contract: pure, thread-safe; reads std::chrono::steady_clock only.
#pragma once

#include <chrono>

namespace lookalike {

inline double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace lookalike

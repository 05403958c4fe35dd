// Build progress for people (the CLI's gallery commands): a redrawn bar on a terminal (count, rate,
// ETA, skipped) and a spdlog info line every few seconds otherwise (logs, CI).
//
// Contract: call update() from one thread (the builder's progress callback runs on the
// calling thread); redraws are throttled. finish() ends the bar's line. Not thread-safe.
#pragma once

#include <chrono>
#include <string>

#include "lookalike/gallery/builder.hpp"

namespace lookalike::cli {

class TerminalProgress {
 public:
  explicit TerminalProgress(std::string label, bool terminal);  // terminal: isatty(stderr)
  static bool stderr_is_terminal();
  void update(const BuildProgress& progress);
  void finish();

 private:
  std::string label_;
  bool terminal_;
  bool drawn_ = false;
  BuildProgress last_{};
  std::chrono::steady_clock::time_point last_draw_{};
  std::chrono::seconds log_every_{5};
  std::chrono::milliseconds redraw_every_{100};
};

}  // namespace lookalike::cli

#include "terminal_progress.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cstdio>

namespace lookalike::cli {
namespace {
std::string clock_text(double seconds) {
  auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}
}  // namespace

TerminalProgress::TerminalProgress(std::string label, bool terminal)
    : label_(std::move(label)), terminal_(terminal) {}

bool TerminalProgress::stderr_is_terminal() {
  return ::isatty(STDERR_FILENO) == 1;
}

void TerminalProgress::update(const BuildProgress& p) {
  last_ = p;
  const auto now = std::chrono::steady_clock::now();
  const bool last = p.done == p.total;
  if (terminal_) {
    if (!last && drawn_ && now - last_draw_ < redraw_every_) return;
    constexpr int kWidth = 30;
    const double fraction =
        p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < kWidth) bar += '>';
    bar.resize(kWidth, ' ');
    std::fprintf(stderr, "\r%s [%s] %zu/%zu %5.1f%%  %.1f photos/s  ETA %s  skipped %zu  ",
                 label_.c_str(), bar.c_str(), p.done, p.total, fraction * 100, p.rate,
                 clock_text(p.eta_seconds).c_str(), p.skipped);
    std::fflush(stderr);
  } else {
    if (!last && drawn_ && now - last_draw_ < log_every_) return;
    spdlog::info("{}: {}/{} photos, {:.1f} photos/s, ETA {}, {} skipped", label_, p.done, p.total,
                 p.rate, clock_text(p.eta_seconds), p.skipped);
  }
  drawn_ = true;
  last_draw_ = now;
}

void TerminalProgress::finish() {
  if (terminal_ && drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace lookalike::cli

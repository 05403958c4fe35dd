// A terminal progress line for app::install_gallery: bytes, rate and ETA while downloading,
// members while unpacking, then the gallery builder's own bar. Log lines when stderr is not a
// terminal (CI, pipes). Not thread-safe: call from the thread running the install.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

#include "lookalike/app/install_gallery.hpp"
#include "terminal_progress.hpp"

namespace lookalike::cli {

class InstallProgressBar {
 public:
  explicit InstallProgressBar(std::string name)
      : name_(std::move(name)), terminal_(TerminalProgress::stderr_is_terminal()) {}
  ~InstallProgressBar() { finish(); }

  void update(const app::InstallProgress& p) {
    if (p.stage == app::InstallStage::building) {
      end_line();
      if (!build_bar_) build_bar_.emplace("build " + name_, terminal_);
      build_bar_->update(p.build);
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    const bool stage_changed = p.stage != stage_;
    stage_ = p.stage;
    if (!stage_changed && now - last_ < (terminal_ ? std::chrono::milliseconds(200)
                                                   : std::chrono::milliseconds(5000)))
      return;
    last_ = now;
    const std::string text = describe(p);
    if (terminal_) {
      std::fprintf(stderr, "\r\033[K%s", text.c_str());
      drawn_ = true;
    } else {
      spdlog::info("{}", text);
    }
  }

  void finish() {
    end_line();
    if (build_bar_) build_bar_->finish();
  }

 private:
  std::string describe(const app::InstallProgress& p) const {
    std::string line = name_ + ": " + app::describe(p);
    if (const double f = p.fraction(); f >= 0 && p.stage == app::InstallStage::downloading) {
      const int filled = static_cast<int>(f * 24);
      line += fmt::format("  [{}{}] {:3.0f}%", std::string(filled, '#'),
                          std::string(24 - filled, '.'), f * 100);
    }
    return line;
  }
  void end_line() {
    if (drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }

  std::string name_;
  bool terminal_;
  bool drawn_ = false;
  app::InstallStage stage_ = app::InstallStage::installing;
  std::chrono::steady_clock::time_point last_{};
  std::optional<TerminalProgress> build_bar_;
};

}  // namespace lookalike::cli

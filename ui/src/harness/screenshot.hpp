// --screenshot OUT.png: the rendered frame (read from the back buffer before the swap) and,
// beside it as OUT.png.json, the frame's layout and the App's state, for tests that check the
// pixels where things were drawn.
//
// Contract: both files written atomically (temp file, fsync, rename); throws
// std::runtime_error naming the file when one cannot be written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <opencv2/core.hpp>

#include "harness/frame_layout.hpp"

namespace lookalike::ui {

struct ScreenshotState {
  std::string mode;       // live, photo, kiosk, map; operator (the operator window)
  std::int64_t seq = -1;  // the snapshot on screen, -1 when none
  std::string gallery;
  std::size_t gallery_identities = 0;
  bool operator_window = false;  // the kiosk operator window is open
};

// `scale`: framebuffer pixels per window coordinate (layouts are written in pixels).
void write_screenshot(const std::filesystem::path& png, const cv::Mat& pixels,
                      const FrameLayout& layout, const ScreenshotState& state, ImVec2 scale);

}  // namespace lookalike::ui

// AttractLoop: the kiosk's attract media (kiosk.attract_video), a video file played at its own
// rate and looped, behind the attract screen. It reads through the pipeline's own file source
// (open_source with loop on; as fast as asked, paced here by the display clock), so the
// formats, the loop and the error messages are the live view's.
//
// Contract: main thread only; frame() decodes at most one frame per call (a 720p frame takes
// a few ms), only when the video's next frame is due, and never blocks on the clock. A file
// that cannot be opened or read gives no frames and error() names it (for the operator's log);
// the attract screen then shows the live camera. One texture, refilled in place.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <opencv2/core.hpp>

#include "lookalike/pipeline/frame_source.hpp"

namespace lookalike::ui {

class AttractLoop {
 public:
  explicit AttractLoop(const std::filesystem::path& video);
  // The frame due at `seconds` (any monotonic clock); empty when there is none.
  const cv::Mat& frame(double seconds);
  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<FrameSource> source_;
  cv::Mat frame_;
  double interval_ = 1.0 / 30;
  double next_at_ = -1;
  std::string error_;
};

}  // namespace lookalike::ui

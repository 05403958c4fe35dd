#include "views/attract_loop.hpp"

#include <stop_token>

namespace lookalike::ui {

AttractLoop::AttractLoop(const std::filesystem::path& video) {
  SourceOptions options;
  options.spec = video.string();
  options.playback = PlaybackMode::as_fast_as_possible;  // paced in frame()
  options.loop = true;
  try {
    source_ = open_source(options);
    if (source_->info().kind != SourceKind::video_file)
      throw SourceError(video.string() + ": not a video file");
    if (source_->info().fps > 0) interval_ = 1.0 / source_->info().fps;
  } catch (const std::exception& e) {
    source_.reset();
    error_ = std::string("kiosk.attract_video: ") + e.what();
  }
}

const cv::Mat& AttractLoop::frame(double seconds) {
  if (!source_ || seconds < next_at_) return frame_;
  // Behind by more than a frame (the screen was elsewhere): carry on from now, do not catch up.
  next_at_ =
      next_at_ < 0 || seconds - next_at_ > interval_ ? seconds + interval_ : next_at_ + interval_;
  auto read = source_->read(std::stop_token{});
  if (read.status == FrameSource::ReadStatus::frame) {
    frame_ = std::move(read.frame.image);
  } else {
    error_ = "kiosk.attract_video: " + source_->info().description + " cannot be read";
    source_.reset();
    frame_.release();
  }
  return frame_;
}

}  // namespace lookalike::ui

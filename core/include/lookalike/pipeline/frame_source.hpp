// Frame sources: where the live pipeline's frames come from.
//
// Contract: a FrameSource is used by ONE thread at a time (the pipeline's capture thread); it
// owns its cv::VideoCapture (or file list) and releases it in its destructor. read() blocks
// until the next frame is due (real-time pacing for files and folders) or stop is requested;
// every frame carries a sequence number (0, 1, 2, ... in capture order, never reused, also
// across reconnects) and a steady-clock capture timestamp. Frames own their pixels: the
// source never writes into a Mat it has returned. open_source() throws SourceError with a
// message naming the source and what to do (missing device, busy camera, unreadable file).
// Image folders and sequences decode through the hardened loader (image_io.hpp): a file that
// is unreadable or over SourceOptions::image_limits is skipped with a warning naming it.
// Source specs are user text: they are parsed, never used as a printf format.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <string_view>

#include "lookalike/engine/image_io.hpp"
#include "lookalike/pipeline/snapshot.hpp"

namespace lookalike {

// A source cannot be opened (or a spec cannot be understood).
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class SourceKind {
  camera,      // "0" (index) or "/dev/video0" (V4L2 device path)
  video_file,  // any file OpenCV's videoio can decode (.avi, .mp4, .mkv, ...)
  // A folder of images (sorted by name); a numbered sequence "img_%04d.png" (one %d or %0Nd,
  // N <= 9; %% is a literal %; numbering starts at 0 or 1 and ends at the first gap); or a
  // wildcard pattern "frames/*.jpg" (* and ? in the file name only).
  image_folder,
  stream,  // URL: rtsp://, http(s)://, udp:// ... (treated like a camera: may reconnect)
};
std::string_view to_string(SourceKind kind);

// How file-like sources (video file, image folder) are paced.
enum class PlaybackMode {
  realtime,             // frames are delivered at their nominal rate (like a camera)
  as_fast_as_possible,  // next frame as soon as the consumer asked (benchmarks, batch runs)
};
std::string_view to_string(PlaybackMode mode);

struct SourceOptions {
  std::string spec = "0";  // camera index, device path, video file, image folder/sequence, URL
  // Requested camera capture size and rate; 0 keeps the device's default. Cameras may pick
  // the nearest mode they support (the actual values are in FrameSource::info()).
  int width = 1280;
  int height = 720;
  double fps = 30.0;
  bool mirror = false;  // flip horizontally (selfie view)
  PlaybackMode playback = PlaybackMode::realtime;
  // Rate of an image folder in realtime mode (images have no timestamps).
  double folder_fps = 30.0;
  bool loop = false;  // restart files and folders at their end instead of ending
  // Image folders: the decoder's limits (the same as for every other untrusted image).
  ImageLimits image_limits;
  // Cameras and streams: how often to try to reopen a lost device.
  std::chrono::milliseconds reconnect_interval{500};
};

struct Frame {
  std::uint64_t seq = 0;
  Clock::time_point captured_at{};
  double t_ms = 0;  // capture time since the source was opened (file time for files)
  cv::Mat image;    // CV_8UC3 BGR, owned by this frame, never modified after capture
};

struct SourceInfo {
  SourceKind kind = SourceKind::camera;
  std::string description;                  // e.g. "camera 0 (/dev/video0) 1280x720@30"
  cv::Size size;                            // actual frame size (0x0 when unknown)
  double fps = 0;                           // nominal rate (0 when unknown)
  std::optional<std::int64_t> frame_count;  // files and folders
};

class FrameSource {
 public:
  enum class ReadStatus {
    frame,    // `frame` is filled
    ended,    // a file or folder is over (never for cameras and streams)
    lost,     // a camera/stream stopped delivering; call reconnect()
    stopped,  // stop was requested while waiting
  };
  struct ReadResult {
    ReadStatus status = ReadStatus::stopped;
    Frame frame;
  };

  virtual ~FrameSource() = default;
  // Blocks until the next frame is due; returns early with `stopped` when stop is requested.
  virtual ReadResult read(std::stop_token stop) = 0;
  // Cameras/streams: tries to reopen until it succeeds (true) or stop is requested (false);
  // waits reconnect_interval between attempts on a condition variable (interruptible).
  virtual bool reconnect(std::stop_token stop) = 0;
  virtual const SourceInfo& info() const = 0;
};

// Parses the spec and opens the source. Throws SourceError (missing device, busy camera,
// unreadable file, empty folder) with a message naming the source.
std::unique_ptr<FrameSource> open_source(const SourceOptions& options);

// Classifies a spec without opening it ("0" camera, "/dev/video2" camera, "x://" stream,
// directory or pattern with % or * image_folder, anything else video_file).
SourceKind classify_source_spec(std::string_view spec);

}  // namespace lookalike

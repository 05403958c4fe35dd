// Frame sources over OpenCV videoio (see frame_source.hpp for the contract).
#include "lookalike/pipeline/frame_source.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <system_error>
#include <utility>
#include <vector>

#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"

namespace lookalike {
namespace fs = std::filesystem;

std::string_view to_string(SourceKind kind) {
  switch (kind) {
    case SourceKind::camera:
      return "camera";
    case SourceKind::video_file:
      return "video file";
    case SourceKind::image_folder:
      return "image folder";
    case SourceKind::stream:
      return "stream";
  }
  return "unknown";
}

std::string_view to_string(PlaybackMode mode) {
  return mode == PlaybackMode::realtime ? "realtime" : "as-fast-as-possible";
}

namespace {

bool all_digits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The image-sequence spec "img_%04d.png": the text around its one %d / %0Nd conversion. The
// spec is user text, so it is parsed here and never handed to printf as a format.
struct SequencePattern {
  std::string prefix;
  std::string suffix;
  int width = 0;  // zero-padded to at least this many digits (0: no padding)

  fs::path path_of(std::int64_t index) const {
    std::string digits = std::to_string(index);
    if (digits.size() < static_cast<std::size_t>(width))
      digits.insert(0, static_cast<std::size_t>(width) - digits.size(), '0');
    return prefix + digits + suffix;
  }
};

// %09d already numbers a billion images; a wider field is a typo or an attack.
constexpr int kMaxSequenceWidth = 9;
// Longest sequence enumerated (the scan stops at the first missing number anyway).
constexpr std::int64_t kMaxSequenceLength = 10'000'000;

[[noreturn]] void bad_pattern(const std::string& spec, const std::string& what) {
  throw SourceError("image sequence " + spec + ": " + what +
                    ". Number the images with one %d or %0Nd (N from 1 to " +
                    std::to_string(kMaxSequenceWidth) +
                    "), e.g. img_%04d.png; write %% for a literal %.");
}

SequencePattern parse_sequence_pattern(const std::string& spec) {
  SequencePattern pattern;
  std::string* out = &pattern.prefix;
  bool found = false;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] != '%') {
      *out += spec[i];
      continue;
    }
    if (i + 1 < spec.size() && spec[i + 1] == '%') {
      *out += '%';
      ++i;
      continue;
    }
    // The conversion's text: '%', then flags, width, precision, length, up to its letter.
    std::size_t end = i + 1;
    while (end < spec.size() && !std::isalpha(static_cast<unsigned char>(spec[end])) &&
           spec[end] != '%' && spec[end] != '/')
      ++end;
    while (end < spec.size() && (spec[end] == 'h' || spec[end] == 'l' || spec[end] == 'j' ||
                                 spec[end] == 'z' || spec[end] == 't' || spec[end] == 'L'))
      ++end;  // length modifiers (%ld, %lld): shown whole in the message, then refused
    const std::string conversion = spec.substr(i, end < spec.size() ? end - i + 1 : end - i);
    if (end >= spec.size() || spec[end] != 'd')
      bad_pattern(spec, "'" + conversion + "' is not a supported conversion");
    const std::string_view flags_width(spec.data() + i + 1, end - i - 1);
    int width = 0;
    if (!flags_width.empty()) {
      const std::string_view digits = flags_width.substr(1);
      if (flags_width[0] != '0' || !all_digits(digits))
        bad_pattern(spec, "'" + conversion + "' is not a supported conversion");
      if (digits.size() > 1 || digits[0] == '0')
        bad_pattern(spec, "'" + conversion + "' is wider than " +
                              std::to_string(kMaxSequenceWidth) + " digits or zero");
      width = digits[0] - '0';
    }
    if (found) bad_pattern(spec, "more than one number conversion");
    found = true;
    pattern.width = width;
    out = &pattern.suffix;
    i = end;
  }
  if (!found) bad_pattern(spec, "no number conversion");
  return pattern;
}

// '*' (any run) and '?' (any one character); everything else, brackets included, is literal:
// what cv::glob matched, without its exceptions.
bool wildcard_match(std::string_view pattern, std::string_view name) {
  std::size_t p = 0, n = 0, star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool has_wildcard(std::string_view s) {
  return s.find_first_of("*?") != std::string_view::npos;
}

// The image files directly in `dir` whose names match `name_pattern` (all when empty), sorted.
// Throws SourceError when the folder cannot be listed (the message says why).
std::vector<fs::path> list_images(const fs::path& dir, std::string_view name_pattern,
                                  const std::string& what) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw SourceError(what + ": folder " + dir.string() + " does not exist");
  std::vector<fs::path> files;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (!it->is_regular_file(type_ec) || !has_image_extension(it->path())) continue;
    if (!name_pattern.empty() && !wildcard_match(name_pattern, it->path().filename().string()))
      continue;
    files.push_back(it->path());
  }
  if (ec) throw SourceError(what + ": cannot list " + dir.string() + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

std::string known_extensions() {
  std::string out;
  for (std::string_view ext : image_extensions())
    out += (out.empty() ? "" : ", ") + std::string(ext);
  return out;
}

// Interruptible wait until `deadline` (no polling: a condition variable that only the stop
// token wakes early). Returns false when stop was requested.
bool wait_until(std::stop_token stop, Clock::time_point deadline) {
  std::mutex m;
  std::condition_variable_any cv;
  std::unique_lock lock(m);
  cv.wait_until(lock, stop, deadline, [] { return false; });
  return !stop.stop_requested();
}

cv::Mat finish_image(cv::Mat image, bool mirror) {
  if (image.empty()) return image;
  if (image.channels() == 1) {
    cv::Mat bgr;
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
    image = bgr;
  } else if (image.channels() == 4) {
    cv::Mat bgr;
    cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
    image = bgr;
  }
  if (mirror) {
    cv::Mat flipped;
    cv::flip(image, flipped, 1);
    return flipped;
  }
  return image;
}

// Shared pacing and numbering for every source.
class SourceBase : public FrameSource {
 public:
  explicit SourceBase(SourceOptions options) : options_(std::move(options)) {}
  const SourceInfo& info() const override { return info_; }

 protected:
  Frame make_frame(cv::Mat image, double t_ms) {
    Frame f;
    f.seq = next_seq_++;
    f.captured_at = Clock::now();
    f.t_ms = t_ms;
    f.image = finish_image(std::move(image), options_.mirror);
    return f;
  }
  double since_open_ms() const {
    return std::chrono::duration<double, std::milli>(Clock::now() - opened_at_).count();
  }
  // Real-time pacing for file-like sources: frame `index` is due at start + index / fps.
  bool pace(std::stop_token stop, std::int64_t index, double fps) {
    if (options_.playback != PlaybackMode::realtime || fps <= 0) return !stop.stop_requested();
    const auto offset = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(index) / fps));
    if (!pace_start_) pace_start_ = Clock::now() - offset;
    return wait_until(stop, *pace_start_ + offset);
  }

  SourceOptions options_;
  SourceInfo info_;
  std::uint64_t next_seq_ = 0;
  Clock::time_point opened_at_ = Clock::now();
  std::optional<Clock::time_point> pace_start_;
};

// FFmpeg probes 5 s of a stream before the first frame (analyzeduration): a network camera
// that comes back would show nothing for seconds. Half a second finds the codec parameters of
// MJPEG and H.264 cameras. Set once, only if the user has not set their own options.
void limit_stream_probing() {
  static const bool once = [] {
    ::setenv("OPENCV_FFMPEG_CAPTURE_OPTIONS", "analyzeduration;500000|probesize;1000000", 0);
    return true;
  }();
  (void)once;
}

// Camera (index or V4L2 path) or stream URL: live devices that may be lost and come back.
class CaptureSource final : public SourceBase {
 public:
  CaptureSource(SourceOptions options, SourceKind kind) : SourceBase(std::move(options)) {
    info_.kind = kind;
    std::string error;
    if (!open(error)) throw SourceError(error);
  }

  ReadResult read(std::stop_token stop) override {
    if (stop.stop_requested()) return {};
    cv::Mat image;  // fresh buffer every time: frames already handed out are never rewritten
    if (!capture_.read(image) || image.empty()) {
      spdlog::warn("{}: no frame, treating the device as lost", info_.description);
      return {ReadStatus::lost, {}};
    }
    if (stop.stop_requested()) return {};
    return {ReadStatus::frame, make_frame(std::move(image), since_open_ms())};
  }

  bool reconnect(std::stop_token stop) override {
    capture_.release();
    while (!stop.stop_requested()) {
      if (!wait_until(stop, Clock::now() + options_.reconnect_interval)) return false;
      std::string error;
      if (open(error)) {
        spdlog::info("{}: reconnected", info_.description);
        return true;
      }
      spdlog::debug("reconnect failed: {}", error);
    }
    return false;
  }

 private:
  bool open(std::string& error) {
    const std::string& spec = options_.spec;
    std::string what;
    if (info_.kind == SourceKind::camera) {
      std::string device = all_digits(spec) ? "/dev/video" + spec : spec;
      what = all_digits(spec) ? "camera " + spec + " (" + device + ")" : "camera " + device;
      std::error_code ec;
      if (!fs::exists(device, ec)) {
        error = what +
                ": no such device. Connect a camera or pick another one with --source "
                "(ls /dev/video* lists them).";
        return false;
      }
      bool ok = all_digits(spec) ? capture_.open(std::stoi(spec), cv::CAP_V4L2)
                                 : capture_.open(device, cv::CAP_V4L2);
      if (!ok || !capture_.isOpened()) {
        error = what +
                ": cannot open the device: it is busy (another program uses it) or "
                "you lack permission (add yourself to the 'video' group).";
        return false;
      }
      if (options_.width > 0) capture_.set(cv::CAP_PROP_FRAME_WIDTH, options_.width);
      if (options_.height > 0) capture_.set(cv::CAP_PROP_FRAME_HEIGHT, options_.height);
      if (options_.fps > 0) capture_.set(cv::CAP_PROP_FPS, options_.fps);
    } else {
      what = "stream " + spec;
      limit_stream_probing();
      if (!capture_.open(spec, cv::CAP_FFMPEG) || !capture_.isOpened()) {
        error = what + ": cannot connect (check the URL and that the server is up).";
        return false;
      }
    }
    // A busy camera sometimes opens but never delivers: require a first frame.
    cv::Mat probe;
    if (!capture_.read(probe) || probe.empty()) {
      capture_.release();
      error = what + ": opened but delivers no frames (busy, or not a capture device).";
      return false;
    }
    info_.size = probe.size();
    info_.fps = capture_.get(cv::CAP_PROP_FPS);
    info_.description = what + " " + std::to_string(info_.size.width) + "x" +
                        std::to_string(info_.size.height) + "@" +
                        std::to_string(static_cast<int>(info_.fps + 0.5));
    return true;
  }

  cv::VideoCapture capture_;
};

class VideoFileSource final : public SourceBase {
 public:
  explicit VideoFileSource(SourceOptions options) : SourceBase(std::move(options)) {
    info_.kind = SourceKind::video_file;
    const fs::path path = options_.spec;
    std::error_code ec;
    if (!fs::exists(path, ec))
      throw SourceError("video file " + path.string() + ": does not exist");
    if (!fs::is_regular_file(path, ec))
      throw SourceError("video file " + path.string() + ": not a regular file");
    // FFmpeg explicitly: CAP_ANY would also probe GStreamer, whose pipeline threads race
    // inside glib (ThreadSanitizer) and which adds seconds when the file is not a video.
    if (!capture_.open(path.string(), cv::CAP_FFMPEG) || !capture_.isOpened())
      throw SourceError("video file " + path.string() +
                        ": OpenCV cannot decode it (unsupported codec or not a video)");
    info_.fps = capture_.get(cv::CAP_PROP_FPS);
    if (!(info_.fps > 0 && info_.fps < 1000)) info_.fps = kDefaultFps;
    auto count = static_cast<std::int64_t>(capture_.get(cv::CAP_PROP_FRAME_COUNT));
    if (count > 0) info_.frame_count = count;
    info_.size = {static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH)),
                  static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT))};
    info_.description = "video file " + path.string();
  }

  ReadResult read(std::stop_token stop) override {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!pace(stop, index_, info_.fps)) return {};
      cv::Mat image;
      if (capture_.read(image) && !image.empty()) {
        double t_ms = index_ * 1000.0 / info_.fps;
        ++index_;
        return {ReadStatus::frame, make_frame(std::move(image), t_ms + loop_offset_ms_)};
      }
      if (!options_.loop || index_ == 0) break;
      loop_offset_ms_ += index_ * 1000.0 / info_.fps;
      index_ = 0;
      pace_start_.reset();
      capture_.set(cv::CAP_PROP_POS_FRAMES, 0);
    }
    return {ReadStatus::ended, {}};
  }
  bool reconnect(std::stop_token) override { return false; }

 private:
  static constexpr double kDefaultFps = 30.0;  // when the container does not say
  cv::VideoCapture capture_;
  std::int64_t index_ = 0;
  double loop_offset_ms_ = 0;
};

class ImageFolderSource final : public SourceBase {
 public:
  explicit ImageFolderSource(SourceOptions options) : SourceBase(std::move(options)) {
    info_.kind = SourceKind::image_folder;
    info_.fps = options_.folder_fps;
    const std::string& spec = options_.spec;
    std::error_code ec;
    if (fs::is_directory(spec, ec)) {
      info_.description = "image folder " + spec;
      files_ = list_images(spec, {}, info_.description);
    } else if (spec.find('%') != std::string::npos) {
      info_.description = "image sequence " + spec;
      const SequencePattern pattern = parse_sequence_pattern(spec);
      for (std::int64_t start : {0, 1}) {  // numbering from 0 or from 1, like OpenCV's
        for (std::int64_t i = start; i < kMaxSequenceLength; ++i) {
          fs::path path = pattern.path_of(i);
          if (!fs::is_regular_file(path, ec)) break;
          files_.push_back(std::move(path));
        }
        if (!files_.empty()) break;
      }
    } else {
      info_.description = "image pattern " + spec;
      const fs::path path(spec);
      const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
      if (has_wildcard(dir.string()))
        throw SourceError(info_.description +
                          ": wildcards (* ?) are only supported in the file name, not in folders");
      files_ = list_images(dir, path.filename().string(), info_.description);
    }
    if (files_.empty())
      throw SourceError(info_.description + ": no images found (" + known_extensions() + ")");
    info_.frame_count = static_cast<std::int64_t>(files_.size());
    first_image_ = load(files_.front());  // its size describes the source; kept for read()
    if (!first_image_.empty()) info_.size = first_image_.size();
  }

  ReadResult read(std::stop_token stop) override {
    std::size_t failures = 0;  // a whole pass of unreadable files ends the source, even looped
    while (failures < files_.size()) {
      if (next_ >= files_.size()) {
        if (!options_.loop) return {ReadStatus::ended, {}};
        next_ = 0;
      }
      if (!pace(stop, index_, info_.fps)) return {};
      const bool first = next_ == 0 && !first_image_.empty();
      cv::Mat image = first ? std::exchange(first_image_, {}) : load(files_[next_]);
      ++next_;
      if (image.empty()) {  // bad input never stops the run: load() said which file, skip it
        ++failures;
        continue;
      }
      double t_ms = index_ * 1000.0 / std::max(info_.fps, 1e-3);
      ++index_;
      return {ReadStatus::frame, make_frame(std::move(image), t_ms)};
    }
    spdlog::warn("{}: no readable image left", info_.description);
    return {ReadStatus::ended, {}};
  }
  bool reconnect(std::stop_token) override { return false; }

 private:
  // The hardened loader (limits checked from the header before any pixel is allocated). An
  // unreadable or oversized file is reported by name and skipped (empty Mat).
  cv::Mat load(const fs::path& path) const {
    try {
      return load_image(path, options_.image_limits);
    } catch (const ImageError& e) {
      spdlog::warn("{}: skipped {}", info_.description, e.what());
      return {};
    }
  }

  std::vector<fs::path> files_;
  cv::Mat first_image_;  // decoded when opened, handed out by the first read
  std::size_t next_ = 0;
  std::int64_t index_ = 0;
};

}  // namespace

SourceKind classify_source_spec(std::string_view spec) {
  if (all_digits(spec)) return SourceKind::camera;
  if (spec.rfind("/dev/", 0) == 0) return SourceKind::camera;
  if (spec.find("://") != std::string_view::npos) return SourceKind::stream;
  std::error_code ec;
  if (fs::is_directory(fs::path(spec), ec)) return SourceKind::image_folder;
  if (spec.find('%') != std::string_view::npos || spec.find('*') != std::string_view::npos ||
      spec.find('?') != std::string_view::npos)
    return SourceKind::image_folder;
  return SourceKind::video_file;
}

std::unique_ptr<FrameSource> open_source(const SourceOptions& options) {
  if (options.spec.empty()) throw SourceError("empty source: give a camera index, file or URL");
  switch (classify_source_spec(options.spec)) {
    case SourceKind::camera:
      return std::make_unique<CaptureSource>(options, SourceKind::camera);
    case SourceKind::stream:
      return std::make_unique<CaptureSource>(options, SourceKind::stream);
    case SourceKind::image_folder:
      return std::make_unique<ImageFolderSource>(options);
    case SourceKind::video_file:
      return std::make_unique<VideoFileSource>(options);
  }
  throw SourceError("unknown source kind: " + options.spec);
}

}  // namespace lookalike

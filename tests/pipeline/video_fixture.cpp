#include "video_fixture.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <stdexcept>

namespace lookalike::test {
namespace fs = std::filesystem;
namespace {

cv::Mat load(const fs::path& p) {
  cv::Mat img = cv::imread(p.string(), cv::IMREAD_COLOR);
  if (img.empty()) throw std::runtime_error("cannot read test photo " + p.string());
  return img;
}

cv::VideoWriter open_writer(const fs::path& path, const VideoSpec& spec) {
  cv::VideoWriter w(path.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), spec.fps,
                    spec.size);
  if (!w.isOpened()) throw std::runtime_error("cannot write test video " + path.string());
  return w;
}

// Pastes `img` scaled by `scale` with its centre at `centre` onto `canvas` (clipped).
void paste(cv::Mat& canvas, const cv::Mat& img, double scale, cv::Point2d centre) {
  cv::Mat scaled;
  cv::resize(img, scaled, {}, scale, scale, cv::INTER_LINEAR);
  const cv::Rect target(static_cast<int>(centre.x - scaled.cols / 2.0),
                        static_cast<int>(centre.y - scaled.rows / 2.0), scaled.cols, scaled.rows);
  const cv::Rect clipped = target & cv::Rect(0, 0, canvas.cols, canvas.rows);
  if (clipped.area() <= 0) return;
  scaled(cv::Rect(clipped.tl() - target.tl(), clipped.size())).copyTo(canvas(clipped));
}

}  // namespace

std::vector<fs::path> lfw_photos(const fs::path& lfw10, const std::string& identity, int first,
                                 int last) {
  std::vector<fs::path> all;
  for (const auto& entry : fs::directory_iterator(lfw10 / identity))
    if (entry.path().extension() == ".jpg") all.push_back(entry.path());
  std::sort(all.begin(), all.end());
  std::vector<fs::path> out;
  for (int i = first; i <= last && i <= static_cast<int>(all.size()); ++i)
    out.push_back(all[static_cast<std::size_t>(i - 1)]);
  if (out.empty())
    throw std::runtime_error("no photos " + std::to_string(first) + ".." + std::to_string(last) +
                             " in " + (lfw10 / identity).string());
  return out;
}

WrittenVideo write_segment_video(const fs::path& path, const std::vector<IdentitySegment>& segments,
                                 const VideoSpec& spec) {
  cv::VideoWriter writer = open_writer(path, spec);
  WrittenVideo out{path, 0, spec.fps, {}};
  const int per_segment = static_cast<int>(std::lround(spec.segment_seconds * spec.fps));
  for (const IdentitySegment& seg : segments) {
    out.segment_start.push_back(out.frames);
    std::vector<cv::Mat> photos;
    for (const auto& p : seg.photos) photos.push_back(load(p));
    for (int i = 0; i < per_segment; ++i) {
      const cv::Mat& photo = photos[static_cast<std::size_t>(i) * photos.size() / per_segment];
      cv::Mat canvas(spec.size, CV_8UC3, cv::Scalar(60, 60, 60));
      // A slow drift (a few px per frame) so that boxes really move between frames.
      const double phase = 2 * M_PI * i / per_segment;
      const cv::Point2d centre(spec.size.width / 2.0 + 20 * std::sin(phase),
                               spec.size.height / 2.0 + 10 * std::cos(phase));
      paste(canvas, photo, spec.photo_scale, centre);
      writer.write(canvas);
      ++out.frames;
    }
  }
  out.segment_start.push_back(out.frames);
  return out;
}

WrittenVideo write_grid_sets_video(const fs::path& path,
                                   const std::vector<std::vector<fs::path>>& sets,
                                   double seconds_per_set, const VideoSpec& spec) {
  cv::VideoWriter writer = open_writer(path, spec);
  WrittenVideo out{path, 0, spec.fps, {}};
  const int frames = static_cast<int>(std::lround(seconds_per_set * spec.fps));
  for (const auto& faces : sets) {
    out.segment_start.push_back(out.frames);
    std::vector<cv::Mat> photos;
    for (const auto& p : faces) photos.push_back(load(p));
    const int cols = photos.size() > 1 ? 2 : 1;
    const int rows = static_cast<int>((photos.size() + cols - 1) / cols);
    const double cell_w = static_cast<double>(spec.size.width) / cols;
    const double cell_h = static_cast<double>(spec.size.height) / rows;
    // One face: the segment video's scale; several: fill each cell.
    const double scale =
        photos.size() > 1 ? std::min(cell_w, cell_h) / 250.0 * 0.95 : spec.photo_scale;
    for (int i = 0; i < frames; ++i) {
      cv::Mat canvas(spec.size, CV_8UC3, cv::Scalar(60, 60, 60));
      const double phase = 2 * M_PI * i / std::max(frames, 1);
      for (std::size_t k = 0; k < photos.size(); ++k) {
        const int c = static_cast<int>(k) % cols, r = static_cast<int>(k) / cols;
        const cv::Point2d centre((c + 0.5) * cell_w + 6 * std::sin(phase + static_cast<double>(k)),
                                 (r + 0.5) * cell_h + 4 * std::cos(phase + static_cast<double>(k)));
        paste(canvas, photos[k], scale, centre);
      }
      writer.write(canvas);
      ++out.frames;
    }
  }
  out.segment_start.push_back(out.frames);
  return out;
}

WrittenVideo write_grid_video(const fs::path& path, const std::vector<fs::path>& faces,
                              double seconds, const VideoSpec& spec) {
  return write_grid_sets_video(path, {faces}, seconds, spec);
}

WrittenVideo write_pan_video(const fs::path& path, const fs::path& photo, double seconds,
                             double window_fraction, const VideoSpec& spec) {
  cv::VideoWriter writer = open_writer(path, spec);
  WrittenVideo out{path, 0, spec.fps, {0}};
  const cv::Mat img = load(photo);
  // Scale so that the window covers `window_fraction` of the photo's width.
  const double scale = spec.size.width / (img.cols * window_fraction);
  cv::Mat big;
  cv::resize(img, big, {}, scale, scale, cv::INTER_LINEAR);
  if (big.rows < spec.size.height) {
    cv::Mat padded(spec.size.height, big.cols, CV_8UC3, cv::Scalar(60, 60, 60));
    big.copyTo(padded(cv::Rect(0, (spec.size.height - big.rows) / 2, big.cols, big.rows)));
    big = padded;
  }
  const int frames = static_cast<int>(std::lround(seconds * spec.fps));
  const int travel = big.cols - spec.size.width;
  const int y = (big.rows - spec.size.height) / 2;
  for (int i = 0; i < frames; ++i) {
    const int x = frames > 1 ? travel * i / (frames - 1) : 0;
    cv::Mat window = big(cv::Rect(x, y, spec.size.width, spec.size.height)).clone();
    writer.write(window);
    ++out.frames;
  }
  out.segment_start.push_back(out.frames);
  return out;
}

}  // namespace lookalike::test

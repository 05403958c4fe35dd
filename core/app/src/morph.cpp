#include "lookalike/app/morph.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <stdexcept>

#include "lookalike/engine/aligner.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/file_util.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

// A private temporary file, removed when it goes out of scope (written, failed or cancelled).
class TempFile {
 public:
  explicit TempFile(const std::string& extension) {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() / (".lookalike-morph-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + extension);
  }
  ~TempFile() {
    std::error_code ignored;
    fs::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

int video_fourcc(const std::string& extension) {
  if (extension == ".mp4") return cv::VideoWriter::fourcc('m', 'p', '4', 'v');
  if (extension == ".avi") return cv::VideoWriter::fourcc('M', 'J', 'P', 'G');
  return 0;
}

// Person -> celebrity -> person, one frame per step of 1 / n.
double there_and_back(int i, int n) {
  return 1.0 - std::abs(i - n) / static_cast<double>(n);
}

void add_border_points(std::vector<cv::Point2f>& points, int side) {
  const float e = static_cast<float>(side - 1), h = e / 2;
  for (const cv::Point2f p :
       {cv::Point2f{0, 0}, {h, 0}, {e, 0}, {e, h}, {e, e}, {h, e}, {0, e}, {0, h}})
    points.push_back(p);
}

// The triangle `dst` of frame t: triangle `a` of `from` and `b` of `to`, each warped by its
// affine map onto `dst`, blended (1 - t) : t, copied into `out` inside the triangle.
void draw_triangle(const cv::Mat& from, const cv::Mat& to, const std::array<cv::Point2f, 3>& a,
                   const std::array<cv::Point2f, 3>& b, const std::array<cv::Point2f, 3>& dst,
                   double t, cv::Mat& out) {
  const cv::Rect r =
      cv::boundingRect(std::vector<cv::Point2f>(dst.begin(), dst.end())) & cv::Rect({}, out.size());
  if (r.empty()) return;
  std::array<cv::Point2f, 3> local;
  std::array<cv::Point, 3> corners;
  for (int k = 0; k < 3; ++k) {
    local[k] = dst[k] - cv::Point2f(static_cast<float>(r.x), static_cast<float>(r.y));
    corners[k] = cv::Point(cvRound(local[k].x), cvRound(local[k].y));
  }
  cv::Mat pa, pb, blend;
  cv::warpAffine(from, pa, cv::getAffineTransform(a.data(), local.data()), r.size(),
                 cv::INTER_LINEAR, cv::BORDER_REFLECT_101);
  cv::warpAffine(to, pb, cv::getAffineTransform(b.data(), local.data()), r.size(), cv::INTER_LINEAR,
                 cv::BORDER_REFLECT_101);
  cv::addWeighted(pa, 1 - t, pb, t, 0, blend);
  cv::Mat mask = cv::Mat::zeros(r.size(), CV_8U);
  cv::fillConvexPoly(mask, corners.data(), 3, cv::Scalar(255));
  cv::Mat region = out(r);
  blend.copyTo(region, mask);  // a pixel on a shared edge takes the later triangle's value
}

}  // namespace

MorphFace morph_face(FaceEngine& engine, const cv::Mat& chip, int side) {
  cv::Mat scaled;
  cv::resize(chip, scaled, {side, side}, 0, 0, chip.cols < side ? cv::INTER_CUBIC : cv::INTER_AREA);
  // In a chip the face fills the middle (dlib's padding 0.25): fit the landmarks inside it.
  const int m = side / 8;
  const Landmarks l = engine.landmarks(scaled, cv::Rect(m, m, side - 2 * m, side - 2 * m));
  MorphFace face;
  face.image = scaled;
  for (const auto& p : l)
    face.points.emplace_back(std::clamp(p.x, 0.f, side - 1.f), std::clamp(p.y, 0.f, side - 1.f));
  add_border_points(face.points, side);
  return face;
}

Morph morph_frame_face(FaceEngine& engine, const cv::Mat& frame,
                       const std::optional<Landmarks>& landmarks, const cv::Rect& box,
                       const cv::Mat& thumbnail, int side, bool mirrored) {
  cv::Mat chip = align_face(frame, landmarks ? *landmarks : engine.landmarks(frame, box));
  if (mirrored) cv::flip(chip, chip, 1);
  return Morph(morph_face(engine, chip, side), morph_face(engine, thumbnail, side));
}

Morph::Morph(MorphFace from, MorphFace to) : from_(std::move(from)), to_(std::move(to)) {
  if (from_.image.size() != to_.image.size() || from_.points.size() != to_.points.size() ||
      from_.image.empty())
    throw std::invalid_argument("morph: the two faces differ in size or number of points");
  const std::vector<cv::Point2f> mean = shape(0.5);
  cv::Subdiv2D subdiv(cv::Rect(0, 0, from_.image.cols, from_.image.rows));
  for (const auto& p : mean) subdiv.insert(p);
  std::vector<cv::Vec6f> list;
  subdiv.getTriangleList(list);
  auto index_of = [&](float x, float y) {
    int best = -1;
    float best_d = 1.f;  // within a pixel of an input point: Subdiv2D returns the inputs
    for (std::size_t i = 0; i < mean.size(); ++i) {
      const float d = std::hypot(mean[i].x - x, mean[i].y - y);
      if (d < best_d) best_d = d, best = static_cast<int>(i);
    }
    return best;
  };
  for (const auto& t : list) {
    const int a = index_of(t[0], t[1]), b = index_of(t[2], t[3]), c = index_of(t[4], t[5]);
    if (a >= 0 && b >= 0 && c >= 0) triangles_.emplace_back(a, b, c);  // else: a virtual vertex
  }
}

std::vector<cv::Point2f> Morph::shape(double t) const {
  std::vector<cv::Point2f> out(from_.points.size());
  const auto w = static_cast<float>(t);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = from_.points[i] * (1 - w) + to_.points[i] * w;
  return out;
}

cv::Mat Morph::frame(double t) const {
  t = std::clamp(t, 0.0, 1.0);
  const std::vector<cv::Point2f> target = shape(t);
  cv::Mat out = from_.image.clone();  // every pixel is overwritten: the triangles tile it
  for (const auto& tri : triangles_) {
    std::array<cv::Point2f, 3> a, b, d;
    for (int k = 0; k < 3; ++k) {
      const auto i = static_cast<std::size_t>(tri[k]);
      a[k] = from_.points[i];
      b[k] = to_.points[i];
      d[k] = target[i];
    }
    draw_triangle(from_.image, to_.image, a, b, d, t, out);
  }
  return out;
}

std::optional<MorphWritten> write_morph(const Morph& morph, const fs::path& out,
                                        const MorphWriteOptions& options, std::stop_token stop,
                                        const std::function<void(double)>& progress) {
  auto report = [&](double f) {
    if (progress) progress(f);
  };
  const std::string ext = out.extension().string();
  const bool strip = ext == ".png";
  if (!strip && video_fourcc(ext) == 0)
    throw std::runtime_error(out.string() + ": write a .png (strip), .mp4 or .avi (video)");
  MorphWritten written{out, 0, morph.size(), {}};
  if (!strip) {
    const int n =
        std::max(1, static_cast<int>(std::lround(options.fps * options.seconds_each_way)));
    TempFile tmp(ext);
    cv::VideoWriter writer(tmp.path().string(), video_fourcc(ext), options.fps, morph.size());
    if (writer.isOpened()) {
      for (int i = 0; i <= 2 * n; ++i) {
        if (stop.stop_requested()) return std::nullopt;
        writer.write(morph.frame(there_and_back(i, n)));
        report(0.9 * i / (2.0 * n));
      }
      writer.release();
      // VideoWriter reports no write errors: read the file back before it replaces anything.
      cv::VideoCapture check(tmp.path().string());
      const int frames =
          check.isOpened() ? static_cast<int>(check.get(cv::CAP_PROP_FRAME_COUNT)) : 0;
      if (frames != 2 * n + 1)
        throw std::runtime_error(out.string() + ": the video encoder wrote " +
                                 std::to_string(frames) + " of " + std::to_string(2 * n + 1) +
                                 " frames (is " + tmp.path().parent_path().string() + " full?)");
      if (out.has_parent_path()) fs::create_directories(out.parent_path());
      write_file_atomically(out, read_file_bytes(tmp.path()));
      written.frames = frames;
      report(1.0);
      return written;
    }
    if (!options.strip_if_no_video)
      throw std::runtime_error(out.string() + ": no video encoder for " + ext + " here");
    written.path.replace_extension(".png");
    written.note = "no video encoder for " + ext + " here: wrote a PNG strip";
  }
  const int steps = std::max(2, options.steps);
  std::vector<cv::Mat> frames;
  for (int i = 0; i < steps; ++i) {
    if (stop.stop_requested()) return std::nullopt;
    frames.push_back(morph.frame(i / static_cast<double>(steps - 1)));
    report(0.9 * (i + 1) / steps);
  }
  cv::Mat pixels;
  cv::hconcat(frames, pixels);
  write_png_atomically(written.path, pixels);
  written.frames = steps;
  report(1.0);
  return written;
}

}  // namespace lookalike::app

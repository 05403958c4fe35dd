#include "lookalike/app/morph.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace lookalike::app {
namespace {

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

}  // namespace lookalike::app

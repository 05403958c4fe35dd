#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "lookalike/engine/blazeface.hpp"

namespace lookalike::blazeface {
namespace {

// MediaPipe's BlazeFace graphs: feature maps at 1/8 and 1/16 of a 128 input (1/16 and 1/32 of
// 256), i.e. 16x16 and 8x8 cells whatever the input size; 2 and 6 anchors per cell.
struct Layer {
  int cells;
  int anchors_per_cell;
};
constexpr std::array<Layer, 2> kLayers{{{16, 2}, {8, 6}}};

// MediaPipe clips raw scores to +-100 before the sigmoid.
constexpr float kScoreClip = 100.f;

}  // namespace

std::vector<Anchor> make_anchors() {
  std::vector<Anchor> anchors;
  for (const Layer& layer : kLayers)
    for (int y = 0; y < layer.cells; ++y)
      for (int x = 0; x < layer.cells; ++x)
        for (int n = 0; n < layer.anchors_per_cell; ++n)
          anchors.push_back({(x + 0.5f) / layer.cells, (y + 0.5f) / layer.cells});
  return anchors;
}

std::vector<Candidate> decode(std::span<const float> logits, std::span<const float> regressors,
                              int input_size, float min_score) {
  static const std::vector<Anchor> anchors = make_anchors();
  if (logits.size() != anchors.size() || regressors.size() != anchors.size() * kRegressorValues)
    throw std::invalid_argument("blazeface::decode: expected " + std::to_string(anchors.size()) +
                                " scores and " + std::to_string(anchors.size() * kRegressorValues) +
                                " regressor values, got " + std::to_string(logits.size()) +
                                " and " + std::to_string(regressors.size()));
  const float unit = 1.f / static_cast<float>(input_size);
  std::vector<Candidate> out;
  for (std::size_t i = 0; i < anchors.size(); ++i) {
    const float logit = std::clamp(logits[i], -kScoreClip, kScoreClip);
    const float score = 1.f / (1.f + std::exp(-logit));
    if (score < min_score) continue;
    const float* r = regressors.data() + i * kRegressorValues;
    const Anchor& a = anchors[i];
    const float cx = a.x + r[0] * unit, cy = a.y + r[1] * unit;
    const float w = r[2] * unit, h = r[3] * unit;
    Candidate c{{cx - w / 2, cy - h / 2, w, h}, score, {}};
    for (int k = 0; k < kKeypointCount; ++k)
      c.keypoints[k] = {a.x + r[4 + 2 * k] * unit, a.y + r[5 + 2 * k] * unit};
    out.push_back(c);
  }
  return out;
}

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

std::vector<Candidate> weighted_nms(std::vector<Candidate> candidates, float min_iou) {
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  std::vector<Candidate> out;
  std::vector<bool> used(candidates.size(), false);
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (used[i]) continue;
    const Candidate& best = candidates[i];
    int members = 0;
    float total = 0, x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    std::array<cv::Point2f, kKeypointCount> keypoints{};
    for (std::size_t j = i; j < candidates.size(); ++j) {
      if (used[j] || (j != i && iou(best.box, candidates[j].box) <= min_iou)) continue;
      used[j] = true;
      ++members;
      const Candidate& c = candidates[j];
      total += c.score;
      x0 += c.score * c.box.x, y0 += c.score * c.box.y;
      x1 += c.score * c.box.br().x, y1 += c.score * c.box.br().y;
      for (int k = 0; k < kKeypointCount; ++k) keypoints[k] += c.score * c.keypoints[k];
    }
    if (members == 1 || total <= 0) {  // alone (or every score underflowed): kept as it is
      out.push_back(best);
      continue;
    }
    Candidate merged{
        {x0 / total, y0 / total, (x1 - x0) / total, (y1 - y0) / total}, best.score, {}};
    for (int k = 0; k < kKeypointCount; ++k) merged.keypoints[k] = keypoints[k] / total;
    out.push_back(merged);
  }
  return out;
}

cv::Rect2f calibrated(const cv::Rect2f& box, const BoxCalibration& calibration) {
  const float side_w = box.width * calibration.scale, side_h = box.height * calibration.scale;
  const float cx = box.x + box.width * (0.5f + calibration.dx);
  const float cy = box.y + box.height * (0.5f + calibration.dy);
  return {cx - side_w / 2, cy - side_h / 2, side_w, side_h};
}

cv::Rect2f landmark_frame(std::span<const cv::Point2f> landmarks) {
  if (landmarks.empty()) return {};
  cv::Point2f centre(0, 0);
  for (const cv::Point2f& p : landmarks) centre += p;
  centre *= 1.f / static_cast<float>(landmarks.size());
  double squares = 0;
  for (const cv::Point2f& p : landmarks) squares += (p - centre).dot(p - centre);
  const float side = 2.f * static_cast<float>(std::sqrt(squares / landmarks.size()));
  return {centre.x - side / 2, centre.y - side / 2, side, side};
}

int upright_turn(std::span<const cv::Point2f> keypoints) {
  if (keypoints.size() < kKeypointCount) return 0;
  cv::Point2f down = keypoints[3] - (keypoints[0] + keypoints[1]) * 0.5f;
  int best = 0;
  float best_down = down.y;
  for (int turn = 90; turn < 360; turn += 90) {
    down = {-down.y, down.x};  // the photo turned 90 degrees clockwise turns the vector so
    if (down.y > best_down) best = turn, best_down = down.y;
  }
  return best;
}

cv::Rect pixel_box(const cv::Rect2f& box) {
  return {cv::Point(static_cast<int>(std::lround(box.x)), static_cast<int>(std::lround(box.y))),
          cv::Point(static_cast<int>(std::lround(box.br().x)),
                    static_cast<int>(std::lround(box.br().y)))};
}

}  // namespace lookalike::blazeface

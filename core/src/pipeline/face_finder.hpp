// FaceFinder: the adaptive-speed detection step of a pipeline worker. Full-frame detection
// runs on a downscaled copy; between full detections only crops around known tracks are
// scanned (each crop scaled so its face is a comfortable size for the HOG detector).
//
// Contract: a FaceFinder uses the caller's FaceEngine and is used on that engine's thread
// only. Boxes come back in full-frame pixels, best first, de-duplicated.
#pragma once

#include <vector>

#include "lookalike/engine/engine.hpp"

namespace lookalike::detail {

struct FindRequest {
  bool full_frame = true;
  int detect_max_side = 640;            // longest side of the scanned full frame at 100 %
  int scale_percent = 100;              // adaptive degradation of detect_max_side
  std::vector<cv::Rect2f> track_boxes;  // scanned as crops when !full_frame
};

std::vector<Detection> find_faces(FaceEngine& engine, const cv::Mat& frame,
                                  const FindRequest& request);

}  // namespace lookalike::detail

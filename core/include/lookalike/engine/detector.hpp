// Face detectors behind one interface, so a DNN detector can be added later.
//
// Contract: a detector is NOT thread-safe (scanners keep scratch buffers); create one per
// thread. detect() takes a CV_8UC3 BGR or CV_8UC1 gray image of any size and returns boxes in
// that image's pixels, best first. It never throws on image content.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lookalike/engine/model_paths.hpp"
#include "lookalike/types.hpp"

namespace lookalike {

enum class DetectorKind {
  hog,   // dlib's frontal-face HOG + linear SVM (default)
  haar,  // OpenCV's Viola-Jones cascade from opencv-data
  // MediaPipe BlazeFace (human-models' TF.js graphs on oneDNN): the short-range 128x128 model
  // for live video (DetectorOptions::live_video), the full-range 256x256 one for photos and
  // group shots; the two others force one model.
  blazeface,
  blazeface_front,
  blazeface_back,
};

struct DetectorOptions {
  DetectorKind kind = DetectorKind::hog;
  // Pyramid-up steps before scanning (each doubles the side). dlib's HOG finds faces from
  // about 80 px; one step finds 40 px faces at 4x the cost.
  int upsample = 0;
  // Images whose longer side exceeds this are scanned downscaled (faces in big photos are
  // big); 0 disables. Boxes are reported in the original image's pixels.
  int max_scan_side = 1024;
  // Added to the HOG SVM threshold: negative finds more faces (and more false positives).
  double hog_adjust_threshold = 0.0;
  // Haar: smallest face side in pixels of the scanned image.
  int haar_min_face = 40;
  // BlazeFace: lowest face score kept (MediaPipe's 0.5).
  float blazeface_min_score = 0.5f;
  // BlazeFace: report the network's own boxes instead of the dlib-style calibrated ones (the
  // calibration program).
  bool blazeface_raw_boxes = false;
  // Set by the live pipeline for its workers: DetectorKind::blazeface then scans whole frames
  // with the full-range model (a group a few metres away: the short-range one misses faces
  // under ~1/4 of the frame) and crops around tracked faces with the short-range one (the face
  // fills the crop; 5x cheaper). Photos get the full-range model either way.
  bool live_video = false;
};

class FaceDetector {
 public:
  virtual ~FaceDetector() = default;
  virtual std::vector<Detection> detect(const cv::Mat& image) = 0;
  // The same on a crop known to hold one face filling much of it (the live pipeline's scan
  // around a track): a detector with a model for near faces uses it. Default: detect().
  virtual std::vector<Detection> detect_near(const cv::Mat& image) { return detect(image); }
  virtual std::string_view name() const = 0;
};

// Throws ModelError when the detector's model file (Haar cascade, BlazeFace graph) is missing
// or damaged.
std::unique_ptr<FaceDetector> make_detector(const DetectorOptions& options,
                                            const ModelPaths& paths = ModelPaths::defaults());

std::string_view to_string(DetectorKind kind);
DetectorKind detector_kind_from_string(std::string_view name);  // throws std::invalid_argument
// Every name detector_kind_from_string accepts, for CLI checks and menus.
const std::vector<std::string>& detector_names();

}  // namespace lookalike

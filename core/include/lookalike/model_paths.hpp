// Where the engine finds its model files.
//
// Contract: defaults() never throws; it only computes paths. verify() throws ModelError naming
// the first missing file and the command that provides it. Paths can be overridden with
// LOOKALIKE_MODEL_DIR (converted recognition weights) and LOOKALIKE_LANDMARKS_MODEL.
#pragma once

#include <filesystem>

namespace lookalike {

struct ModelPaths {
  // Converted ResNet-29 weights written by `models/fetch` (lookalike-convert).
  std::filesystem::path recognition_weights;
  // dlib's 68-point landmark model from Debian's libdlib-data.
  std::filesystem::path landmarks;
  // OpenCV's frontal-face Haar cascade from Debian's opencv-data (second detector).
  std::filesystem::path haar_cascade;

  static ModelPaths defaults();
  void verify_recognition() const;
  void verify_landmarks() const;
  void verify_haar() const;
};

// The folder `models/fetch` fills (git-ignored).
std::filesystem::path default_model_dir();

}  // namespace lookalike

// Where the engine finds its model files.
//
// Contract: defaults() never throws; it only computes paths. verify() throws ModelError naming
// the first missing file and the command that provides it. The recognition weights are looked
// up in model_search_dirs() order: LOOKALIKE_MODEL_DIR alone when set, else the user's data
// folder ($XDG_DATA_HOME/lookalike/models, filled by `lookalike-cli models fetch`), then the
// source tree's models/cache (development builds only). LOOKALIKE_LANDMARKS_MODEL overrides the
// landmark model.
#pragma once

#include <filesystem>
#include <vector>

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

// The development folder `models/fetch` fills (source tree's git-ignored models/cache, or
// LOOKALIKE_MODEL_DIR): the TF.js originals live there too.
std::filesystem::path default_model_dir();
// Where the recognition weights are searched, first match wins.
std::vector<std::filesystem::path> model_search_dirs();

}  // namespace lookalike

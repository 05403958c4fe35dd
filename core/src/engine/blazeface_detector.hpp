// The BlazeFace FaceDetector (DetectorKind::blazeface*), created by make_detector.
//
// Contract: loads its graph model at creation (ModelError naming the file and
// `lookalike-cli models fetch` when missing or damaged). detect() letterboxes the image into the
// network's square input, decodes, merges (weighted NMS) and returns dlib-style boxes (see
// blazeface::BoxCalibration) with the six keypoints, best first; any 8-bit image with 1, 3
// or 4 channels, any size; other depths yield no faces.
#pragma once

#include <filesystem>
#include <memory>

#include "lookalike/engine/detector.hpp"

namespace lookalike::detail {

// human-models' short-range (front) or full-range (back) graph, beside the recognition weights
// as `models fetch` puts it.
std::filesystem::path blazeface_model_file(const ModelPaths& paths, bool short_range);

std::unique_ptr<FaceDetector> make_blazeface_detector(const DetectorOptions& options,
                                                      const ModelPaths& paths);

}  // namespace lookalike::detail

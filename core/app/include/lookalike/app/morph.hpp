// Use case: the morph from a person's face to a celebrity's (photo mode's slider, `lookalike-cli
// morph`). Both faces come as aligned chips in the same canonical frame (the engine's 150 px
// chip; a gallery thumbnail is that chip, smaller), so their 68 landmarks correspond point by
// point. Method: 8 border points are added, the mean shape is triangulated once (Delaunay, with
// OpenCV's Subdiv2D), and each frame warps every triangle of both faces by its affine map onto
// the shape at t, then cross-dissolves.
//
// Contract: Morph is an immutable value (frame() is const and thread-safe); frame(0) is the
// person's chip and frame(1) the celebrity's, up to interpolation. morph_face() throws
// std::runtime_error when no face is found in the chip.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "lookalike/engine/engine.hpp"

namespace lookalike::app {

struct MorphFace {
  cv::Mat image;                    // side x side, BGR
  std::vector<cv::Point2f> points;  // 68 landmarks, then the 8 border points
};

// The landmarks of an aligned face chip, scaled to `side` pixels.
MorphFace morph_face(FaceEngine& engine, const cv::Mat& chip, int side = 256);

class Morph {
 public:
  Morph(MorphFace from, MorphFace to);  // the same side; throws std::invalid_argument otherwise
  cv::Mat frame(double t) const;        // t in [0, 1]
  const std::vector<cv::Vec3i>& triangles() const { return triangles_; }
  std::vector<cv::Point2f> shape(double t) const;  // the points at t

 private:
  MorphFace from_, to_;
  std::vector<cv::Vec3i> triangles_;  // indices into the points
};

}  // namespace lookalike::app

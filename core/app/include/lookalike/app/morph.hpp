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
//
// write_morph() is the one writer of morph files (`lookalike-cli morph -o`, the app's "save
// morph"): see its comment.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
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
  cv::Size size() const { return from_.image.size(); }
  const std::vector<cv::Vec3i>& triangles() const { return triangles_; }
  std::vector<cv::Point2f> shape(double t) const;  // the points at t

 private:
  MorphFace from_, to_;
  std::vector<cv::Vec3i> triangles_;  // indices into the points
};

// The morph of a face in a video frame into a celebrity's gallery thumbnail (the kiosk's
// result card): the face is aligned as the engine aligns it, from `landmarks` when the
// detector gave them, else from landmarks fitted in `box`; `mirrored` flips the person's chip
// as the display does (the celebrity is never flipped).
Morph morph_frame_face(FaceEngine& engine, const cv::Mat& frame,
                       const std::optional<Landmarks>& landmarks, const cv::Rect& box,
                       const cv::Mat& thumbnail, int side, bool mirrored);

struct MorphWriteOptions {
  int steps = 6;                  // frames of a PNG strip (>= 2)
  int fps = 25;                   // video
  double seconds_each_way = 2.0;  // video: person -> celebrity, then back
  // No video encoder for the asked format on this machine: write OUT.png (a strip) instead of
  // failing (the app; the CLI asks for exactly what it wrote).
  bool strip_if_no_video = false;
};

struct MorphWritten {
  std::filesystem::path path;  // the file written (OUT, or OUT.png after the fallback)
  int frames = 0;              // video frames, or frames side by side in the strip
  cv::Size frame_size;         // one frame
  std::string note;            // why the fallback was taken ("" otherwise)
};

// Writes `morph` to `out` by its extension: .png a strip of `steps` frames side by side, .mp4
// (mp4v) or .avi (MJPG) a video there and back (2 * fps * seconds_each_way + 1 frames). Atomic:
// a video is encoded into a private temporary file, read back and checked (VideoWriter reports
// no write errors), then copied with write_file_atomically, so a full disk or a cancel leaves
// the previous file and no temporary file. Parent folders are created. Returns nullopt when
// `stop` was requested (nothing written); throws std::runtime_error naming the file and the
// problem. `progress` (optional) gets 0..1 as frames are made.
std::optional<MorphWritten> write_morph(const Morph& morph, const std::filesystem::path& out,
                                        const MorphWriteOptions& options = {},
                                        std::stop_token stop = {},
                                        const std::function<void(double)>& progress = {});

}  // namespace lookalike::app

// Value types shared by every part of the engine.
//
// Contract: plain values, cheap to copy (except cv::Mat, which shares pixels by reference
// count: treat chips as immutable once produced). Coordinates are pixels of the image the
// face was found in.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <opencv2/core.hpp>
#include <vector>

namespace lookalike {

// The one clock of capture times, latencies and timeouts (monotonic).
using Clock = std::chrono::steady_clock;

// dlib's ResNet-29 face descriptor: 128 floats, trained so that two photos of the same
// person lie closer than 0.6 in euclidean distance.
inline constexpr std::size_t kEmbeddingDim = 128;
using Embedding = std::array<float, kEmbeddingDim>;

// dlib's "same person" margin for this network (dlib dnn_face_recognition_ex.cpp).
inline constexpr float kSamePersonDistance = 0.6f;

// Side of the aligned face chip the network consumes.
inline constexpr int kChipSize = 150;

inline constexpr std::size_t kLandmarkCount = 68;
using Landmarks = std::array<cv::Point2f, kLandmarkCount>;

struct Detection {
  cv::Rect box;       // in image pixels, may extend past the border
  float score = 0.f;  // detector-specific confidence, higher is more certain
  // BlazeFace only (empty for the others), image pixels: right eye, left eye, nose tip, mouth
  // centre, right ear, left ear (the person's right: the left side of an unmirrored photo).
  std::vector<cv::Point2f> keypoints;
};

// Everything the engine learns about one face in an image.
struct FaceResult {
  cv::Rect box;
  float score = 0.f;
  Landmarks landmarks{};
  cv::Mat chip;  // kChipSize x kChipSize, CV_8UC3 BGR, rotation-normalized
  Embedding embedding{};
  float quality = 0.f;  // 0..1: size, sharpness and frontalness combined (see quality.hpp)
  // Degrees clockwise the photo was turned before this face was found (0, 90, 180 or 270;
  // AnalyzeOptions::try_rotations). Box and landmarks are in the photo as given either way.
  int rotation = 0;
};

float euclidean_distance(const Embedding& a, const Embedding& b);
float cosine_similarity(const Embedding& a, const Embedding& b);

}  // namespace lookalike

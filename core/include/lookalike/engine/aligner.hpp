// 68-point landmarks and rotation-normalized face chips.
//
// Contract: LandmarkModel is immutable after load and its predict() is const, so one instance
// is shared read-only by all threads (it is ~100 MB). align_face() is a pure function.
#pragma once

#include <filesystem>
#include <memory>

#include "lookalike/types.hpp"

namespace lookalike {

class LandmarkModel {
 public:
  // Throws ModelError naming the file and the package that provides it.
  static std::shared_ptr<const LandmarkModel> load(const std::filesystem::path& path);
  ~LandmarkModel();

  // image: CV_8UC3 BGR or CV_8UC1. box may extend past the border.
  Landmarks predict(const cv::Mat& image, const cv::Rect& box) const;

 private:
  LandmarkModel();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// dlib's get_face_chip_details(shape, 150, 0.25) + extract_image_chip: a kChipSize square
// BGR chip, eyes level, face centred with 25 % padding.
cv::Mat align_face(const cv::Mat& bgr, const Landmarks& landmarks);

// Whether two landmark fits are one face: the centre of either's bounding box lies inside the
// other's. On tight crops BlazeFace can report a face twice (two scales too far apart for its
// NMS) or add a weak box on part of it (mouth and chin); two real faces never overlap that far.
bool same_face(const Landmarks& a, const Landmarks& b);

// 0..1 score for how usable a face is for recognition: larger, sharper and more frontal
// faces score higher. Used to weight track embeddings and pick gallery thumbnails.
float face_quality(const cv::Mat& chip, const Landmarks& landmarks);

}  // namespace lookalike

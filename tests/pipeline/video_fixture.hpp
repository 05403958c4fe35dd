// Test videos made from the shared photos with cv::VideoWriter (MJPG .avi): identity
// segments (one person after another), a 2x2 grid of faces, and a pan across a group photo.
//
// Contract: plain functions; each writes one file and returns what it wrote. Throws
// std::runtime_error naming the file when OpenCV cannot write it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lookalike::test {

struct VideoSpec {
  cv::Size size{480, 480};
  double fps = 30.0;
  double segment_seconds = 2.0;
  double photo_scale = 1.6;  // LFW photos are 250 px with ~110 px faces: ~175 px faces
};

struct IdentitySegment {
  std::string identity;
  std::vector<std::filesystem::path> photos;  // shown in turn, equal shares of the segment
};

struct WrittenVideo {
  std::filesystem::path path;
  int frames = 0;
  double fps = 0;
  std::vector<int> segment_start;  // first frame of each segment (+ one past the end)
};

// Each segment shows its photos (centred, gently drifting) for spec.segment_seconds.
WrittenVideo write_segment_video(const std::filesystem::path& path,
                                 const std::vector<IdentitySegment>& segments,
                                 const VideoSpec& spec = {});

// `faces` photos tiled in a grid (2x2 for four), each drifting a little, for `seconds`.
WrittenVideo write_grid_video(const std::filesystem::path& path,
                              const std::vector<std::filesystem::path>& faces, double seconds,
                              const VideoSpec& spec = {});

// Like write_grid_video, but the grid's faces change every `seconds_per_set` (one face set
// per entry of `sets`): every change starts new tracks (face-to-name benchmarks).
WrittenVideo write_grid_sets_video(const std::filesystem::path& path,
                                   const std::vector<std::vector<std::filesystem::path>>& sets,
                                   double seconds_per_set, const VideoSpec& spec = {});

// A window of spec.size sliding slowly across `photo` (scaled so the window covers
// `window_fraction` of its width) for `seconds`.
WrittenVideo write_pan_video(const std::filesystem::path& path, const std::filesystem::path& photo,
                             double seconds, double window_fraction, const VideoSpec& spec = {});

// The `first`..`last` photos (1-based positions in name order; LFW numbers have gaps) of an
// lfw10 identity folder.
std::vector<std::filesystem::path> lfw_photos(const std::filesystem::path& lfw10,
                                              const std::string& identity, int first, int last);

}  // namespace lookalike::test

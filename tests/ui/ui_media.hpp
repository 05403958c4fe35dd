// Test media for the desktop app's tests and benchmark: videos composed from the shared face
// photos (written with cv::VideoWriter, MJPG .avi) and a small gallery built from shared
// photos with core's gallery builder.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lookalike::test {

struct FaceVideo {
  std::filesystem::path path;
  cv::Size size;
  double fps = 30;
  std::vector<cv::Rect> faces;  // where each photo was placed (every frame)
  cv::Mat first_frame;          // the frame as written (before compression)
};

// A video of `photos` placed side by side (evenly spaced) on a neutral background, each
// scaled to `photo_side` px, shown for `frames` frames with a 1 px horizontal drift every
// few frames so every frame differs.
FaceVideo write_face_video(const std::filesystem::path& path,
                           const std::vector<std::filesystem::path>& photos, int frames,
                           cv::Size size = {1280, 720}, int photo_side = 300, double fps = 30);

// Gallery from the first `per_identity` photos of every identity folder under
// shared/data/faces/<dataset> (built once per path; reused if it already exists).
std::filesystem::path build_test_gallery(const std::filesystem::path& output,
                                         const std::string& dataset, int per_identity);

// `command` prefixed with xvfb-run on a fresh display with a 1280x800 screen.
std::string under_xvfb(const std::string& command);

}  // namespace lookalike::test

// Head pose (yaw, pitch) from dlib's 68 landmarks, and the five pose bins the gallery keeps a
// thumbnail for (frontal, left, right, up, down).
//
// Method: OpenCV's solvePnP fits a generic 3-D face (six points: nose tip, chin, outer eye
// corners, mouth corners) to the landmarks, seen by a pinhole camera whose focal length is the
// image width and whose centre is the image centre (no calibration exists for arbitrary
// photos). Yaw and pitch are the angles between the face's forward direction and the line of
// sight from the camera (so a face near a group photo's edge that looks into the lens is
// frontal).
// Signs are those of the picture, not of the person: yaw > 0 when the face turns toward the
// image's right side, pitch > 0 when it looks up. Mirroring a photo flips the yaw's sign.
//
// Contract: pure functions, thread-safe. estimate_head_pose() never throws on landmark content;
// it returns nullopt when the fit fails or gives non-finite angles (degenerate landmarks).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "lookalike/types.hpp"

namespace lookalike {

struct HeadPose {
  float yaw = 0.f;    // degrees, > 0: turned toward the image's right
  float pitch = 0.f;  // degrees, > 0: looking up
};

enum class PoseBin : std::uint8_t { frontal = 0, left = 1, right = 2, up = 3, down = 4 };
inline constexpr std::size_t kPoseBinCount = 5;

// Bin thresholds, in degrees. Within them a face is frontal: dlib's landmarks and the generic
// model scatter faces that look into the camera over about +-10 degrees of yaw, and pitch
// more (a smile lifts the mouth corners, which reads as looking down: the smiling BBT cast of
// the shared group photos comes out at -15 to -19 degrees). Outside, the axis that leaves its
// threshold by the larger factor decides (a face turned 40 degrees and tilted 15 is "left",
// not "up").
inline constexpr float kFrontalYaw = 15.f;
inline constexpr float kFrontalPitch = 20.f;
// The pose each bin stands for: the gallery keeps, per bin, the photo nearest this centre.
inline constexpr std::array<HeadPose, kPoseBinCount> kPoseBinCentres = {
    {{0.f, 0.f}, {-30.f, 0.f}, {30.f, 0.f}, {0.f, 30.f}, {0.f, -30.f}}};

std::optional<HeadPose> estimate_head_pose(const Landmarks& landmarks, cv::Size image_size);

PoseBin pose_bin(const HeadPose& pose);
const HeadPose& bin_centre(PoseBin bin);
// Distance between two poses in degrees (yaw and pitch weighted equally).
float pose_distance(const HeadPose& a, const HeadPose& b);

std::string_view to_string(PoseBin bin);  // "frontal", "left", "right", "up", "down"

}  // namespace lookalike

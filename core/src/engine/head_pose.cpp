// Head pose from landmarks: OpenCV solvePnP on a generic six-point face (see head_pose.hpp).
#include "lookalike/engine/head_pose.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/calib3d.hpp>
#include <vector>

namespace lookalike {
namespace {

// dlib's 68-point indices of the six fitted points (iBUG 300-W markup).
constexpr int kNoseTip = 30, kChin = 8, kImageLeftEyeCorner = 36, kImageRightEyeCorner = 45,
              kImageLeftMouthCorner = 48, kImageRightMouthCorner = 54;

// The generic face of Satya Mallick's "Head Pose Estimation using OpenCV and Dlib"
// (LearnOpenCV, 2016), in arbitrary units with the nose tip at the origin, here in the camera's
// axes (x right, y down, z away from the viewer) so that a face looking into the camera has
// the identity rotation.
const std::vector<cv::Point3d>& model_points() {
  static const std::vector<cv::Point3d> points = {
      {0.0, 0.0, 0.0},          // nose tip
      {0.0, 330.0, 65.0},       // chin
      {-225.0, -170.0, 135.0},  // outer corner of the eye on the image's left
      {225.0, -170.0, 135.0},   // outer corner of the eye on the image's right
      {-150.0, 150.0, 125.0},   // mouth corner on the image's left
      {150.0, 150.0, 125.0},    // mouth corner on the image's right
  };
  return points;
}

constexpr double kDegreesPerRadian = 180.0 / CV_PI;

}  // namespace

std::optional<HeadPose> estimate_head_pose(const Landmarks& landmarks, cv::Size image_size) {
  if (image_size.width <= 0 || image_size.height <= 0) return std::nullopt;
  std::vector<cv::Point2d> image_points;
  for (int i : {kNoseTip, kChin, kImageLeftEyeCorner, kImageRightEyeCorner, kImageLeftMouthCorner,
                kImageRightMouthCorner}) {
    const cv::Point2f& p = landmarks[static_cast<std::size_t>(i)];
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return std::nullopt;
    image_points.emplace_back(p.x, p.y);
  }
  const double focal = image_size.width;
  const cv::Matx33d camera(focal, 0, image_size.width / 2.0, 0, focal, image_size.height / 2.0, 0,
                           0, 1);
  // Start the fit from a face looking into the camera at the distance its eye span implies:
  // six points leave solvePnP's own start (a DLT) prone to the mirrored "flipped" solution on
  // strongly turned faces, and Levenberg-Marquardt from a frontal start avoids it.
  const cv::Point2d& nose = image_points[0];
  const double eye_span = cv::norm(image_points[3] - image_points[2]);
  const double model_eye_span = model_points()[3].x - model_points()[2].x;
  const double depth = focal * model_eye_span / std::max(eye_span, 1.0);
  cv::Vec3d rvec(0, 0, 0);
  cv::Vec3d tvec((nose.x - image_size.width / 2.0) * depth / focal,
                 (nose.y - image_size.height / 2.0) * depth / focal, depth);
  try {
    if (!cv::solvePnP(model_points(), image_points, camera, cv::noArray(), rvec, tvec, true,
                      cv::SOLVEPNP_ITERATIVE))
      return std::nullopt;
  } catch (const cv::Exception&) {
    return std::nullopt;  // degenerate points (all on one line, ...)
  }
  cv::Matx33d rotation;
  cv::Rodrigues(rvec, rotation);
  // The face's forward direction (toward the viewer, -z in the model) in camera axes, measured
  // against the line of sight rather than the optical axis: a face off the image centre that
  // looks into the lens is frontal (group photos put faces near the edges).
  cv::Vec3d forward(-rotation(0, 2), -rotation(1, 2), -rotation(2, 2));
  const cv::Vec3d sight = cv::normalize(tvec);  // camera -> face
  const cv::Vec3d axis = sight.cross(cv::Vec3d(0, 0, 1));
  const double sine = cv::norm(axis);
  if (sine > 1e-9) {
    cv::Matx33d to_axis;  // turns the line of sight onto the optical axis
    cv::Rodrigues(axis * (std::asin(std::min(1.0, sine)) / sine), to_axis);
    forward = to_axis * forward;
  }
  const double fx = forward[0], fy = forward[1], fz = forward[2];
  const double toward_camera = -fz;
  HeadPose pose;
  pose.yaw = static_cast<float>(std::atan2(fx, toward_camera) * kDegreesPerRadian);
  pose.pitch =
      static_cast<float>(std::atan2(-fy, std::hypot(fx, toward_camera)) * kDegreesPerRadian);
  if (!std::isfinite(pose.yaw) || !std::isfinite(pose.pitch)) return std::nullopt;
  return pose;
}

PoseBin pose_bin(const HeadPose& pose) {
  const float yaw = std::abs(pose.yaw) / kFrontalYaw;
  const float pitch = std::abs(pose.pitch) / kFrontalPitch;
  if (yaw <= 1.f && pitch <= 1.f) return PoseBin::frontal;
  if (yaw >= pitch) return pose.yaw < 0 ? PoseBin::left : PoseBin::right;
  return pose.pitch > 0 ? PoseBin::up : PoseBin::down;
}

const HeadPose& bin_centre(PoseBin bin) {
  return kPoseBinCentres[static_cast<std::size_t>(bin) % kPoseBinCount];
}

float pose_distance(const HeadPose& a, const HeadPose& b) {
  return std::hypot(a.yaw - b.yaw, a.pitch - b.pitch);
}

std::string_view to_string(PoseBin bin) {
  switch (bin) {
    case PoseBin::frontal:
      return "frontal";
    case PoseBin::left:
      return "left";
    case PoseBin::right:
      return "right";
    case PoseBin::up:
      return "up";
    case PoseBin::down:
      return "down";
  }
  return "frontal";
}

}  // namespace lookalike

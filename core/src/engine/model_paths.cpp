#include "lookalike/engine/model_paths.hpp"
#include "lookalike/build_config.hpp"

#include <cstdlib>

#include "lookalike/app_paths.hpp"
#include "lookalike/errors.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {
fs::path env_or(const char* name, const fs::path& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? fs::path(value) : fallback;
}
constexpr const char* kRecognitionFile = "face_recognition_resnet29.lkw";
}  // namespace

fs::path default_model_dir() {
  return env_or("LOOKALIKE_MODEL_DIR", fs::path(LOOKALIKE_SOURCE_DIR) / "models" / "cache");
}

std::vector<fs::path> model_search_dirs() {
  if (const char* dir = std::getenv("LOOKALIKE_MODEL_DIR"); dir && *dir) return {fs::path(dir)};
  std::vector<fs::path> dirs{user_model_dir()};
  if (!running_installed()) dirs.push_back(fs::path(LOOKALIKE_SOURCE_DIR) / "models" / "cache");
  return dirs;
}

ModelPaths ModelPaths::defaults() {
  ModelPaths paths;
  const auto dirs = model_search_dirs();
  paths.recognition_weights = dirs.front() / kRecognitionFile;  // where a fetch would put it
  std::error_code ec;
  for (const auto& dir : dirs)
    if (fs::is_regular_file(dir / kRecognitionFile, ec)) {
      paths.recognition_weights = dir / kRecognitionFile;
      break;
    }
  paths.landmarks =
      env_or("LOOKALIKE_LANDMARKS_MODEL", "/usr/share/dlib/shape_predictor_68_face_landmarks.dat");
  paths.haar_cascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";
  return paths;
}

void ModelPaths::verify_recognition() const {
  if (!fs::is_regular_file(recognition_weights))
    throw ModelError(recognition_weights.string() +
                     ": face recognition weights not found; run `lookalike-cli models fetch` "
                     "(downloads @vladmandic/face-api@1.7.15 with npm, verifies and converts it)");
}

void ModelPaths::verify_landmarks() const {
  if (!fs::is_regular_file(landmarks))
    throw ModelError(landmarks.string() +
                     ": 68-point landmark model not found; install it with "
                     "`apt-get install libdlib-data` (or set LOOKALIKE_LANDMARKS_MODEL)");
}

void ModelPaths::verify_haar() const {
  if (!fs::is_regular_file(haar_cascade))
    throw ModelError(haar_cascade.string() +
                     ": Haar cascade not found; install it with `apt-get install opencv-data`");
}

}  // namespace lookalike

// lookalike-calibrate-blazeface: fits blazeface::BoxCalibration, the move from BlazeFace's box
// to the box dlib's 68-point predictor was trained on (HOG's), on LFW View 1.
//
// Method: for every pairsDevTrain photo where HOG finds the central face and BlazeFace finds a
// box overlapping it, keep (BlazeFace box, HOG box, HOG's 68 landmarks). (1) Start from the
// medians of the per-photo centre offsets and side ratio. (2) Refine on a grid around them,
// minimising the mean landmark error against the HOG path (landmarks fitted in the calibrated
// box vs landmarks fitted in HOG's box, in inter-ocular distances). Reports that error for the
// raw box, the median fit and the refined fit on pairsDevTrain and on the held-out pairsDevTest,
// for each model (front: short range, back: full range). Also the engine's two-pass fit: the
// keypoint box (blazeface::kKeypointsToDlib) and the box from the first pass's landmarks
// (kLandmarksToDlib), both median fits; --second-pass-only prints just those.
//
//   build/release/tests/engine/lookalike-calibrate-blazeface [--shared DIR] [--max N]
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <set>

#include "lfw_view1.hpp"
#include "lookalike/engine/blazeface.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/stats.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;

namespace {

using test::kLfwCentralFace;

struct Sample {
  cv::Mat image;
  cv::Rect2f blaze, hog;
  Landmarks hog_landmarks;
  std::vector<cv::Point2f> keypoints;
};

std::vector<std::string> photos_of(const fs::path& pairs_file, std::size_t max) {
  std::set<std::string> photos;
  for (const auto& p : test::read_lfw_pairs(pairs_file)) photos.insert(p.a), photos.insert(p.b);
  std::vector<std::string> out(photos.begin(), photos.end());
  if (out.size() > max) out.resize(max);
  return out;
}

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  return blazeface::iou(a, b);
}

std::vector<Sample> collect(const fs::path& root, const std::vector<std::string>& photos,
                            FaceEngine& hog, FaceEngine& blaze) {
  std::vector<Sample> out;
  for (const auto& name : photos) {
    cv::Mat image = load_image(root / name);
    const auto hog_found = hog.detect(image);
    auto central = std::find_if(hog_found.begin(), hog_found.end(), [](const Detection& d) {
      return iou(cv::Rect2f(d.box), cv::Rect2f(kLfwCentralFace)) > 0.4f;
    });
    if (central == hog_found.end()) continue;
    const auto blaze_found = blaze.detect(image);
    auto best = std::max_element(blaze_found.begin(), blaze_found.end(),
                                 [&](const Detection& a, const Detection& b) {
                                   return iou(cv::Rect2f(a.box), cv::Rect2f(central->box)) <
                                          iou(cv::Rect2f(b.box), cv::Rect2f(central->box));
                                 });
    if (best == blaze_found.end() || iou(cv::Rect2f(best->box), cv::Rect2f(central->box)) < 0.2f)
      continue;
    out.push_back({image, cv::Rect2f(best->box), cv::Rect2f(central->box),
                   hog.landmarks(image, central->box), best->keypoints});
  }
  return out;
}

// Mean over samples of the mean point distance, in inter-ocular distances (eye corners 36, 45).
double landmark_error(FaceEngine& engine, const std::vector<Sample>& samples,
                      const blazeface::BoxCalibration& c) {
  double total = 0;
  for (const Sample& s : samples) {
    const Landmarks l =
        engine.landmarks(s.image, blazeface::pixel_box(blazeface::calibrated(s.blaze, c)));
    const double eyes = cv::norm(s.hog_landmarks[36] - s.hog_landmarks[45]);
    double sum = 0;
    for (std::size_t i = 0; i < kLandmarkCount; ++i) sum += cv::norm(l[i] - s.hog_landmarks[i]);
    total += sum / kLandmarkCount / std::max(eyes, 1.0);
  }
  return samples.empty() ? 0 : total / samples.size();
}

blazeface::BoxCalibration median_fit(const std::vector<Sample>& samples) {
  std::vector<double> dx, dy, scale;
  for (const Sample& s : samples) {
    const cv::Rect2f b = s.blaze, r = s.hog;
    dx.push_back((r.x + r.width / 2 - b.x - b.width / 2) / b.width);
    dy.push_back((r.y + r.height / 2 - b.y - b.height / 2) / b.height);
    scale.push_back(std::sqrt(r.area() / b.area()));
  }
  return {static_cast<float>(*percentile(dx, 50)), static_cast<float>(*percentile(dy, 50)),
          static_cast<float>(*percentile(scale, 50))};
}

blazeface::BoxCalibration refine(FaceEngine& engine, const std::vector<Sample>& samples,
                                 blazeface::BoxCalibration start) {
  blazeface::BoxCalibration best = start;
  double best_error = landmark_error(engine, samples, best);
  // Coordinate descent with a shrinking step: cheaper than a full grid, same optimum here.
  for (float step : {0.04f, 0.02f, 0.01f, 0.005f}) {
    for (bool improved = true; improved;) {
      improved = false;
      for (int axis = 0; axis < 3; ++axis)
        for (float sign : {-1.f, 1.f}) {
          blazeface::BoxCalibration c = best;
          (axis == 0 ? c.dx : axis == 1 ? c.dy : c.scale) += sign * step;
          if (const double e = landmark_error(engine, samples, c); e < best_error)
            best_error = e, best = c, improved = true;
        }
    }
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Fits BlazeFace -> dlib box calibration on LFW View 1"};
  std::size_t max = 800;
  app.add_option("--max", max, "photos per split (first N in name order)");
  bool second_only = false;
  app.add_flag("--second-pass-only", second_only, "only fit the landmarks -> HOG box mapping");
  CLI11_PARSE(app, argc, argv);
  const auto shared = test::shared_dir();
  if (!shared) {
    std::fprintf(stderr, "shared test data not found (../shared or LOOKALIKE_SHARED_DIR)\n");
    return 1;
  }
  const fs::path root = *shared / "data/faces/lfw_view1";
  const auto train = photos_of(root / "pairsDevTrain.txt", max);
  const auto test_photos = photos_of(root / "pairsDevTest.txt", max);
  auto hog = FaceEngine::create();
  for (const DetectorKind kind : {DetectorKind::blazeface_front, DetectorKind::blazeface_back}) {
    EngineOptions options;
    options.detector.kind = kind;
    options.detector.blazeface_raw_boxes = true;
    auto blaze = FaceEngine::create(options);
    const auto fit_set = collect(root, train, *hog, *blaze);
    const auto held_out = collect(root, test_photos, *hog, *blaze);
    const blazeface::BoxCalibration raw{};
    const auto median = median_fit(fit_set);
    const auto refined = refine(*hog, fit_set, median);
    // A median fit of HOG's box against another frame of each photo (`frame_of`), printed with
    // its landmark error on both splits.
    const auto fit_frames = [&](const char* label, const auto& frame_of) {
      const auto with_frames = [&](std::vector<Sample> samples) {
        for (Sample& s : samples) s.blaze = frame_of(s);
        return samples;
      };
      const auto train_set = with_frames(fit_set), held_set = with_frames(held_out);
      const auto fit = median_fit(train_set);
      std::printf(
          "%s %s: median fit dx %.3f dy %.3f scale %.3f; landmark error train %.4f held-out "
          "%.4f\n",
          std::string(to_string(kind)).c_str(), label, fit.dx, fit.dy, fit.scale,
          landmark_error(*hog, train_set, fit), landmark_error(*hog, held_set, fit));
    };
    // First pass (blazeface::kKeypointsToDlib): the frame of the eyes, nose tip and mouth.
    fit_frames("keypoints", [](const Sample& s) {
      return blazeface::landmark_frame(std::span<const cv::Point2f>(s.keypoints).first(4));
    });
    // Second pass (blazeface::kLandmarksToDlib): the frame of the landmarks fitted in the
    // keypoint box, as the engine does.
    fit_frames("second pass", [&](const Sample& s) {
      return blazeface::landmark_frame(hog->landmarks(
          s.image, blazeface::pixel_box(blazeface::dlib_box_from_keypoints(s.keypoints))));
    });
    std::fflush(stdout);
    if (second_only) continue;
    std::printf("%s: %zu/%zu train photos, %zu/%zu held-out photos with both boxes\n",
                std::string(to_string(kind)).c_str(), fit_set.size(), train.size(), held_out.size(),
                test_photos.size());
    std::printf("| mapping | dx | dy | scale | landmark error train | held-out |\n");
    std::printf("|---|---:|---:|---:|---:|---:|\n");
    for (const auto& [label, c] : {std::pair{"raw box", raw}, std::pair{"median fit", median},
                                   std::pair{"refined", refined}})
      std::printf("| %s | %.3f | %.3f | %.3f | %.4f | %.4f |\n", label, c.dx, c.dy, c.scale,
                  landmark_error(*hog, fit_set, c), landmark_error(*hog, held_out, c));
  }
  return 0;
}

#include "lookalike/engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <tuple>

#include "chip_jitter.hpp"
#include "lookalike/engine/aligner.hpp"
#include "lookalike/engine/blazeface.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "model_cache.hpp"

namespace lookalike {
namespace {

using Ms = std::chrono::duration<double, std::milli>;

class Stopwatch {
 public:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double ms = Ms(now - start_).count();
    start_ = now;
    return ms;
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

double iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

ModelInfo describe_model(const EngineOptions& options, const ResNetWeights& weights) {
  ModelInfo info;
  info.id = "dlib-resnet29-v1";
  info.weights_sha256 = weights.source_sha256;
  info.detector = std::string(to_string(options.detector.kind));
  info.alignment = "dlib-68pt-chip150-pad0.25";
  return info;
}

// A BlazeFace score below this may be an upside-down face (upright faces score 0.85-0.97 on
// the shared photos; obama-480p upside down scores 0.60).
constexpr float kWeakBlazefaceFind = 0.75f;

// A point of the photo turned `degrees` clockwise, back in the photo of size `original`
// (pixel-index coordinates: cv::rotate maps pixel (x, y) to (h-1-y, x) for 90 degrees).
cv::Point2f unturned(cv::Point2f p, int degrees, cv::Size original) {
  const float w = static_cast<float>(original.width - 1),
              h = static_cast<float>(original.height - 1);
  if (degrees == 90) return {p.y, h - p.x};
  if (degrees == 180) return {w - p.x, h - p.y};
  return {w - p.y, p.x};  // 270
}

// Box and landmarks found in the turned photo, in the photo as given; the chip and embedding
// are already upright.
void untilt(FaceResult& face, int degrees, cv::Size original) {
  const cv::Rect& b = face.box;
  const cv::Point2f a = unturned(cv::Point2f(b.x, b.y), degrees, original);
  const cv::Point2f c =
      unturned(cv::Point2f(b.x + b.width - 1, b.y + b.height - 1), degrees, original);
  const int x0 = static_cast<int>(std::lround(std::min(a.x, c.x)));
  const int y0 = static_cast<int>(std::lround(std::min(a.y, c.y)));
  const int x1 = static_cast<int>(std::lround(std::max(a.x, c.x)));
  const int y1 = static_cast<int>(std::lround(std::max(a.y, c.y)));
  face.box = cv::Rect(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
  for (auto& p : face.landmarks) p = unturned(p, degrees, original);
  face.rotation = degrees;
}

// One batch per chip: the chip, its mirror (mirror_average) and its jittered copies, averaged
// as dlib's example averages its jitters (the mean, not renormalised).
std::vector<Embedding> embed_jittered(FaceEmbedder& embedder, std::span<const cv::Mat> chips,
                                      bool mirror_average, int jitter) {
  std::vector<Embedding> out;
  out.reserve(chips.size());
  for (const cv::Mat& chip : chips) {
    std::vector<cv::Mat> views{chip};
    if (mirror_average) cv::flip(chip, views.emplace_back(), 1);
    std::vector<cv::Mat> copies = detail::jittered_copies(chip, jitter);
    views.insert(views.end(), std::make_move_iterator(copies.begin()),
                 std::make_move_iterator(copies.end()));
    const std::vector<Embedding> all = embedder.embed(views);
    std::array<double, kEmbeddingDim> sum{};
    for (const Embedding& e : all)
      for (std::size_t k = 0; k < kEmbeddingDim; ++k) sum[k] += e[k];
    Embedding& mean = out.emplace_back();
    for (std::size_t k = 0; k < kEmbeddingDim; ++k)
      mean[k] = static_cast<float>(sum[k] / static_cast<double>(all.size()));
  }
  return out;
}

}  // namespace

struct FaceEngine::Impl {
  EngineOptions options;
  ModelInfo info;
  std::shared_ptr<const ResNetWeights> weights;
  std::shared_ptr<const LandmarkModel> landmarks;
  std::unique_ptr<FaceDetector> detector;
  std::unique_ptr<FaceEmbedder> embedder;
  StageTimings timings;

  // Photos only: progressively more expensive attempts when the default finds nothing.
  // The fallback detectors are created on first use and kept.
  std::vector<std::unique_ptr<FaceDetector>> fallbacks;

  std::vector<Detection> detect_thorough(const cv::Mat& bgr) {
    if (fallbacks.empty()) {
      DetectorOptions more = options.detector;
      more.kind = DetectorKind::hog;
      more.upsample = options.detector.upsample + 1;
      fallbacks.push_back(make_detector(more, options.models));
      more.hog_adjust_threshold = -0.5;
      fallbacks.push_back(make_detector(more, options.models));
      DetectorOptions haar = options.detector;
      haar.kind = DetectorKind::haar;
      try {
        fallbacks.push_back(make_detector(haar, options.models));
      } catch (const ModelError& e) {
        spdlog::warn("second detector unavailable, photos fall back to HOG only: {}", e.what());
      }
    }
    for (auto& fallback : fallbacks)
      if (auto found = fallback->detect(bgr); !found.empty()) return found;
    return {};
  }
};

FaceEngine::FaceEngine() : impl_(std::make_unique<Impl>()) {}
FaceEngine::~FaceEngine() = default;

std::unique_ptr<FaceEngine> FaceEngine::create(const EngineOptions& options) {
  options.models.verify_recognition();
  options.models.verify_landmarks();
  std::unique_ptr<FaceEngine> engine(new FaceEngine());
  Impl& impl = *engine->impl_;
  impl.options = options;
  impl.weights = detail::cached_weights(options.models.recognition_weights);
  impl.landmarks = detail::cached_landmarks(options.models.landmarks);
  impl.detector = make_detector(options.detector, options.models);
  impl.embedder = make_embedder(options.embedder, *impl.weights, options.threads);
  impl.info = describe_model(options, *impl.weights);
  spdlog::debug("face engine ready: {} embedder, {} detector", impl.embedder->name(),
                impl.info.detector);
  return engine;
}

ModelInfo FaceEngine::model_info(const EngineOptions& options) {
  options.models.verify_recognition();
  return describe_model(options, *detail::cached_weights(options.models.recognition_weights));
}

std::vector<Detection> FaceEngine::detect(const cv::Mat& bgr) {
  return impl_->detector->detect(bgr);
}

std::vector<Detection> FaceEngine::detect_near(const cv::Mat& crop) {
  return impl_->detector->detect_near(crop);
}

Landmarks FaceEngine::landmarks(const cv::Mat& bgr, const cv::Rect& box) const {
  return impl_->landmarks->predict(bgr, box);
}

Landmarks FaceEngine::landmarks(const cv::Mat& bgr, const Detection& d) const {
  const cv::Rect2f from_keypoints = blazeface::dlib_box_from_keypoints(d.keypoints);
  if (from_keypoints.empty()) return landmarks(bgr, d.box);
  const auto refit = [&](const Landmarks& previous) {
    return landmarks(bgr, blazeface::pixel_box(blazeface::dlib_box_from_landmarks(previous)));
  };
  const Landmarks first = landmarks(bgr, blazeface::pixel_box(from_keypoints));
  const Landmarks second = refit(first), third = refit(second);
  // The refits wobble around where HOG's box would lead; their mean is steadier (README
  // "Detection": chosen on LFW pairsDevTrain among eight fits).
  Landmarks mean;
  for (std::size_t i = 0; i < mean.size(); ++i) mean[i] = (second[i] + third[i]) * 0.5f;
  return mean;
}

std::vector<Embedding> FaceEngine::embed(std::span<const cv::Mat> chips, bool mirror_average,
                                         int jitter) {
  if (jitter < 0 || jitter > kMaxJitter)
    throw std::invalid_argument("jitter " + std::to_string(jitter) + " is outside 0.." +
                                std::to_string(kMaxJitter));
  if (jitter > 0) return embed_jittered(*impl_->embedder, chips, mirror_average, jitter);
  if (!mirror_average) return impl_->embedder->embed(chips);
  std::vector<cv::Mat> both(chips.begin(), chips.end());
  for (const cv::Mat& chip : chips) {
    cv::Mat flipped;
    cv::flip(chip, flipped, 1);
    both.push_back(flipped);
  }
  auto all = impl_->embedder->embed(both);
  std::vector<Embedding> out(chips.size());
  for (std::size_t i = 0; i < chips.size(); ++i)
    for (std::size_t k = 0; k < kEmbeddingDim; ++k)
      out[i][k] = 0.5f * (all[i][k] + all[i + chips.size()][k]);
  return out;
}

std::vector<FaceResult> FaceEngine::analyze(const cv::Mat& bgr, const AnalyzeOptions& options) {
  impl_->timings = {};
  if (bgr.empty() || bgr.type() != CV_8UC3) return {};
  const Found as_given = find(bgr, options);
  if (!options.try_rotations || options.expected_face) return fit(bgr, as_given, options);
  // Only the turn that wins is fitted and embedded.
  const auto fit_turned = [&](int turn, const cv::Mat& turned, const Found& found) {
    auto faces = fit(turned, found, options);
    for (FaceResult& face : faces) untilt(face, turn, bgr.size());
    spdlog::debug("{} face(s) stand upright with the photo turned {} degrees", faces.size(), turn);
    return faces;
  };
  if (as_given.upright_turn != 0) {
    // Faces found lying on their side: fit and embed them where they stand upright.
    const cv::Mat turned = turned_clockwise(bgr, as_given.upright_turn);
    if (const Found found = find(turned, options); !found.detections.empty())
      return fit_turned(as_given.upright_turn, turned, found);
  } else if (as_given.best_score >= 0 && as_given.best_score < kWeakBlazefaceFind) {
    // BlazeFace reads an upside-down face as a weak upright one, keypoints included: look at
    // the photo upside down too and keep the stronger find.
    const cv::Mat flipped = turned_clockwise(bgr, 180);
    if (const Found found = find(flipped, options);
        found.upright_turn == 0 && found.best_score > as_given.best_score)
      return fit_turned(180, flipped, found);
  }
  if (!as_given.detections.empty()) return fit(bgr, as_given, options);
  // The default detector on every turn before the thorough fallbacks on any: a lowered
  // threshold finds false faces in a wrong turn sooner than the default finds the real one in
  // the right turn. Sideways first: photos are turned a quarter far more often than upside down.
  const AnalyzeOptions quick = [&] {
    AnalyzeOptions o = options;
    o.thorough = false;
    return o;
  }();
  for (const AnalyzeOptions* pass : std::array{&quick, &options}) {
    // BlazeFace also finds weak faces in a wrong turn: its find counts only where the face
    // stands upright, and the strongest such turn wins. Other detectors: the first turn.
    std::optional<std::tuple<int, cv::Mat, Found>> strongest;
    for (const int turn : {90, 270, 180}) {
      cv::Mat turned = turned_clockwise(bgr, turn);
      Found found = find(turned, *pass);
      if (found.detections.empty()) continue;
      if (found.best_score < 0) return fit_turned(turn, turned, found);
      if (found.upright_turn == 0 &&
          (!strongest || found.best_score > std::get<Found>(*strongest).best_score))
        strongest.emplace(turn, std::move(turned), std::move(found));
    }
    if (strongest) {
      const auto& [turn, turned, found] = *strongest;
      return fit_turned(turn, turned, found);
    }
    if (!options.thorough) break;
  }
  return {};
}

FaceEngine::Found FaceEngine::find(const cv::Mat& bgr, const AnalyzeOptions& options) {
  Impl& impl = *impl_;
  Stopwatch watch;
  Found out;
  std::vector<Detection>& found = out.detections;
  found = impl.detector->detect(bgr);
  if (found.empty() && options.thorough) found = impl.detect_thorough(bgr);
  if (options.expected_face) {
    const cv::Rect& expected = *options.expected_face;
    auto best =
        std::max_element(found.begin(), found.end(), [&](const Detection& a, const Detection& b) {
          return iou(a.box, expected) < iou(b.box, expected);
        });
    if (best != found.end() && iou(best->box, expected) > 0.2)
      found = {*best};
    else
      found = {Detection{expected, 0.f}};  // trust the dataset's box: fit landmarks inside it
  }
  if (static_cast<int>(found.size()) > options.max_faces) found.resize(options.max_faces);
  std::array<float, 4> votes{};  // the score-weighted vote of the faces with keypoints
  for (const Detection& d : found)
    if (!d.keypoints.empty()) {
      votes[blazeface::upright_turn(d.keypoints) / 90] += std::max(d.score, 1e-3f);
      out.best_score = std::max(out.best_score, d.score);
    }
  out.upright_turn =
      90 * static_cast<int>(std::max_element(votes.begin(), votes.end()) - votes.begin());
  impl.timings.detect_ms += watch.lap();
  return out;
}

std::vector<FaceResult> FaceEngine::fit(const cv::Mat& bgr, const Found& found,
                                        const AnalyzeOptions& options) {
  Impl& impl = *impl_;
  std::vector<FaceResult> faces;
  Stopwatch watch;
  for (const Detection& d : found.detections) {
    FaceResult face;
    face.box = d.box;
    face.score = d.score;
    face.landmarks = landmarks(bgr, d);
    const bool seen = std::any_of(faces.begin(), faces.end(), [&](const FaceResult& kept) {
      return same_face(kept.landmarks, face.landmarks);
    });
    if (!seen) faces.push_back(std::move(face));  // found is best first: the better one stays
  }
  impl.timings.landmarks_ms += watch.lap();

  std::vector<cv::Mat> chips;
  for (FaceResult& face : faces) {
    face.chip = align_face(bgr, face.landmarks);
    face.quality = face_quality(face.chip, face.landmarks);
    chips.push_back(face.chip);
  }
  impl.timings.align_ms += watch.lap();

  if (options.embed && !chips.empty()) {
    auto embeddings = embed(chips, options.mirror_average, options.jitter);
    for (std::size_t i = 0; i < faces.size(); ++i) faces[i].embedding = embeddings[i];
  }
  impl.timings.embed_ms += watch.lap();
  return faces;
}

const ModelInfo& FaceEngine::model() const {
  return impl_->info;
}
const EngineOptions& FaceEngine::options() const {
  return impl_->options;
}
const StageTimings& FaceEngine::last_timings() const {
  return impl_->timings;
}

int pick_primary_face(std::span<const FaceResult> faces, cv::Size image_size,
                      const std::optional<cv::Rect>& expected) {
  if (faces.empty()) return -1;
  const cv::Point2f centre(image_size.width / 2.f, image_size.height / 2.f);
  const float diagonal =
      std::hypot(static_cast<float>(image_size.width), static_cast<float>(image_size.height));
  int best = 0;
  double best_score = -1e9;
  for (std::size_t i = 0; i < faces.size(); ++i) {
    const cv::Rect& b = faces[i].box;
    double score;
    if (expected) {
      score = iou(b, *expected);
    } else {
      const cv::Point2f c(b.x + b.width / 2.f, b.y + b.height / 2.f);
      const double off_centre = cv::norm(c - centre) / std::max(diagonal, 1.f);
      score = std::sqrt(static_cast<double>(b.area())) / std::max(diagonal, 1.f) - off_centre;
    }
    if (score > best_score) best_score = score, best = static_cast<int>(i);
  }
  return best;
}

}  // namespace lookalike

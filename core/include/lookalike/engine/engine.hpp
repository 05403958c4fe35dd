// FaceEngine: detection -> landmarks -> aligned chip -> 128-D embedding for whole images.
//
// Contract: one FaceEngine per thread (its detector and network keep scratch state); create
// it on the thread that uses it. Immutable model data (weights, landmark model) is loaded once
// per process and shared read-only between engines. create() throws ModelError naming the
// missing file and the fix; analyze() throws only on programming errors, never on image
// content (an image without faces yields an empty vector).
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lookalike/engine/detector.hpp"
#include "lookalike/engine/embedder.hpp"
#include "lookalike/engine/model_info.hpp"
#include "lookalike/engine/model_paths.hpp"
#include "lookalike/types.hpp"

namespace lookalike {

struct EngineOptions {
  ModelPaths models = ModelPaths::defaults();
  DetectorOptions detector;
  EmbedderKind embedder = EmbedderKind::onednn;
  int threads = 1;  // intra-op threads of the network; workers use 1 each
};

// The most jittered copies AnalyzeOptions::jitter allows: dlib's published LFW figure uses
// 100; the cap keeps a typo from costing hours (every copy is one more network pass).
inline constexpr int kMaxJitter = 1000;
// The jitter galleries are built with by default, and photos matched against them with (the
// same recipe: a gallery photo lands on its own vector). 0: on LFW View 1 jitter 4, 10 and 100
// gained nothing measurable over the mirror average at 3x, 6x and 50x its network cost
// (README "Accuracy").
inline constexpr int kGalleryJitter = 0;

struct AnalyzeOptions {
  bool embed = true;
  // Average the embeddings of the chip and its mirror image (more robust, 2x network cost).
  bool mirror_average = false;
  // Test-time augmentation: also embed this many jittered copies of the chip (dlib's
  // jitter_image: small random crop, scale, turn, mirrored half the time) and average them
  // with the chip (and its mirror, with mirror_average): 1 + jitter (+ 1) network passes.
  // Deterministic: every chip gets the same transforms. 0..kMaxJitter; 0 = the plain chip.
  int jitter = 0;
  // Photos: if nothing is found, retry with more upsampling, a lower threshold and the second
  // detector before giving up. Live video keeps this off.
  bool thorough = false;
  // When set, only the face best overlapping this box is returned; if no detector finds it,
  // landmarks are fitted inside the box itself (dataset-provided face boxes, LFW centring).
  std::optional<cv::Rect> expected_face;
  int max_faces = 32;
  // Single photos: if no face is found upright, look in the photo turned 90, 270 and 180
  // degrees (scans, screenshots, phones that wrote no EXIF tag); BlazeFace, which finds faces
  // lying on their side too, says which turn stands them upright (blazeface::upright_turn). Found
  // faces keep coordinates in the photo as given; FaceResult::rotation says which turn found them.
  // Gallery builds and live video keep this off (cost: up to three more detections on a faceless
  // photo).
  bool try_rotations = false;
};

struct StageTimings {
  double detect_ms = 0, landmarks_ms = 0, align_ms = 0, embed_ms = 0;
};

class FaceEngine {
 public:
  static std::unique_ptr<FaceEngine> create(const EngineOptions& options = {});
  // The model an engine created with `options` reports, without creating one: loads (and
  // caches, as create() does) the recognition weights. Throws ModelError like create().
  static ModelInfo model_info(const EngineOptions& options = {});
  ~FaceEngine();
  FaceEngine(const FaceEngine&) = delete;
  FaceEngine& operator=(const FaceEngine&) = delete;

  std::vector<FaceResult> analyze(const cv::Mat& bgr, const AnalyzeOptions& options = {});

  // The stages one by one, for the live pipeline (which tracks between detections).
  std::vector<Detection> detect(const cv::Mat& bgr);
  std::vector<Detection> detect_near(const cv::Mat& crop);  // FaceDetector::detect_near
  Landmarks landmarks(const cv::Mat& bgr, const cv::Rect& box) const;
  // The 68 points of a detection as analyze() fits them: in its box, or for BlazeFace (which
  // gives keypoints) in the box from the keypoints, then twice more, each time in the box HOG
  // would have given for the previous fit, and the last two fits averaged (blazeface.hpp).
  Landmarks landmarks(const cv::Mat& bgr, const Detection& detection) const;
  // `jitter` as AnalyzeOptions::jitter; outside 0..kMaxJitter throws std::invalid_argument.
  std::vector<Embedding> embed(std::span<const cv::Mat> chips, bool mirror_average = false,
                               int jitter = 0);

  const ModelInfo& model() const;
  const EngineOptions& options() const;
  // Timings of the last analyze() call.
  const StageTimings& last_timings() const;

 private:
  FaceEngine();
  // The faces of one turn of the photo, detected but not yet fitted, and what they say about
  // how the photo is turned (BlazeFace only: its keypoints and scores).
  struct Found {
    std::vector<Detection> detections;
    int upright_turn = 0;   // the score-weighted vote of blazeface::upright_turn
    float best_score = -1;  // the best BlazeFace score; -1 when no face has keypoints
  };
  Found find(const cv::Mat& bgr, const AnalyzeOptions& options);
  // Landmarks, chips, quality and (options.embed) embeddings of the found faces.
  std::vector<FaceResult> fit(const cv::Mat& bgr, const Found& found,
                              const AnalyzeOptions& options);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The face a dataset photo is about: best IoU with `expected` if given, else the largest face
// nearest the image centre. Returns -1 for an empty list.
int pick_primary_face(std::span<const FaceResult> faces, cv::Size image_size,
                      const std::optional<cv::Rect>& expected = std::nullopt);

}  // namespace lookalike

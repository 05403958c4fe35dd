// PhotoAnalyzer: photo mode's background worker. Finds every face in dropped or opened photos
// and ranks each against the gallery, without ever blocking the UI.
//
// Contract: one background Task owns a FaceEngine created on its thread (at the first request,
// so the app starts instantly). submit() is thread-safe and non-blocking: it replaces any
// batch not yet started (photo mode shows the latest drop) and returns the batch id. Results
// are published after every file as an immutable PhotoBatch (shared_ptr<const>), read by the
// UI without locks beyond one pointer copy. Unreadable files, non-images and engine errors
// become per-file `error` messages; nothing thrown reaches the thread boundary. The
// destructor requests stop and joins (the worker finishes at most the image it is analyzing).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "lookalike/app/feature_resemblance.hpp"
#include "lookalike/app/group_play.hpp"
#include "lookalike/app/morph.hpp"
#include "lookalike/app/task.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/gender_age.hpp"
#include "lookalike/gallery/gender_filter.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike::app {

struct PhotoFace {
  cv::Rect box;  // in the photo's pixels
  cv::Mat crop;  // the face with some context, <= 256 px, BGR, upright (turned as `rotation`)
  std::vector<IdentityMatch> matches;     // top-k, best first (empty without a gallery)
  Embedding embedding{};                  // for the twins in the batch
  std::optional<IdentityMatch> assigned;  // unique cast on: the identity this face plays
  // Into the part it plays (else its top-1); null without a gallery thumbnail or landmarks.
  std::shared_ptr<const Morph> morph;
  // The same part: similarity % per feature shape, from the morph's landmarks.
  std::optional<FeatureValues> features;
  // The top-1's gallery crop in the head pose nearest this face's (pose thumbnails of gallery
  // format 2, else its thumbnail); empty without a gallery or a pose.
  cv::Mat pose_thumbnail;
  GenderAgeEstimate estimate;  // unknown when the gender/age models are not installed
};

struct PhotoResult {
  std::filesystem::path path;
  std::string error;  // non-empty: the file could not be analyzed (message names the file)
  std::string note;   // e.g. the faces were found only with the photo turned (shown, not an error)
  cv::Size image_size;
  std::vector<PhotoFace> faces;
};

struct PhotoBatch {
  std::uint64_t id = 0;
  std::size_t total_files = 0;
  std::vector<PhotoResult> photos;  // finished files, in submission order
  bool done = false;
  std::string status;  // e.g. "loading face models..." or an engine error
  // When done: every pair of faces in the batch, most alike first (group_play.hpp); a and b
  // index `people`, which names each face as (photo, face) in `photos`.
  std::vector<std::pair<std::size_t, std::size_t>> people;
  std::vector<TwinPair> twins;
};

struct PhotoAnalyzerOptions {
  EngineOptions engine;
  SearchOptions search;
  std::size_t max_files = 64;    // per drop; more are refused with a message
  int max_faces_per_photo = 20;  // layout is designed for 1..20 faces
  int crop_side = 256;           // longest side of the stored face crops
  // Morph frames (drawn on the UI thread while dragging); the features are measured on them.
  int morph_side = kFeatureChipSide;
};

class PhotoAnalyzer {
 public:
  PhotoAnalyzer(PhotoAnalyzerOptions options, std::shared_ptr<const IdentityMatcher> gallery);
  ~PhotoAnalyzer();
  PhotoAnalyzer(const PhotoAnalyzer&) = delete;
  PhotoAnalyzer& operator=(const PhotoAnalyzer&) = delete;

  std::uint64_t submit(std::vector<std::filesystem::path> files);
  std::shared_ptr<const PhotoBatch> latest() const;  // null before the first submit
  void set_gallery(std::shared_ptr<const IdentityMatcher> gallery);
  void set_search_options(const SearchOptions& search);
  // Group play: every face of a photo plays a different identity (applies to the next batch).
  void set_unique_cast(bool on);
  // "Only look-alikes of my gender" (GenderFilter::same) or any (applies to the next batch).
  void set_gender_filter(GenderFilter filter);
  // AnalyzeOptions::jitter for the next batch (0..kMaxJitter, clamped; settings: photo_jitter).
  void set_jitter(int copies);

 private:
  void run(std::stop_token stop);
  void publish(std::shared_ptr<const PhotoBatch> batch);

  PhotoAnalyzerOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::shared_ptr<const IdentityMatcher> gallery_;                                       // guarded
  SearchOptions search_;                                                                 // guarded
  bool unique_cast_ = false;                                                             // guarded
  GenderFilter gender_filter_ = GenderFilter::any;                                       // guarded
  int jitter_ = kGalleryJitter;                                                          // guarded
  std::optional<std::pair<std::uint64_t, std::vector<std::filesystem::path>>> pending_;  // guarded
  std::shared_ptr<const PhotoBatch> latest_;                                             // guarded
  std::uint64_t next_id_ = 1;                                                            // guarded
  std::unique_ptr<Task> worker_;  // last: stopped and joined first
};

// The face with context: `box` grown by `margin` of its size on each side, clamped to the
// image, scaled so its longest side is at most `max_side`.
cv::Mat face_crop(const cv::Mat& image, const cv::Rect& box, float margin, int max_side);

}  // namespace lookalike::app

// Tracker: turns per-frame face detections into tracks with stable ids, decides which faces
// need the embedding network, keeps a quality-weighted running mean embedding per track and
// applies hysteresis to the shown gallery matches.
//
// Contract: not thread-safe (the pipeline calls it under its own mutex). Plain value state;
// no threads, no engine: it is fed detections, embeddings and gallery matches, so it is
// testable with scripted inputs. Frames must be fed in increasing seq order; update() with
// an older seq than the last one is ignored (returns false).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "lookalike/engine/gender_age.hpp"
#include "lookalike/gallery/search_types.hpp"
#include "lookalike/pipeline/snapshot.hpp"
#include "lookalike/types.hpp"

namespace lookalike {

struct TrackerOptions {
  // Association: a detection joins a track when IoU >= min_iou (boxes of consecutive
  // frames of one face overlap strongly; 0.3 is the usual SORT-style gate).
  float min_iou = 0.3f;
  // Embedding check on every new embedding of a track: farther than this from the track's
  // mean means another person may have taken the place (a cut in a video, someone stepping
  // in). dlib's same-person distance (types.hpp): the mean of a person's embeddings lies
  // closer to each of them than they lie to each other (measured on lfw10: new photo to track
  // mean <= 0.46 for the same person, >= 0.65 across a cut). Beyond clear_split_distance the
  // track restarts at once under a new id. Between the two, one face is not enough: a blurred
  // or half-turned frame of the same person can land 0.6 away (seen on the lfw10 video), so
  // the face is held back and the track re-embedded at once; only when that next face is far
  // from the mean too and within split_embedding_distance of the held one does the track
  // restart (seeded with both faces). A near face drops the held one.
  float split_embedding_distance = kSamePersonDistance;
  float clear_split_distance = 0.75f;
  // A track with no detection for this many processed frames is dropped.
  int max_missed_frames = 10;
  // Re-embed a track every k processed frames (adaptive speed may raise it), and earlier
  // when its face changed: quality rose by `requality_gain` or the face thumbnail's mean
  // absolute difference since the last embedding exceeds `appearance_change` (0..255).
  int reembed_interval = 5;
  float requality_gain = 0.15f;
  float appearance_change = 18.f;
  // Box smoothing: exponential moving average weight of the new detection (1 = no smoothing).
  float box_smoothing = 0.6f;
  // Boxes shown on frames newer than the last detection move along the track's velocity for
  // at most this many frames (then they wait for the next detection).
  int max_predict_frames = 8;
  // Running mean: at most this many embeddings' worth of history (older ones fade out).
  int mean_window = 10;
  // Hysteresis: a new top-1 identity replaces the shown one only when its distance is
  // smaller by `switch_margin` (in the metric's distance unit) for `switch_updates`
  // consecutive gallery updates.
  float switch_margin = 0.03f;
  int switch_updates = 3;
};

// What a worker learned about one face in one frame.
struct FaceObservation {
  cv::Rect box;
  float score = 0.f;
  std::optional<Landmarks> landmarks;
  std::optional<Embedding> embedding;  // filled only when the tracker asked for it
  float quality = 0.f;                 // face_quality() of the aligned chip, if aligned
  cv::Mat thumbnail;                   // tiny gray face crop (appearance-change test)
};

class Tracker {
 public:
  struct Track {
    std::uint64_t id = 0;
    cv::Rect2f box;
    cv::Point2f velocity;        // px per frame seq, smoothed
    std::uint64_t last_seq = 0;  // frame of the last detection
    std::optional<Landmarks> landmarks;
    int age_frames = 0;
    int missed_frames = 0;
    Clock::time_point first_seen{};
    std::optional<double> face_to_name_ms;  // set when first named
    // Recognition state.
    bool has_embedding = false;
    Embedding mean{};
    // Gender/age estimates of the last mean_window embedded faces (combined for display and
    // the gender filter: one odd frame does not flip a person).
    std::vector<GenderAgeEstimate> estimates;
    GenderAgeEstimate gender_age;  // combine_estimates(estimates)
    float weight_sum = 0.f;
    float best_quality = 0.f;
    float last_embed_quality = 0.f;
    int frames_since_embed = 0;
    bool embed_pending = false;
    cv::Mat last_embed_thumbnail;
    std::vector<IdentityMatch> shown;  // top-k on display (hysteresis applied)
    std::optional<std::uint32_t> challenger;
    int challenger_count = 0;
    // A face far from the mean, waiting for the next one to confirm a new person.
    struct HeldFace {
      Embedding embedding{};
      float quality = 0.f;
      Clock::time_point seen_at{};
      GenderAgeEstimate estimate;
    };
    std::optional<HeldFace> held;
  };

  explicit Tracker(TrackerOptions options = {});

  // Associates `faces` (detections of frame `seq`) with the tracks. Returns false (and
  // changes nothing) when seq is older than the last update.
  // After it returns, needs_embedding() lists which of `faces` should be embedded.
  bool update(std::uint64_t seq, Clock::time_point captured_at,
              const std::vector<FaceObservation>& faces);
  // For each face of the last update(): index of the track it was assigned to.
  const std::vector<std::uint64_t>& assignment() const { return assignment_; }
  // Whether track `id` wants a new embedding (new track, interval reached, face changed); if
  // so the request is marked pending (no second worker embeds it meanwhile) and true returned.
  bool claim_embedding(std::uint64_t id, const FaceObservation& face);

  // Folds a fresh embedding into the track's running mean (weight = quality). Returns the id
  // the track has now (a new one when two faces in a row show another person: see
  // split_embedding_distance; the first of them is held back and leaves the mean as it was)
  // and the mean to query the gallery with; nullopt when the track no longer exists.
  struct EmbeddingUpdate {
    std::uint64_t id = 0;
    Embedding mean{};
    GenderAgeEstimate gender_age;  // combined over the track (unknown without estimates)
  };
  // `seen_at`: capture time of the frame the embedding comes from (a track restarted for a new
  // person counts its face-to-name time from there). `estimate`: that face's gender and age
  // (unknown when the pipeline does not estimate them).
  std::optional<EmbeddingUpdate> add_embedding(std::uint64_t id, const Embedding& embedding,
                                               float quality, const cv::Mat& thumbnail,
                                               Clock::time_point seen_at = Clock::now(),
                                               const GenderAgeEstimate& estimate = {});
  // Gives back a claim that will not be fulfilled (the worker could not embed now): the
  // track is claimable again from the next frame.
  void release_claim(std::uint64_t id);
  // Applies gallery matches for the track's mean (hysteresis on top-1). `now` stamps the
  // face-to-name time the first time the track is named.
  void apply_matches(std::uint64_t id, std::vector<IdentityMatch> matches, Clock::time_point now);
  // Forget every track's matches (gallery swapped): they are queried again.
  void clear_matches();

  // Tracks as shown on frame `display_seq` (>= last_seq()): boxes are moved along their
  // velocity to that frame, so they keep moving at capture rate while workers lag behind.
  std::vector<TrackView> views(std::optional<std::uint64_t> display_seq = std::nullopt) const;
  const std::vector<Track>& tracks() const { return tracks_; }
  std::optional<std::uint64_t> last_seq() const { return last_seq_; }
  // Frames between re-embeddings (adaptive speed changes it).
  void set_reembed_interval(int frames);
  int reembed_interval() const { return options_.reembed_interval; }
  // Face-to-name times of every track named so far (ms), in naming order.
  const std::vector<double>& face_to_name_ms() const { return face_to_name_ms_; }

 private:
  Track* find(std::uint64_t id);
  const Track* find(std::uint64_t id) const;
  // Running mean (quality-weighted, capped at mean_window), best quality, gender/age window.
  void fold_embedding(Track& t, const Embedding& embedding, float quality,
                      const GenderAgeEstimate& estimate) const;

  TrackerOptions options_;
  std::vector<Track> tracks_;
  std::vector<std::uint64_t> assignment_;
  std::optional<std::uint64_t> last_seq_;
  std::uint64_t next_id_ = 1;
  std::vector<double> face_to_name_ms_;
};

// Mean absolute difference (0..255) of two same-size gray thumbnails; 255 if either is empty
// or sizes differ.
float thumbnail_difference(const cv::Mat& a, const cv::Mat& b);
// A tiny (16x16) gray crop of `box` in `bgr`, for appearance-change tests.
cv::Mat face_thumbnail(const cv::Mat& bgr, const cv::Rect& box);

}  // namespace lookalike

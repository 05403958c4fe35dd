// OverlayAnimator: display-rate animation state of the live overlay, free of GL/ImGui.
//
// Contract: fed the tracks of the snapshot on screen once per displayed frame with the time
// step; each track's drawn box eases toward the published box (exponential smoothing with
// `position_time_constant_s`), fades in when the track appears and fades out after it vanished
// (its last view is kept for drawing until fully transparent). Entries are dropped once faded
// out, so the state stays bounded by the number of faces on screen. Not thread-safe (UI
// thread).
#pragma once

#include <cstdint>
#include <vector>

#include "lookalike/pipeline/snapshot.hpp"

namespace lookalike::ui {

struct OverlayAnimOptions {
  float position_time_constant_s = 0.05f;  // 50 ms: follows a moving head without lag or jitter
  float fade_in_s = 0.25f;
  float fade_out_s = 0.40f;
};

// Below this similarity the overlay says "low resemblance" instead of presenting a name as a
// look-alike: 30 % is a euclidean distance of ~0.685 in the mapping of gallery/similarity.hpp
// (50 % at dlib's 0.6 same-person margin), where resemblance is no longer obvious to people.
inline constexpr float kLowResemblancePercent = 30.f;

struct AnimatedTrack {
  std::uint64_t id = 0;
  cv::Rect2f box;     // drawn box (frame pixels)
  float alpha = 0;    // 0..1
  bool alive = true;  // still in the latest snapshot
  TrackView view;     // the latest (or last known) published view
};

class OverlayAnimator {
 public:
  explicit OverlayAnimator(OverlayAnimOptions options = {}) : options_(options) {}
  void update(const std::vector<TrackView>& tracks, double dt_seconds);
  void clear() { tracks_.clear(); }
  const std::vector<AnimatedTrack>& tracks() const { return tracks_; }

 private:
  OverlayAnimOptions options_;
  std::vector<AnimatedTrack> tracks_;
};

}  // namespace lookalike::ui

// Kiosk mode logic, free of any GL/ImGui: the attract/result/live state machine, the result
// card's morph timing, and the PIN gate that guards leaving kiosk mode.
//
// Contract: KioskStateMachine is a value-like object fed one Snapshot per displayed frame with
// the current time (the caller's clock, so tests script time). It keeps bounded per-track
// state (entries for vanished tracks are dropped on the next update) so it can run all day.
// A person who becomes ready while cards are up joins them (up to max_cards), and a card's
// person lost and found again as a new track at the same place keeps the card; the result
// state lasts until the newest card was held hold_seconds. With unique_cast, cards opened
// together are cast with the application layer's assignment (app::assign_unique_cast, as
// live and photo mode), and a card that joins plays a part no card on screen plays; a card's
// part never changes while it is up. Not thread-safe: the UI thread owns it. KioskExitGate
// likewise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lookalike/pipeline/snapshot.hpp"

namespace lookalike::ui {

struct KioskOptions {
  double dwell_seconds = 1.0;  // stable, frontal, large face present this long -> result
  double hold_seconds = 5.0;   // result card shown this long -> live
  double leave_seconds = 1.5;  // nobody in front this long -> attract
  // "Large enough": face box height as a fraction of the frame height. 0.18 of a 720p frame
  // is ~130 px, a person within arm's length of a webcam; HOG finds faces from ~80 px.
  float min_face_height_fraction = 0.18f;
  // "Stable": box centre movement between two updates, relative to the box width.
  float max_center_jitter = 0.15f;
  // "Frontal": horizontal offset of the nose tip (landmark 30) from the midpoint of the eye
  // centres, relative to the inter-ocular distance; ~0.25 is about 20 degrees of yaw.
  float max_yaw_ratio = 0.25f;
  // Without landmarks, the track's quality score (0..1) stands in for frontalness.
  float min_quality_without_landmarks = 0.35f;
  int max_cards = 4;  // people shown side by side at once
  // Group play: two or more people on cards each play a different celebrity.
  bool unique_cast = false;
};

enum class KioskState { attract, result, live };
const char* to_string(KioskState state);

// Why the best candidate is not ready yet (for the on-screen hint in the attract screen).
enum class KioskHint { none, come_closer, look_at_camera, hold_still, recognizing };

struct KioskCard {
  std::uint64_t track_id = 0;
  std::vector<IdentityMatch> matches;  // frozen when the card opened
  cv::Rect2f box;                      // last known box of the person (frame pixels)
  bool present = true;                 // the track is still in the latest snapshot
  Clock::time_point opened_at{};
  // Unique cast: the part this person plays (set only with two or more cards).
  std::optional<IdentityMatch> part;
  // The frame the card opened on (shared pixels) and the person's landmarks there, if the
  // detector gave them: what the card's morph starts from.
  cv::Mat frame;
  std::optional<Landmarks> landmarks;
  std::optional<Embedding> embedding;  // the person's descriptor then: found again, same card

  // The celebrity the card shows: its part, else its own top-1; null when unnamed.
  const IdentityMatch* shown() const;
  // The part differs from the person's own top-1 (the card says "plays NAME").
  bool plays_other_part() const;
};

// The morph's position on a card shown `seconds` of `hold_seconds`: 0 (the person) -> 1 (the
// celebrity) -> 0, eased at both ends (smoothstep), in whole cycles of about 4-8 s so that
// the card always closes on the person.
double kiosk_morph_t(double seconds, double hold_seconds);

class KioskStateMachine {
 public:
  explicit KioskStateMachine(KioskOptions options = {});

  void update(const Snapshot& snapshot, Clock::time_point now);

  KioskState state() const { return state_; }
  // Result cards, left to right in frame order; filled in the result state only.
  const std::vector<KioskCard>& cards() const { return cards_; }
  // 0..1: how far the closest candidate is into the dwell (drawn as a ring on attract/live).
  float engage_progress() const { return engage_progress_; }
  KioskHint hint() const { return hint_; }
  double seconds_in_state(Clock::time_point now) const;
  std::size_t tracked_count() const { return per_track_.size(); }  // for the no-growth test

 private:
  struct TrackState {
    cv::Point2f last_center;
    Clock::time_point ready_since{};
    bool ready_running = false;
  };
  KioskHint assess(const TrackView& track, float frame_height, TrackState& state) const;
  void enter(KioskState state, Clock::time_point now);

  KioskOptions options_;
  KioskState state_ = KioskState::attract;
  Clock::time_point entered_at_{};
  Clock::time_point last_someone_{};
  bool seen_anyone_ = false;
  std::unordered_map<std::uint64_t, TrackState> per_track_;
  std::unordered_set<std::uint64_t> shown_;  // tracks that already had their card
  std::vector<KioskCard> cards_;
  float engage_progress_ = 0;
  KioskHint hint_ = KioskHint::none;
};

// Leaving kiosk mode: a key chord opens a PIN prompt; the right PIN + Enter unlocks.
class KioskExitGate {
 public:
  explicit KioskExitGate(std::string pin) : pin_(std::move(pin)) {}
  void chord();           // Ctrl+Shift+Q: open the prompt (or unlock at once if no PIN is set)
  void type(char digit);  // digits only; others ignored; at most 12 characters
  void backspace();
  void cancel();  // Esc: close the prompt
  bool submit();  // Enter: true (and unlocked) when the PIN matches
  bool prompting() const { return prompting_; }
  bool unlocked() const { return unlocked_; }
  std::size_t typed_length() const { return typed_.size(); }
  int failures() const { return failures_; }

 private:
  std::string pin_;
  std::string typed_;
  bool prompting_ = false;
  bool unlocked_ = false;
  int failures_ = 0;
};

}  // namespace lookalike::ui

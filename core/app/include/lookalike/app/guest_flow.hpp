// The kiosk's guest flow: the state machine a guest walks through in front of the kiosk, free
// of GL and ImGui so that both the window and the tests drive it.
//
//   attract -> [consent] -> countdown -> result -> attract
//   fault     (the camera is lost: a friendly screen; resumes when frames flow again)
//   back_soon (gallery or model missing: guests see "back soon", the operator the reason)
//
// Contract: GuestFlow is a value-like object fed one Snapshot per displayed frame with the
// current time (the caller's clock, so tests script time). A person is "ready" when their face
// is large, frontal, still and named for dwell_seconds. A ready person not served yet starts
// the flow: the consent screen (when required; accept() by key/click/touch, or by holding
// still consent_hold_seconds; decline() returns to attract and that person is not asked again
// until they leave), then the countdown (everybody leaving for leave_seconds returns to
// attract), then one card per ready person (left to right, up to max_cards; with unique_cast
// each plays a different celebrity). While cards are up, a person who steps in beside them
// joins (without consent required only: with it they wait for their own turn); the result
// lasts until the newest card was held hold_seconds, or ends when everybody left. A served
// person gets no second card until they leave. Per-track state is dropped when a track
// vanishes and cards never exceed max_cards, so it runs all day in bounded memory. The
// operator's reset() and set_paused() (paused: attract, nobody starts the flow) act at once.
// Not thread-safe: one thread (the UI's) owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "lookalike/pipeline/snapshot.hpp"

namespace lookalike::app {

struct GuestFlowOptions {
  double dwell_seconds = 1.0;  // stable, frontal, large, named face present this long -> ready
  double hold_seconds = 5.0;   // result timeout: each card is shown this long
  double leave_seconds = 1.5;  // nobody in front this long -> attract
  bool consent = false;        // ask before the countdown
  double consent_hold_seconds = 3.0;  // holding still this long on the consent screen accepts
  double countdown_seconds = 3.0;     // 3-2-1; 0 opens the cards at once
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

enum class GuestState { attract, consent, countdown, result, fault, back_soon };
const char* to_string(GuestState state);
std::optional<GuestState> guest_state_from_string(const std::string& name);
// Every state's name, in enum order.
std::vector<std::string> guest_state_names();

// Why the best candidate is not ready yet (the hint under the attract screen's ring).
enum class GuestHint { none, come_closer, look_at_camera, hold_still, recognizing };

struct GuestCard {
  // Stable for the card's life: what the UI keys its morph, shapes and QR code by (the track id
  // changes when a person lost for a moment is found again as a new track).
  std::uint64_t card_id = 0;
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
  cv::Rect2f frame_box;  // the person's box in `frame` (`box` follows them afterwards)
  std::optional<Landmarks> landmarks;
  std::optional<Embedding> embedding;  // the person's descriptor then: found again, same card
  // Take-home link (set by the share server through GuestFlow::share_card) and its expiry.
  std::optional<std::string> share_url;
  Clock::time_point share_expires_at{};

  // The celebrity the card shows: its part, else its own top-1; null when unnamed.
  const IdentityMatch* shown() const;
  // The part differs from the person's own top-1 (the card says "plays NAME").
  bool plays_other_part() const;
};

// The morph's position on a card shown `seconds` of `hold_seconds`: 0 (the person) -> 1 (the
// celebrity) -> 0, eased at both ends (smoothstep), in whole cycles of about 4-8 s so that
// the card always closes on the person.
double card_morph_t(double seconds, double hold_seconds);

class GuestFlow {
 public:
  explicit GuestFlow(GuestFlowOptions options = {});

  // One displayed frame. A snapshot whose source is reconnecting or failed puts the flow in
  // `fault` (its status_message kept as fault_reason()); the next running snapshot with a
  // frame resumes in attract.
  void update(const Snapshot& snapshot, Clock::time_point now);
  // No usable source at all (a camera that could not be opened): `fault` with this reason.
  void source_failed(const std::string& reason, Clock::time_point now);
  // Gallery or model missing: `back_soon` while a reason is set; nullopt resumes in attract.
  void set_unavailable(std::optional<std::string> reason, Clock::time_point now);

  // Guest input on the consent screen (key, click, touch). Ignored in other states.
  void accept(Clock::time_point now);
  void decline(Clock::time_point now);

  // Operator input.
  void reset(Clock::time_point now);  // cards and per-person state forgotten, back to attract
  void set_paused(bool paused, Clock::time_point now);

  // Take-home link of a card that is up (ignored when no card has this card id).
  void share_card(std::uint64_t card_id, std::string url, Clock::time_point expires_at);

  GuestState state() const { return state_; }
  bool paused() const { return paused_; }
  // Result cards, left to right in frame order; filled in the result state only.
  const std::vector<GuestCard>& cards() const { return cards_; }
  // Seconds left on the countdown (0 outside it); the screen shows ceil() of it: 3, 2, 1.
  double countdown_remaining(Clock::time_point now) const;
  // 0..1 how far the consent screen's hold-still acceptance is (0 outside consent).
  float consent_progress() const;
  // 0..1: how far the closest candidate is into the dwell (the ring on the attract screen).
  float engage_progress() const { return engage_progress_; }
  GuestHint hint() const { return hint_; }
  std::uint64_t people_served() const { return people_served_; }     // cards opened since start
  const std::string& fault_reason() const { return fault_reason_; }  // fault and back_soon
  double seconds_in_state(Clock::time_point now) const;
  // Sizes of the per-person containers, for the bounded-memory tests.
  std::size_t tracked_count() const { return per_track_.size(); }
  std::size_t remembered_count() const { return served_.size(); }

 private:
  struct TrackState {
    cv::Point2f last_center;
    Clock::time_point ready_since{};
    bool ready_running = false;
  };
  GuestHint assess(const TrackView& track, float frame_height, TrackState& state) const;
  void enter(GuestState state, Clock::time_point now);
  void to_attract(Clock::time_point now);
  // Cards for the ready people not served yet (left to right), after the cards already up; a
  // card's person found again as a new track keeps it. new_cards false: only the latter.
  void add_cards(const Snapshot& snapshot, std::vector<const TrackView*> ready,
                 Clock::time_point now, bool new_cards);
  // The flow after the source and availability checks, for one snapshot.
  void step(const Snapshot& snapshot, Clock::time_point now);

  GuestFlowOptions options_;
  GuestState state_ = GuestState::attract;
  bool paused_ = false;
  std::optional<std::string> unavailable_;
  Clock::time_point entered_at_{};
  Clock::time_point last_step_{};
  double consent_held_ = 0;  // seconds held still on the consent screen (leaky, see step())
  bool started_ = false;
  Clock::time_point last_someone_{};
  bool seen_anyone_ = false;
  std::unordered_map<std::uint64_t, TrackState> per_track_;
  // Tracks that had their card or declined: no new flow for them until they leave.
  std::unordered_set<std::uint64_t> served_;
  std::vector<GuestCard> cards_;
  std::uint64_t next_card_id_ = 1;
  float engage_progress_ = 0;
  GuestHint hint_ = GuestHint::none;
  std::uint64_t people_served_ = 0;
  std::string fault_reason_;
};

}  // namespace lookalike::app

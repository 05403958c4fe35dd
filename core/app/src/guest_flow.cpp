#include "lookalike/app/guest_flow.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <set>

#include "lookalike/app/group_play.hpp"

namespace lookalike::app {
namespace {

constexpr double kMorphCycleSeconds = 4.0;  // at least this long: there, a look, and back
constexpr std::array kStateNames = {"attract", "consent", "countdown",
                                    "result",  "fault",   "back_soon"};

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// dlib 68-point layout: 36..41 right eye, 42..47 left eye, 30 nose tip.
float yaw_ratio(const Landmarks& lm) {
  cv::Point2f eye_a{0, 0}, eye_b{0, 0};
  for (int i = 36; i <= 41; ++i) eye_a += lm[i];
  for (int i = 42; i <= 47; ++i) eye_b += lm[i];
  eye_a *= 1.f / 6.f;
  eye_b *= 1.f / 6.f;
  const float interocular = static_cast<float>(cv::norm(eye_b - eye_a));
  if (interocular < 1.f) return 1.f;
  const float mid_x = 0.5f * (eye_a.x + eye_b.x);
  return std::abs(lm[30].x - mid_x) / interocular;
}

// Unique cast for the cards from `first_new` on: the application layer's assignment over their
// own matches, without the identities the cards before them already show (their parts stay).
// A card the candidates cannot give a free part keeps its own top-1 (as live mode does).
void cast_new_cards(std::vector<GuestCard>& cards, std::size_t first_new) {
  if (cards.size() < 2) return;
  std::set<std::uint32_t> taken;
  for (std::size_t i = 0; i < first_new; ++i)
    if (const IdentityMatch* m = cards[i].shown()) taken.insert(m->identity);
  std::vector<std::vector<IdentityMatch>> candidates;
  for (std::size_t i = first_new; i < cards.size(); ++i) {
    auto& list = candidates.emplace_back();
    for (const auto& m : cards[i].matches)
      if (!taken.contains(m.identity)) list.push_back(m);
  }
  const auto parts = assign_unique_cast(candidates);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    GuestCard& card = cards[first_new + i];
    if (parts[i])
      card.part = candidates[i][*parts[i]];
    else if (!card.matches.empty())
      card.part = card.matches.front();
  }
  // A card that was alone had no part yet: it keeps showing its top-1, now as its part.
  for (std::size_t i = 0; i < first_new; ++i)
    if (!cards[i].part && !cards[i].matches.empty()) cards[i].part = cards[i].matches.front();
}

bool source_down(SourceStatus status) {
  return status == SourceStatus::reconnecting || status == SourceStatus::failed ||
         status == SourceStatus::ended;
}

}  // namespace

const IdentityMatch* GuestCard::shown() const {
  if (part) return &*part;
  return matches.empty() ? nullptr : &matches.front();
}

bool GuestCard::plays_other_part() const {
  return part && !matches.empty() && part->identity != matches.front().identity;
}

double card_morph_t(double seconds, double hold_seconds) {
  if (hold_seconds <= 0) return 0;
  const double cycles = std::max(1.0, std::floor(hold_seconds / kMorphCycleSeconds));
  const double period = hold_seconds / cycles;
  const double phase = std::fmod(std::max(0.0, seconds), period) / period;  // 0..1
  const double x = 1 - std::abs(2 * phase - 1);                             // 0 -> 1 -> 0
  return x * x * (3 - 2 * x);
}

const char* to_string(GuestState state) {
  const auto i = static_cast<std::size_t>(state);
  return i < kStateNames.size() ? kStateNames[i] : "?";
}

std::vector<std::string> guest_state_names() {
  return {kStateNames.begin(), kStateNames.end()};
}

std::optional<GuestState> guest_state_from_string(const std::string& name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (name == kStateNames[i]) return static_cast<GuestState>(i);
  return std::nullopt;
}

GuestFlow::GuestFlow(GuestFlowOptions options) : options_(options) {}

double GuestFlow::seconds_in_state(Clock::time_point now) const {
  return seconds_between(entered_at_, now);
}

double GuestFlow::countdown_remaining(Clock::time_point now) const {
  if (state_ != GuestState::countdown) return 0;
  return std::max(0.0, options_.countdown_seconds - seconds_in_state(now));
}

float GuestFlow::consent_progress() const {
  if (state_ != GuestState::consent) return 0;
  return static_cast<float>(
      std::min(1.0, consent_held_ / std::max(options_.consent_hold_seconds, 1e-3)));
}

void GuestFlow::enter(GuestState state, Clock::time_point now) {
  state_ = state;
  entered_at_ = now;
  consent_held_ = 0;
}

void GuestFlow::to_attract(Clock::time_point now) {
  cards_.clear();
  enter(GuestState::attract, now);
}

void GuestFlow::accept(Clock::time_point now) {
  if (state_ != GuestState::consent) return;
  enter(GuestState::countdown, now);
}

void GuestFlow::decline(Clock::time_point now) {
  if (state_ != GuestState::consent) return;
  // The people in front declined: they are not asked again until they leave.
  for (const auto& [id, st] : per_track_) served_.insert(id);
  to_attract(now);
}

void GuestFlow::reset(Clock::time_point now) {
  per_track_.clear();
  served_.clear();
  seen_anyone_ = false;
  engage_progress_ = 0;
  hint_ = GuestHint::none;
  fault_reason_.clear();
  if (unavailable_) {
    cards_.clear();
    enter(GuestState::back_soon, now);
    fault_reason_ = *unavailable_;
  } else {
    to_attract(now);
  }
}

void GuestFlow::set_paused(bool paused, Clock::time_point now) {
  paused_ = paused;
  if (paused_ && state_ != GuestState::fault && state_ != GuestState::back_soon) to_attract(now);
}

void GuestFlow::source_failed(const std::string& reason, Clock::time_point now) {
  fault_reason_ = reason;
  if (state_ == GuestState::back_soon) return;  // the operator has a bigger problem to fix
  if (state_ != GuestState::fault) {
    cards_.clear();
    enter(GuestState::fault, now);
  }
}

void GuestFlow::set_unavailable(std::optional<std::string> reason, Clock::time_point now) {
  unavailable_ = std::move(reason);
  if (unavailable_) {
    fault_reason_ = *unavailable_;
    if (state_ != GuestState::back_soon) {
      cards_.clear();
      enter(GuestState::back_soon, now);
    }
  } else if (state_ == GuestState::back_soon) {
    fault_reason_.clear();
    to_attract(now);
  }
}

void GuestFlow::share_card(std::uint64_t card_id, std::string url, Clock::time_point expires_at) {
  for (GuestCard& card : cards_)
    if (card.card_id == card_id) {
      card.share_url = std::move(url);
      card.share_expires_at = expires_at;
    }
}

GuestHint GuestFlow::assess(const TrackView& track, float frame_height, TrackState& st) const {
  const cv::Point2f center{track.box.x + track.box.width / 2, track.box.y + track.box.height / 2};
  const float jitter =
      static_cast<float>(cv::norm(center - st.last_center)) / std::max(track.box.width, 1.f);
  st.last_center = center;
  if (track.box.height < options_.min_face_height_fraction * frame_height)
    return GuestHint::come_closer;
  if (track.landmarks) {
    if (yaw_ratio(*track.landmarks) > options_.max_yaw_ratio) return GuestHint::look_at_camera;
  } else if (track.quality < options_.min_quality_without_landmarks) {
    return GuestHint::look_at_camera;
  }
  if (jitter > options_.max_center_jitter) return GuestHint::hold_still;
  if (!track.named()) return GuestHint::recognizing;
  return GuestHint::none;
}

void GuestFlow::add_cards(const Snapshot& snapshot, std::vector<const TrackView*> ready,
                          Clock::time_point now, bool new_cards) {
  std::sort(ready.begin(), ready.end(),
            [](const TrackView* a, const TrackView* b) { return a->box.x < b->box.x; });
  const std::size_t first_new = cards_.size();
  for (const TrackView* t : ready) {
    if (served_.contains(t->id)) continue;
    // The person of a card, lost for a moment and found again as a new track (same place,
    // same person by dlib's verdict), keeps that card.
    const auto lost = std::find_if(cards_.begin(), cards_.end(), [&](const GuestCard& c) {
      return !c.present && c.embedding && t->embedding &&
             euclidean_distance(*c.embedding, *t->embedding) < kSamePersonDistance &&
             (c.box & t->box).area() > 0.5f * std::min(c.box.area(), t->box.area());
    });
    if (lost != cards_.end()) {
      lost->track_id = t->id;
      lost->present = true;
      lost->box = t->box;
      served_.insert(t->id);
      continue;
    }
    if (!new_cards || static_cast<int>(cards_.size()) >= options_.max_cards) continue;
    GuestCard card;
    card.card_id = next_card_id_++;
    card.track_id = t->id;
    card.matches = t->matches;
    card.box = t->box;
    card.opened_at = now;
    card.frame = snapshot.frame;
    card.frame_box = t->box;
    card.landmarks = t->landmarks;
    card.embedding = t->embedding;
    cards_.push_back(std::move(card));
    served_.insert(t->id);
    ++people_served_;
  }
  if (options_.unique_cast) cast_new_cards(cards_, first_new);
  std::stable_sort(cards_.begin(), cards_.end(),
                   [](const GuestCard& a, const GuestCard& b) { return a.box.x < b.box.x; });
}

void GuestFlow::update(const Snapshot& snapshot, Clock::time_point now) {
  if (!started_) {
    started_ = true;
    entered_at_ = now;
  }
  if (state_ == GuestState::back_soon) return;  // until set_unavailable(nullopt) or reset
  if (source_down(snapshot.status)) {
    source_failed(snapshot.status_message.empty() ? "the camera is not delivering frames"
                                                  : snapshot.status_message,
                  now);
    return;
  }
  if (state_ == GuestState::fault) {
    if (snapshot.status != SourceStatus::running || snapshot.frame.empty()) return;
    fault_reason_.clear();  // frames flow again
    per_track_.clear();
    seen_anyone_ = false;
    to_attract(now);
  }
  step(snapshot, now);
}

void GuestFlow::step(const Snapshot& snapshot, Clock::time_point now) {
  const float frame_height =
      snapshot.frame.empty() ? 720.f : static_cast<float>(snapshot.frame.rows);

  // Per-track bookkeeping; entries of vanished tracks are dropped (bounded memory).
  std::unordered_map<std::uint64_t, TrackState> next;
  std::vector<const TrackView*> ready;      // ready for dwell_seconds
  std::vector<const TrackView*> ready_now;  // ready this frame
  engage_progress_ = 0;
  hint_ = snapshot.tracks.empty() ? GuestHint::none : GuestHint::come_closer;
  int best_hint_rank = -1;
  for (const auto& track : snapshot.tracks) {
    TrackState st;
    if (auto it = per_track_.find(track.id); it != per_track_.end()) {
      st = it->second;
    } else {
      st.last_center = {track.box.x + track.box.width / 2, track.box.y + track.box.height / 2};
    }
    const GuestHint h = assess(track, frame_height, st);
    if (h == GuestHint::none) {
      ready_now.push_back(&track);
      if (!st.ready_running) {
        st.ready_running = true;
        st.ready_since = now;
      }
      const double dwell = seconds_between(st.ready_since, now);
      engage_progress_ = std::max(
          engage_progress_,
          static_cast<float>(std::min(1.0, dwell / std::max(options_.dwell_seconds, 1e-3))));
      if (dwell >= options_.dwell_seconds) ready.push_back(&track);
    } else {
      st.ready_running = false;
    }
    // Show the hint of the candidate that is furthest along (closer > frontal > still > named).
    const int rank = h == GuestHint::none ? 5 : static_cast<int>(h);
    if (rank > best_hint_rank) {
      best_hint_rank = rank;
      hint_ = h;
    }
    next.emplace(track.id, st);
  }
  per_track_ = std::move(next);
  // served_ only needs ids that may still come back; forget ids of tracks that are gone.
  std::erase_if(served_, [&](std::uint64_t id) { return !per_track_.contains(id); });
  if (!snapshot.tracks.empty()) {
    last_someone_ = now;
    seen_anyone_ = true;
  }
  const bool nobody_for_a_while =
      snapshot.tracks.empty() &&
      (!seen_anyone_ || seconds_between(last_someone_, now) >= options_.leave_seconds);
  const auto not_served = [&](const TrackView* t) { return !served_.contains(t->id); };
  const bool someone_new_ready = std::any_of(ready.begin(), ready.end(), not_served);
  // One frame's time (at most half a second: the first step, or after a fault, is not a hold).
  const double dt = std::clamp(seconds_between(last_step_, now), 0.0, 0.5);
  last_step_ = now;
  const auto start_countdown_or_cards = [&] {
    if (options_.countdown_seconds > 0) {
      enter(GuestState::countdown, now);
    } else {
      cards_.clear();
      add_cards(snapshot, ready, now, true);
      enter(GuestState::result, now);
    }
  };

  switch (state_) {
    case GuestState::attract:
      if (paused_ || !someone_new_ready) break;
      if (options_.consent)
        enter(GuestState::consent, now);
      else
        start_countdown_or_cards();
      break;
    case GuestState::consent:
      // Holding still says yes. A face that is not "ready" for a frame or two (a detection
      // missed, landmarks that wobble at the yaw limit) takes back as much time as it lasts
      // instead of starting over, so a person who holds still is not held back by the detector.
      if (std::any_of(ready_now.begin(), ready_now.end(), not_served))
        consent_held_ += dt;
      else
        consent_held_ = std::max(0.0, consent_held_ - dt);
      if (nobody_for_a_while) {
        to_attract(now);
      } else if (consent_progress() >= 1.f) {
        start_countdown_or_cards();  // held still: the hands-free "yes"
      }
      break;
    case GuestState::countdown:
      if (nobody_for_a_while) {
        to_attract(now);  // they left before the picture
      } else if (countdown_remaining(now) <= 0 &&
                 std::any_of(ready_now.begin(), ready_now.end(), not_served)) {
        // Those who held on through the countdown are ready now (no second dwell).
        cards_.clear();
        add_cards(snapshot, ready_now, now, true);
        enter(GuestState::result, now);
      }  // at 0 with nobody ready (turned away): wait for them, or for them to leave
      break;
    case GuestState::result:
      for (auto& card : cards_) {
        auto it = std::find_if(snapshot.tracks.begin(), snapshot.tracks.end(),
                               [&](const TrackView& t) { return t.id == card.track_id; });
        card.present = it != snapshot.tracks.end();
        if (card.present) card.box = it->box;
      }
      if (nobody_for_a_while) {
        to_attract(now);
        break;
      }
      // Someone came back, or stepped in beside them (with consent on, newcomers wait their
      // turn: they have not said yes).
      if (someone_new_ready) add_cards(snapshot, ready, now, !options_.consent);
      if (std::all_of(cards_.begin(), cards_.end(), [&](const GuestCard& c) {
            return seconds_between(c.opened_at, now) >= options_.hold_seconds;
          }))
        to_attract(now);
      break;
    case GuestState::fault:
    case GuestState::back_soon:
      break;
  }
}

}  // namespace lookalike::app

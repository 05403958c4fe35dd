#include "lookalike/ui/view_models/kiosk.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

#include "lookalike/app/group_play.hpp"

namespace lookalike::ui {
namespace {

constexpr double kMorphCycleSeconds = 4.0;  // at least this long: there, a look, and back

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
void cast_new_cards(std::vector<KioskCard>& cards, std::size_t first_new) {
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
  const auto parts = app::assign_unique_cast(candidates);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    KioskCard& card = cards[first_new + i];
    if (parts[i])
      card.part = candidates[i][*parts[i]];
    else if (!card.matches.empty())
      card.part = card.matches.front();
  }
  // A card that was alone had no part yet: it keeps showing its top-1, now as its part.
  for (std::size_t i = 0; i < first_new; ++i)
    if (!cards[i].part && !cards[i].matches.empty()) cards[i].part = cards[i].matches.front();
}

}  // namespace

const IdentityMatch* KioskCard::shown() const {
  if (part) return &*part;
  return matches.empty() ? nullptr : &matches.front();
}

bool KioskCard::plays_other_part() const {
  return part && !matches.empty() && part->identity != matches.front().identity;
}

double kiosk_morph_t(double seconds, double hold_seconds) {
  if (hold_seconds <= 0) return 0;
  const double cycles = std::max(1.0, std::floor(hold_seconds / kMorphCycleSeconds));
  const double period = hold_seconds / cycles;
  const double phase = std::fmod(std::max(0.0, seconds), period) / period;  // 0..1
  const double x = 1 - std::abs(2 * phase - 1);                             // 0 -> 1 -> 0
  return x * x * (3 - 2 * x);
}

const char* to_string(KioskState state) {
  switch (state) {
    case KioskState::attract:
      return "attract";
    case KioskState::result:
      return "result";
    case KioskState::live:
      return "live";
  }
  return "?";
}

KioskStateMachine::KioskStateMachine(KioskOptions options) : options_(options) {}

double KioskStateMachine::seconds_in_state(Clock::time_point now) const {
  return seconds_between(entered_at_, now);
}

void KioskStateMachine::enter(KioskState state, Clock::time_point now) {
  state_ = state;
  entered_at_ = now;
}

KioskHint KioskStateMachine::assess(const TrackView& track, float frame_height,
                                    TrackState& st) const {
  const cv::Point2f center{track.box.x + track.box.width / 2, track.box.y + track.box.height / 2};
  const float jitter =
      static_cast<float>(cv::norm(center - st.last_center)) / std::max(track.box.width, 1.f);
  st.last_center = center;
  if (track.box.height < options_.min_face_height_fraction * frame_height)
    return KioskHint::come_closer;
  if (track.landmarks) {
    if (yaw_ratio(*track.landmarks) > options_.max_yaw_ratio) return KioskHint::look_at_camera;
  } else if (track.quality < options_.min_quality_without_landmarks) {
    return KioskHint::look_at_camera;
  }
  if (jitter > options_.max_center_jitter) return KioskHint::hold_still;
  if (!track.named()) return KioskHint::recognizing;
  return KioskHint::none;
}

void KioskStateMachine::update(const Snapshot& snapshot, Clock::time_point now) {
  if (!seen_anyone_ && entered_at_ == Clock::time_point{}) entered_at_ = now;
  const float frame_height =
      snapshot.frame.empty() ? 720.f : static_cast<float>(snapshot.frame.rows);

  // Per-track bookkeeping; entries of vanished tracks are dropped (bounded memory).
  std::unordered_map<std::uint64_t, TrackState> next;
  std::vector<const TrackView*> ready;
  engage_progress_ = 0;
  hint_ = snapshot.tracks.empty() ? KioskHint::none : KioskHint::come_closer;
  int best_hint_rank = -1;
  for (const auto& track : snapshot.tracks) {
    TrackState st;
    if (auto it = per_track_.find(track.id); it != per_track_.end()) {
      st = it->second;
    } else {
      st.last_center = {track.box.x + track.box.width / 2, track.box.y + track.box.height / 2};
    }
    const KioskHint h = assess(track, frame_height, st);
    if (h == KioskHint::none) {
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
    const int rank = h == KioskHint::none ? 5 : static_cast<int>(h);
    if (rank > best_hint_rank) {
      best_hint_rank = rank;
      hint_ = h;
    }
    next.emplace(track.id, st);
  }
  per_track_ = std::move(next);
  if (!snapshot.tracks.empty()) {
    last_someone_ = now;
    seen_anyone_ = true;
  }
  const bool nobody_for_a_while =
      snapshot.tracks.empty() &&
      (!seen_anyone_ || seconds_between(last_someone_, now) >= options_.leave_seconds);

  // Cards for the ready people not shown yet (left to right), after the cards already up.
  auto add_cards = [&] {
    std::sort(ready.begin(), ready.end(),
              [](const TrackView* a, const TrackView* b) { return a->box.x < b->box.x; });
    const std::size_t first_new = cards_.size();
    for (const TrackView* t : ready) {
      if (shown_.contains(t->id)) continue;
      // The person of a card, lost for a moment and found again as a new track (same place,
      // same person by dlib's verdict), keeps that card.
      const auto lost = std::find_if(cards_.begin(), cards_.end(), [&](const KioskCard& c) {
        return !c.present && c.embedding && t->embedding &&
               euclidean_distance(*c.embedding, *t->embedding) < kSamePersonDistance &&
               (c.box & t->box).area() > 0.5f * std::min(c.box.area(), t->box.area());
      });
      if (lost != cards_.end()) {
        lost->track_id = t->id;
        lost->present = true;
        lost->box = t->box;
        shown_.insert(t->id);
        continue;
      }
      if (static_cast<int>(cards_.size()) >= options_.max_cards) continue;
      KioskCard card;
      card.track_id = t->id;
      card.matches = t->matches;
      card.box = t->box;
      card.opened_at = now;
      card.frame = snapshot.frame;
      card.landmarks = t->landmarks;
      card.embedding = t->embedding;
      cards_.push_back(std::move(card));
      shown_.insert(t->id);
    }
    if (options_.unique_cast) cast_new_cards(cards_, first_new);
    std::stable_sort(cards_.begin(), cards_.end(),
                     [](const KioskCard& a, const KioskCard& b) { return a.box.x < b.box.x; });
  };
  auto open_cards = [&] {
    cards_.clear();
    add_cards();
    enter(KioskState::result, now);
  };
  auto has_unshown_ready = [&] {
    return std::any_of(ready.begin(), ready.end(),
                       [&](const TrackView* t) { return !shown_.contains(t->id); });
  };

  switch (state_) {
    case KioskState::attract:
      if (has_unshown_ready()) open_cards();
      break;
    case KioskState::result:
      for (auto& card : cards_) {
        auto it = std::find_if(snapshot.tracks.begin(), snapshot.tracks.end(),
                               [&](const TrackView& t) { return t.id == card.track_id; });
        card.present = it != snapshot.tracks.end();
        if (card.present) card.box = it->box;
      }
      if (nobody_for_a_while) {
        cards_.clear();
        shown_.clear();
        enter(KioskState::attract, now);
      } else {
        if (has_unshown_ready()) add_cards();  // someone stepped in beside them, or came back
        if (std::all_of(cards_.begin(), cards_.end(), [&](const KioskCard& c) {
              return seconds_between(c.opened_at, now) >= options_.hold_seconds;
            })) {
          cards_.clear();
          enter(KioskState::live, now);
        }
      }
      break;
    case KioskState::live:
      if (nobody_for_a_while) {
        shown_.clear();
        enter(KioskState::attract, now);
      } else if (has_unshown_ready()) {
        open_cards();
      }
      break;
  }
  // shown_ only needs ids that may still come back; forget ids of tracks that are gone.
  std::erase_if(shown_, [&](std::uint64_t id) { return !per_track_.contains(id); });
}

void KioskExitGate::chord() {
  if (pin_.empty()) {
    unlocked_ = true;
    return;
  }
  prompting_ = true;
  typed_.clear();
}

void KioskExitGate::type(char digit) {
  constexpr std::size_t kMaxPinLength = 12;
  if (!prompting_ || digit < '0' || digit > '9' || typed_.size() >= kMaxPinLength) return;
  typed_.push_back(digit);
}

void KioskExitGate::backspace() {
  if (!typed_.empty()) typed_.pop_back();
}

void KioskExitGate::cancel() {
  prompting_ = false;
  typed_.clear();
}

bool KioskExitGate::submit() {
  if (!prompting_) return false;
  if (typed_ == pin_) {
    unlocked_ = true;
    prompting_ = false;
  } else {
    ++failures_;
  }
  typed_.clear();
  return unlocked_;
}

}  // namespace lookalike::ui

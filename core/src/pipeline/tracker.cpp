// Tracker: IoU association, embedding split, running mean, hysteresis (see tracker.hpp).
#include "lookalike/pipeline/tracker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/imgproc.hpp>

namespace lookalike {
namespace {

// Side of the gray thumbnail used to notice that a face changed since its last embedding.
constexpr int kThumbnailSide = 16;
// Quality weight floor: a blurry face still counts a little (quality may be 0).
constexpr float kMinEmbeddingWeight = 0.05f;

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.f;
}

cv::Rect2f smooth(const cv::Rect2f& old_box, const cv::Rect2f& new_box, float alpha) {
  return {old_box.x + alpha * (new_box.x - old_box.x), old_box.y + alpha * (new_box.y - old_box.y),
          old_box.width + alpha * (new_box.width - old_box.width),
          old_box.height + alpha * (new_box.height - old_box.height)};
}

}  // namespace

float thumbnail_difference(const cv::Mat& a, const cv::Mat& b) {
  if (a.empty() || b.empty() || a.size() != b.size() || a.type() != b.type()) return 255.f;
  cv::Mat diff;
  cv::absdiff(a, b, diff);
  return static_cast<float>(cv::mean(diff)[0]);
}

cv::Mat face_thumbnail(const cv::Mat& bgr, const cv::Rect& box) {
  const cv::Rect clipped = box & cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (clipped.area() <= 0) return {};
  cv::Mat gray, small;
  cv::cvtColor(bgr(clipped), gray, cv::COLOR_BGR2GRAY);
  cv::resize(gray, small, {kThumbnailSide, kThumbnailSide}, 0, 0, cv::INTER_AREA);
  return small;
}

Tracker::Tracker(TrackerOptions options) : options_(options) {}

Tracker::Track* Tracker::find(std::uint64_t id) {
  auto it =
      std::find_if(tracks_.begin(), tracks_.end(), [&](const Track& t) { return t.id == id; });
  return it == tracks_.end() ? nullptr : &*it;
}
const Tracker::Track* Tracker::find(std::uint64_t id) const {
  return const_cast<Tracker*>(this)->find(id);
}

bool Tracker::update(std::uint64_t seq, Clock::time_point captured_at,
                     const std::vector<FaceObservation>& faces) {
  if (last_seq_ && seq <= *last_seq_) return false;
  last_seq_ = seq;

  // Greedy association by descending IoU (faces rarely overlap, so greedy equals optimal in
  // practice and keeps this O(F*T log) with tiny F and T).
  struct Pair {
    float iou;
    std::size_t face, track;
  };
  std::vector<Pair> pairs;
  for (std::size_t f = 0; f < faces.size(); ++f)
    for (std::size_t t = 0; t < tracks_.size(); ++t) {
      const float v = iou(cv::Rect2f(faces[f].box), tracks_[t].box);
      if (v >= options_.min_iou) pairs.push_back({v, f, t});
    }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.iou > b.iou; });
  std::vector<bool> face_used(faces.size(), false), track_used(tracks_.size(), false);
  assignment_.assign(faces.size(), 0);
  for (const Pair& p : pairs) {
    if (face_used[p.face] || track_used[p.track]) continue;
    face_used[p.face] = track_used[p.track] = true;
    Track& t = tracks_[p.track];
    const FaceObservation& face = faces[p.face];
    const cv::Rect2f before = t.box;
    t.box = smooth(t.box, cv::Rect2f(face.box), options_.box_smoothing);
    if (seq > t.last_seq) {
      const float frames = static_cast<float>(seq - t.last_seq);
      const cv::Point2f moved = (t.box.tl() - before.tl()) / frames;
      t.velocity = t.velocity + options_.box_smoothing * (moved - t.velocity);
    }
    t.last_seq = seq;
    if (face.landmarks) t.landmarks = face.landmarks;
    t.missed_frames = 0;
    assignment_[p.face] = t.id;
  }
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    ++tracks_[t].age_frames;
    ++tracks_[t].frames_since_embed;
    if (!track_used[t]) ++tracks_[t].missed_frames;
  }
  std::erase_if(tracks_,
                [&](const Track& t) { return t.missed_frames > options_.max_missed_frames; });
  for (std::size_t f = 0; f < faces.size(); ++f) {
    if (face_used[f]) continue;
    Track t;
    t.id = next_id_++;
    t.box = cv::Rect2f(faces[f].box);
    t.last_seq = seq;
    t.landmarks = faces[f].landmarks;
    t.first_seen = captured_at;
    tracks_.push_back(std::move(t));
    assignment_[f] = tracks_.back().id;
  }
  return true;
}

bool Tracker::claim_embedding(std::uint64_t id, const FaceObservation& face) {
  Track* t = find(id);
  if (!t) return false;
  bool want = false;
  if (!t->has_embedding) {
    // New track: embed once; a pending request blocks duplicates until it is overdue.
    want = !t->embed_pending || t->frames_since_embed >= options_.reembed_interval;
  } else if (t->frames_since_embed >= options_.reembed_interval) {
    want = true;
  } else if (!t->embed_pending) {
    const float change = thumbnail_difference(face.thumbnail, t->last_embed_thumbnail);
    want = face.quality >= t->last_embed_quality + options_.requality_gain ||
           change > options_.appearance_change;
    if (want)
      spdlog::trace("track {}: re-embed early (quality {:.2f} -> {:.2f}, change {:.1f})", t->id,
                    t->last_embed_quality, face.quality, change);
  }
  if (want) {
    t->embed_pending = true;
    t->frames_since_embed = 0;
  }
  return want;
}

void Tracker::fold_embedding(Track& t, const Embedding& embedding, float quality,
                             const GenderAgeEstimate& estimate) const {
  const float w = std::max(quality, kMinEmbeddingWeight);
  if (!t.has_embedding) {
    t.mean = embedding;
    t.weight_sum = w;
    t.has_embedding = true;
  } else {
    const float total = t.weight_sum + w;
    for (std::size_t i = 0; i < kEmbeddingDim; ++i)
      t.mean[i] = (t.mean[i] * t.weight_sum + embedding[i] * w) / total;
    // Cap the history so that old looks fade out (at most mean_window full-quality faces).
    t.weight_sum = std::min(total, static_cast<float>(options_.mean_window));
  }
  t.best_quality = std::max(t.best_quality, quality);
  if (estimate.known()) {
    t.estimates.push_back(estimate);
    const auto window = static_cast<std::size_t>(std::max(1, options_.mean_window));
    if (t.estimates.size() > window)
      t.estimates.erase(t.estimates.begin(),
                        t.estimates.end() - static_cast<std::ptrdiff_t>(window));
    t.gender_age = combine_estimates(t.estimates);
  }
}

std::optional<Tracker::EmbeddingUpdate> Tracker::add_embedding(
    std::uint64_t id, const Embedding& embedding, float quality, const cv::Mat& thumbnail,
    Clock::time_point seen_at, const GenderAgeEstimate& estimate) {
  Track* t = find(id);
  if (!t) return std::nullopt;
  t->embed_pending = false;
  const float from_mean = t->has_embedding ? euclidean_distance(t->mean, embedding) : 0.f;
  if (t->has_embedding)
    spdlog::trace("track {}: new embedding {:.3f} from the mean", t->id, from_mean);
  if (t->has_embedding && from_mean > options_.split_embedding_distance) {
    const bool confirms = t->held && euclidean_distance(t->held->embedding, embedding) <=
                                         options_.split_embedding_distance;
    if (!confirms && from_mean <= options_.clear_split_distance) {
      // Maybe another person, maybe an odd frame: hold it back and look again at once.
      t->held = Track::HeldFace{embedding, quality, seen_at, estimate};
      t->frames_since_embed = options_.reembed_interval;
      return EmbeddingUpdate{t->id, t->mean, t->gender_age};
    }
    // Someone else, clearly or by two faces in a row: restart the track under a new id, from
    // the first face of that person.
    spdlog::debug("track {}: embedding moved {:.2f} from its mean, new track {}", t->id, from_mean,
                  next_id_);
    const std::optional<Track::HeldFace> first = confirms ? t->held : std::nullopt;
    Track fresh;
    fresh.id = next_id_++;
    fresh.box = t->box;
    fresh.velocity = t->velocity;
    fresh.last_seq = t->last_seq;
    fresh.landmarks = t->landmarks;
    fresh.first_seen = first ? first->seen_at : seen_at;
    *t = std::move(fresh);
    if (first) fold_embedding(*t, first->embedding, first->quality, first->estimate);
  } else {
    t->held.reset();
  }
  fold_embedding(*t, embedding, quality, estimate);
  t->last_embed_quality = quality;
  t->last_embed_thumbnail = thumbnail;
  t->frames_since_embed = 0;
  return EmbeddingUpdate{t->id, t->mean, t->gender_age};
}

void Tracker::apply_matches(std::uint64_t id, std::vector<IdentityMatch> matches,
                            Clock::time_point now) {
  Track* t = find(id);
  if (!t || matches.empty()) return;
  auto name_now = [&] {
    t->shown = std::move(matches);
    t->challenger.reset();
    t->challenger_count = 0;
  };
  if (t->shown.empty()) {
    name_now();
    if (!t->face_to_name_ms) {
      t->face_to_name_ms = std::chrono::duration<double, std::milli>(now - t->first_seen).count();
      face_to_name_ms_.push_back(*t->face_to_name_ms);
    }
    return;
  }
  const std::uint32_t current = t->shown.front().identity;
  const IdentityMatch& best = matches.front();
  if (best.identity == current) {
    name_now();
    return;
  }
  // Where does the shown identity stand in the new ranking?
  float current_distance = std::numeric_limits<float>::infinity();
  for (const IdentityMatch& m : matches)
    if (m.identity == current) current_distance = m.distance;
  if (best.distance + options_.switch_margin < current_distance) {
    if (t->challenger == best.identity) {
      ++t->challenger_count;
    } else {
      t->challenger = best.identity;
      t->challenger_count = 1;
    }
    if (t->challenger_count >= options_.switch_updates) {
      name_now();
      return;
    }
  } else {
    t->challenger.reset();
    t->challenger_count = 0;
  }
  // Keep the shown top-1 but refresh its numbers; the rest of the list follows the new
  // ranking.
  IdentityMatch kept = t->shown.front();
  for (const IdentityMatch& m : matches)
    if (m.identity == current) kept = m;
  std::vector<IdentityMatch> shown{kept};
  for (IdentityMatch& m : matches)
    if (m.identity != current && shown.size() < matches.size()) shown.push_back(std::move(m));
  t->shown = std::move(shown);
}

void Tracker::clear_matches() {
  for (Track& t : tracks_) {
    t.shown.clear();
    t.challenger.reset();
    t.challenger_count = 0;
    t.frames_since_embed = options_.reembed_interval;  // query again at the next frame
  }
}

void Tracker::release_claim(std::uint64_t id) {
  if (Track* t = find(id)) {
    t->embed_pending = false;
    t->frames_since_embed = std::max(t->frames_since_embed, options_.reembed_interval);
  }
}

std::vector<TrackView> Tracker::views(std::optional<std::uint64_t> display_seq) const {
  std::vector<TrackView> out;
  out.reserve(tracks_.size());
  for (const Track& t : tracks_) {
    TrackView v;
    v.id = t.id;
    v.box = t.box;
    if (display_seq && *display_seq > t.last_seq) {
      const auto ahead = static_cast<float>(std::min<std::uint64_t>(
          *display_seq - t.last_seq, static_cast<std::uint64_t>(options_.max_predict_frames)));
      v.box.x += t.velocity.x * ahead;
      v.box.y += t.velocity.y * ahead;
    }
    v.landmarks = t.landmarks;
    v.matches = t.shown;
    if (t.has_embedding) v.embedding = t.mean;
    v.quality = t.best_quality;
    v.gender_age = t.gender_age;
    v.age_frames = t.age_frames;
    v.missed_frames = t.missed_frames;
    out.push_back(std::move(v));
  }
  return out;
}

void Tracker::set_reembed_interval(int frames) {
  options_.reembed_interval = std::max(1, frames);
}

}  // namespace lookalike

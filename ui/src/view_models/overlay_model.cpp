#include "lookalike/ui/view_models/overlay_model.hpp"

#include <algorithm>
#include <cmath>

namespace lookalike::ui {

void OverlayAnimator::update(const std::vector<TrackView>& tracks, double dt_seconds) {
  const float dt = static_cast<float>(std::max(0.0, dt_seconds));
  const float follow = 1.f - std::exp(-dt / std::max(options_.position_time_constant_s, 1e-4f));
  for (auto& animated : tracks_) animated.alive = false;
  for (const auto& track : tracks) {
    auto it = std::find_if(tracks_.begin(), tracks_.end(),
                           [&](const AnimatedTrack& a) { return a.id == track.id; });
    if (it == tracks_.end()) {
      tracks_.push_back({track.id, track.box, 0.f, true, track});
      it = std::prev(tracks_.end());
    } else {
      auto& b = it->box;
      b.x += (track.box.x - b.x) * follow;
      b.y += (track.box.y - b.y) * follow;
      b.width += (track.box.width - b.width) * follow;
      b.height += (track.box.height - b.height) * follow;
      it->view = track;
      it->alive = true;
    }
  }
  for (auto& animated : tracks_) {
    if (animated.alive)
      animated.alpha = std::min(1.f, animated.alpha + dt / std::max(options_.fade_in_s, 1e-4f));
    else
      animated.alpha = std::max(0.f, animated.alpha - dt / std::max(options_.fade_out_s, 1e-4f));
  }
  std::erase_if(tracks_, [](const AnimatedTrack& a) { return !a.alive && a.alpha <= 0.f; });
}

}  // namespace lookalike::ui

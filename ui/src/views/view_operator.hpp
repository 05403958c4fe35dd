// The kiosk operator window's view: the live camera, what the guests see, people served, the
// source and pipeline health, the operator messages, reset / pause / pick camera, and the
// settings behind the kiosk PIN. A pure view over OperatorStatus: it reads nothing else of
// the app and changes nothing; what the operator clicked comes back as OperatorActions.
//
// Contract: main thread, inside an ImGui frame of the operator window (its ImGui context
// current). `settings_controls` draws the settings (the side panel's controls) and is called
// only while status.settings_unlocked. `camera` may be null or empty (a placeholder is drawn).
#pragma once

#include <array>
#include <functional>

#include "gl/window.hpp"
#include "lookalike/ui/gl/texture.hpp"
#include "lookalike/ui/view_models/operator.hpp"
#include "views/draw_util.hpp"

namespace lookalike::ui {

// What the view keeps between frames: the PIN being typed.
struct OperatorViewState {
  std::array<char, 16> pin{};
};

struct OperatorFrame {
  OperatorActions actions;
  Rect camera;        // where the camera picture was drawn (window coordinates)
  Rect pause_button;  // where Pause / Resume is (tests click it)
};

OperatorFrame draw_operator(const OperatorStatus& status, const Texture* camera,
                            OperatorViewState& state, const Fonts& fonts, float scale,
                            const std::function<void()>& settings_controls);

}  // namespace lookalike::ui

// The feature-shape bars of a result card (photo mode's cards, the kiosk's): a one-line note
// saying what they measure ("compares face shapes, not identity"), then five small labelled
// bars side by side (app/feature_resemblance.hpp). Main thread only (draws into a draw list).
#pragma once

#include <imgui.h>

#include <string>

#include "gl/window.hpp"
#include "harness/frame_layout.hpp"
#include "lookalike/app/feature_resemblance.hpp"

namespace lookalike::ui {

// The height of the block: the note line, then a label line over thin bars.
float feature_bars_height(const Fonts& f, float s);

// The bars for `part` at `min`, `width` wide; returns what was drawn (for the screenshot layout).
DrawnFeatures draw_feature_bars(ImDrawList* dl, const Fonts& f, float s, ImVec2 min, float width,
                                const app::FeatureValues& percent, const std::string& part);

}  // namespace lookalike::ui

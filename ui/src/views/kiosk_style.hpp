// The kiosk's look: the event's colours from the kiosk settings as ImGui colours, and the
// centred / wrapped text the guest screens use. Main thread only (draws into ImGui lists).
#pragma once

#include <imgui.h>

#include <string>
#include <vector>

#include "lookalike/ui/view_models/settings.hpp"

namespace lookalike::ui::kiosk {

struct Palette {
  ImU32 background, accent, text, text_dim;
};
// From "#RRGGBB" settings (checked at load: a bad one is already the default here).
Palette palette(const KioskSettings& settings);

void centered_text(ImDrawList* dl, ImFont* font, float size, float cx, float y, ImU32 color,
                   const std::string& text);
// `text` broken at spaces into lines at most `max_width` wide at `font`'s size.
std::vector<std::string> wrap(ImFont* font, float size, const std::string& text, float max_width);

}  // namespace lookalike::ui::kiosk

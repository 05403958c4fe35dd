// Small ImDrawList helpers shared by the views: colours, fitted text, rounded images, bars.
// Main thread only (they draw into ImGui draw lists).
#pragma once

#include <imgui.h>

#include <string>

#include "lookalike/app/task.hpp"
#include "lookalike/ui/gl/texture.hpp"

namespace lookalike::ui {

// A rectangle in window coordinates.
struct Rect {
  ImVec2 min, max;
  float width() const { return max.x - min.x; }
  float height() const { return max.y - min.y; }
};

}  // namespace lookalike::ui

namespace lookalike::ui::draw {

// The overlay's palette. Teal: a confident look-alike; amber: low resemblance; slate: still
// analyzing. Chosen to stay readable on both bright and dark camera images.
inline constexpr ImU32 kMatch = IM_COL32(51, 196, 176, 255);
inline constexpr ImU32 kTwins = IM_COL32(237, 120, 199, 255);  // the closest pair of people
inline constexpr ImU32 kLow = IM_COL32(242, 172, 58, 255);
inline constexpr ImU32 kPending = IM_COL32(150, 162, 180, 255);
inline constexpr ImU32 kCardBg = IM_COL32(14, 16, 20, 215);
inline constexpr ImU32 kText = IM_COL32(236, 238, 242, 255);
inline constexpr ImU32 kTextDim = IM_COL32(160, 166, 176, 255);
inline constexpr ImU32 kError = IM_COL32(236, 92, 92, 255);

ImU32 with_alpha(ImU32 color, float alpha);
// `text` shortened with "..." so that it fits `max_width` at `font`'s size.
std::string fit_text(ImFont* font, float size, const std::string& text, float max_width);
ImVec2 text_size(ImFont* font, float size, const std::string& text);
void text(ImDrawList* dl, ImFont* font, float size, ImVec2 pos, ImU32 color,
          const std::string& text, bool shadow = false);
// The texture letterboxed into [min, max] with rounded corners, or a placeholder with the
// initials of `name` while the texture is not ready.
void image_or_placeholder(ImDrawList* dl, const Texture* texture, ImVec2 min, ImVec2 max,
                          float rounding, float alpha, const std::string& name, ImFont* font);
void percent_bar(ImDrawList* dl, ImVec2 min, ImVec2 max, float percent, ImU32 color, float alpha);
std::string percent_text(float percent);
// The twins announcement: "These two could be siblings" only when they really look alike
// (dlib's same-person margin maps to 50 %), else the plainer "The two most alike here".
std::string twins_caption(float similarity_percent);
// Corner brackets of a face box plus a faint full outline.
void face_box(ImDrawList* dl, ImVec2 min, ImVec2 max, ImU32 color, float alpha, float scale);

// A background task as one row: its progress bar with the status text, then a Cancel button
// (`id` keeps the button distinct when several rows are shown). An ImGui widget row.
void task_row(app::Task& task, const char* id, float button_width);

}  // namespace lookalike::ui::draw

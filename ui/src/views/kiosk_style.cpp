#include "views/kiosk_style.hpp"

#include <sstream>

#include "views/draw_util.hpp"

namespace lookalike::ui::kiosk {
namespace {

ImU32 to_imgui(const std::string& hex, const std::string& fallback) {
  const auto rgb = parse_rgb(hex);
  const Rgb c = rgb ? *rgb : parse_rgb(fallback).value_or(Rgb{});
  return IM_COL32(c.r, c.g, c.b, 255);
}

}  // namespace

Palette palette(const KioskSettings& settings) {
  const KioskSettings defaults;
  Palette p{};
  p.background = to_imgui(settings.background, defaults.background);
  p.accent = to_imgui(settings.accent, defaults.accent);
  p.text = to_imgui(settings.text, defaults.text);
  p.text_dim = draw::with_alpha(p.text, 0.7f);
  return p;
}

void centered_text(ImDrawList* dl, ImFont* font, float size, float cx, float y, ImU32 color,
                   const std::string& text) {
  const ImVec2 ts = draw::text_size(font, size, text);
  draw::text(dl, font, size, {cx - ts.x / 2, y}, color, text, true);
}

std::vector<std::string> wrap(ImFont* font, float size, const std::string& text, float max_width) {
  std::vector<std::string> lines;
  std::istringstream words(text);
  std::string word, line;
  while (words >> word) {
    const std::string longer = line.empty() ? word : line + ' ' + word;
    if (!line.empty() && draw::text_size(font, size, longer).x > max_width) {
      lines.push_back(line);
      line = word;
    } else {
      line = longer;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace lookalike::ui::kiosk

#include "views/draw_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace lookalike::ui::draw {

ImU32 with_alpha(ImU32 color, float alpha) {
  const auto a =
      static_cast<unsigned>(((color >> IM_COL32_A_SHIFT) & 0xFF) * std::clamp(alpha, 0.f, 1.f));
  return (color & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

ImVec2 text_size(ImFont* font, float size, const std::string& text) {
  return font->CalcTextSizeA(size, FLT_MAX, 0.f, text.c_str());
}

std::string fit_text(ImFont* font, float size, const std::string& text, float max_width) {
  if (text_size(font, size, text).x <= max_width) return text;
  std::string cut = text;
  while (!cut.empty()) {
    // Drop whole UTF-8 sequences.
    do cut.pop_back();
    while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80);
    if (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0x80)) cut.pop_back();
    if (text_size(font, size, cut + "...").x <= max_width) return cut + "...";
  }
  return "";
}

void text(ImDrawList* dl, ImFont* font, float size, ImVec2 pos, ImU32 color,
          const std::string& text, bool shadow) {
  if (shadow) {
    const ImU32 sh =
        with_alpha(IM_COL32(0, 0, 0, 200), ((color >> IM_COL32_A_SHIFT) & 0xFF) / 255.f);
    dl->AddText(font, size, {pos.x + 1, pos.y + 1}, sh, text.c_str());
  }
  dl->AddText(font, size, pos, color, text.c_str());
}

void image_or_placeholder(ImDrawList* dl, const Texture* texture, ImVec2 min, ImVec2 max,
                          float rounding, float alpha, const std::string& name, ImFont* font) {
  const ImU32 white = with_alpha(IM_COL32_WHITE, alpha);
  if (texture && texture->valid()) {
    // Centre-crop to the box's aspect (thumbnails are square crops already).
    const float bw = max.x - min.x, bh = max.y - min.y;
    const float tw = static_cast<float>(texture->size().width),
                th = static_cast<float>(texture->size().height);
    ImVec2 uv0{0, 0}, uv1{1, 1};
    if (tw > 0 && th > 0) {
      const float box_aspect = bw / bh, tex_aspect = tw / th;
      if (tex_aspect > box_aspect) {
        const float keep = box_aspect / tex_aspect;
        uv0.x = (1 - keep) / 2;
        uv1.x = 1 - uv0.x;
      } else {
        const float keep = tex_aspect / box_aspect;
        uv0.y = (1 - keep) / 2;
        uv1.y = 1 - uv0.y;
      }
    }
    dl->AddImageRounded(texture->imgui_id(), min, max, uv0, uv1, white, rounding);
    return;
  }
  dl->AddRectFilled(min, max, with_alpha(IM_COL32(40, 44, 52, 255), alpha), rounding);
  std::string initials;
  bool start = true;
  for (char c : name) {
    if (c == ' ')
      start = true;
    else if (start && initials.size() < 2) {
      initials.push_back(c);
      start = false;
    }
  }
  const float size = (max.y - min.y) * 0.38f;
  const ImVec2 ts = text_size(font, size, initials);
  text(dl, font, size, {(min.x + max.x - ts.x) / 2, (min.y + max.y - ts.y) / 2},
       with_alpha(IM_COL32(150, 156, 168, 255), alpha), initials);
}

void percent_bar(ImDrawList* dl, ImVec2 min, ImVec2 max, float percent, ImU32 color, float alpha) {
  const float r = (max.y - min.y) / 2;
  dl->AddRectFilled(min, max, with_alpha(IM_COL32(255, 255, 255, 40), alpha), r);
  const float w = (max.x - min.x) * std::clamp(percent / 100.f, 0.f, 1.f);
  if (w > 1)
    dl->AddRectFilled(min, {min.x + std::max(w, 2 * r), max.y}, with_alpha(color, alpha), r);
}

std::string percent_text(float percent) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", std::clamp(percent, 0.f, 100.f));
  return buf;
}

std::string twins_caption(float similarity_percent) {
  return (similarity_percent >= 50.f ? "These two could be siblings: "
                                     : "The two most alike here: ") +
         percent_text(similarity_percent);
}

void face_box(ImDrawList* dl, ImVec2 min, ImVec2 max, ImU32 color, float alpha, float s) {
  const float w = max.x - min.x, h = max.y - min.y;
  const float len = std::min(w, h) * 0.24f;
  const float th = 3.2f * s;
  const ImU32 c = with_alpha(color, alpha);
  dl->AddRect(min, max, with_alpha(color, alpha * 0.45f), 6 * s, 0, 1.5f * s);
  const ImU32 shadow = with_alpha(IM_COL32(0, 0, 0, 110), alpha);
  auto corner = [&](ImVec2 p, float dx, float dy) {
    const ImVec2 pts[3] = {{p.x, p.y + dy * len}, p, {p.x + dx * len, p.y}};
    const ImVec2 spts[3] = {
        {pts[0].x + 1, pts[0].y + 1}, {p.x + 1, p.y + 1}, {pts[2].x + 1, pts[2].y + 1}};
    dl->AddPolyline(spts, 3, shadow, 0, th + 1.5f * s);
    dl->AddPolyline(pts, 3, c, 0, th);
  };
  corner(min, 1, 1);
  corner({max.x, min.y}, -1, 1);
  corner({min.x, max.y}, 1, -1);
  corner(max, -1, -1);
}

void task_row(app::Task& task, const char* id, float button_width) {
  const auto status = task.status();
  const float fraction = status.fraction < 0 ? 0.f : static_cast<float>(status.fraction);
  ImGui::ProgressBar(fraction, ImVec2(-button_width, 0), status.text.c_str());
  ImGui::SameLine();
  ImGui::PushID(id);
  if (ImGui::Button("Cancel")) task.cancel();
  ImGui::PopID();
}

}  // namespace lookalike::ui::draw

// The face map: the gallery's identities in 2-D (look-alikes together, app::FaceMap), with the
// people in front of the camera placed live among their matches. Drag pans, the wheel zooms
// around the pointer, hovering names an identity; thumbnails appear once they are large enough
// to read (dots below that, so a 13k gallery stays one draw list of circles).
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app_impl.hpp"
#include "views/draw_util.hpp"

namespace lookalike::ui {
namespace {

constexpr float kMinZoom = 0.5f, kMaxZoom = 40.f;
constexpr float kThumbnailMinPixels = 22.f;  // smaller: a dot
constexpr int kMaxThumbnailsDrawn = 200;     // beyond: dots (the thumbnail cache holds 256)

}  // namespace

void App::draw_map(const Rect& area) {
  const float s = window_->scale();
  const Fonts& f = window_->fonts();
  take_latest_snapshot();
  layout_.frame = area;
  ImGui::SetNextWindowPos(area.min);
  ImGui::SetNextWindowSize({area.width(), area.height()});
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.06f, 0.065f, 0.08f, 1.f));
  ImGui::Begin("##map", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoScrollWithMouse);
  auto finish = [] {
    ImGui::End();
    ImGui::PopStyleColor();
  };
  if (!face_map_) {
    if (map_task_)
      draw::task_row(*map_task_, "map", 90 * s);
    else
      ImGui::TextDisabled(gallery_ ? "Preparing the face map..." : "Open a gallery first.");
    return finish();
  }
  const auto& points = face_map_->points;
  ImGui::PushFont(f.bold);
  ImGui::Text("Face map: %zu people", points.size());
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::TextDisabled(
      "  look-alikes sit together. Drag to pan, wheel to zoom, hover for names. Esc: back");

  const ImVec2 c0 = ImGui::GetCursorScreenPos();
  const ImVec2 size = ImGui::GetContentRegionAvail();
  ImGui::InvisibleButton("##canvas", size);
  const ImGuiIO& io = ImGui::GetIO();
  // 80 %: room at the edges for the thumbnails and the labels of points near them.
  const float side = std::max(1.f, std::min(size.x, size.y) * 0.8f);
  const ImVec2 centre{c0.x + size.x / 2, c0.y + size.y / 2};
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    map_pan_.x += io.MouseDelta.x;
    map_pan_.y += io.MouseDelta.y;
  }
  if (ImGui::IsItemHovered() && io.MouseWheel != 0) {
    // Zoom around the pointer: the map point under it stays under it.
    const float zoom = std::clamp(map_zoom_ * std::pow(1.2f, io.MouseWheel), kMinZoom, kMaxZoom);
    const float wx = (io.MousePos.x - centre.x - map_pan_.x) / (side * map_zoom_);
    const float wy = (io.MousePos.y - centre.y - map_pan_.y) / (side * map_zoom_);
    map_pan_ = {io.MousePos.x - centre.x - wx * side * zoom,
                io.MousePos.y - centre.y - wy * side * zoom};
    map_zoom_ = zoom;
  }
  auto to_screen = [&](cv::Point2f p) {
    return ImVec2(centre.x + map_pan_.x + (p.x - 0.5f) * side * map_zoom_,
                  centre.y + map_pan_.y + (p.y - 0.5f) * side * map_zoom_);
  };

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->PushClipRect(c0, {c0.x + size.x, c0.y + size.y}, true);
  const float thumb =
      std::clamp(side * map_zoom_ /
                     std::sqrt(static_cast<float>(std::max<std::size_t>(points.size(), 1))) * 0.6f,
                 6 * s, 96 * s);
  const auto inside = [&](ImVec2 p) {
    return p.x > c0.x - thumb && p.y > c0.y - thumb && p.x < c0.x + size.x + thumb &&
           p.y < c0.y + size.y + thumb;
  };
  int visible = 0;
  for (const auto& p : points) visible += inside(to_screen(p)) ? 1 : 0;
  const bool thumbnails = thumb >= kThumbnailMinPixels * s && visible <= kMaxThumbnailsDrawn;
  int hovered = -1;
  float hovered_d = thumb / 2 + 4 * s;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const ImVec2 p = to_screen(points[i]);
    if (!inside(p)) continue;
    ++layout_.map_identities;
    const auto id = static_cast<std::uint32_t>(i);
    if (thumbnails) {
      const Texture* t = thumbnails_ ? thumbnails_->get(id) : nullptr;
      draw::image_or_placeholder(dl, t, {p.x - thumb / 2, p.y - thumb / 2},
                                 {p.x + thumb / 2, p.y + thumb / 2}, 5 * s, 1.f,
                                 gallery_->identity_name(id), f.bold);
    } else {
      dl->AddCircleFilled(p, std::max(2.f * s, thumb / 4), IM_COL32(150, 162, 180, 200));
    }
    const float d = std::hypot(io.MousePos.x - p.x, io.MousePos.y - p.y);
    if (ImGui::IsItemHovered() && d < hovered_d) {
      hovered_d = d;
      hovered = static_cast<int>(i);
    }
  }
  // The people in front of the camera, among their matches.
  if (shown_)
    for (const TrackView& track : shown_->tracks) {
      if (!track.named()) continue;
      const ImVec2 p = to_screen(app::place_among(*face_map_, track.matches));
      for (const auto& m : track.matches)
        if (m.identity < points.size())
          dl->AddLine(p, to_screen(points[m.identity]), draw::with_alpha(draw::kMatch, 0.5f),
                      1.5f * s);
      dl->AddCircle(p, thumb / 2 + 8 * s, draw::kMatch, 0, 3 * s);
      draw::text(dl, f.bold, f.bold->FontSize, {p.x + thumb / 2 + 12 * s, p.y - 8 * s},
                 draw::kMatch, "you: " + track.matches.front().name, true);
      ++layout_.map_people;
    }
  dl->PopClipRect();
  if (hovered >= 0) {
    const auto id = static_cast<std::uint32_t>(hovered);
    ImGui::BeginTooltip();
    if (const Texture* t = thumbnails_ ? thumbnails_->get(id) : nullptr; t && t->valid())
      ImGui::Image(t->imgui_id(), {96 * s, 96 * s});
    ImGui::TextUnformatted(gallery_->identity_name(id).c_str());
    ImGui::EndTooltip();
  }
  finish();
}

}  // namespace lookalike::ui

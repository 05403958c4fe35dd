#include "views/view_operator.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

namespace lookalike::ui {
namespace {

const ImVec4 kErrorText{0.95f, 0.5f, 0.45f, 1};
const ImVec4 kGoodText{0.3f, 0.8f, 0.72f, 1};
const ImVec4 kWarnText{0.95f, 0.7f, 0.3f, 1};

void heading(const char* title, ImFont* bold) {
  ImGui::Spacing();
  ImGui::PushFont(bold);
  ImGui::TextUnformatted(title);
  ImGui::PopFont();
  ImGui::Separator();
}

std::string duration_text(double seconds) {
  const long s = static_cast<long>(std::max(0.0, seconds));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ldh %02ldm %02lds", s / 3600, s / 60 % 60, s % 60);
  return buf;
}

// The camera picture letterboxed into `area`; the rect it took.
Rect draw_camera(ImDrawList* dl, const Texture* camera, const Rect& area, const Fonts& fonts) {
  dl->AddRectFilled(area.min, area.max, IM_COL32(0, 0, 0, 255), 6);
  if (!camera || !camera->valid() || camera->size().area() == 0) {
    const char* text = "No camera picture";
    const ImVec2 ts = draw::text_size(fonts.bold, fonts.bold->FontSize, text);
    draw::text(dl, fonts.bold, fonts.bold->FontSize,
               {area.min.x + (area.width() - ts.x) / 2, area.min.y + (area.height() - ts.y) / 2},
               draw::kTextDim, text);
    return area;
  }
  const cv::Size size = camera->size();
  const float k = std::min(area.width() / static_cast<float>(size.width),
                           area.height() / static_cast<float>(size.height));
  const ImVec2 extent{static_cast<float>(size.width) * k, static_cast<float>(size.height) * k};
  const ImVec2 min{area.min.x + (area.width() - extent.x) / 2,
                   area.min.y + (area.height() - extent.y) / 2};
  const Rect drawn{min, {min.x + extent.x, min.y + extent.y}};
  dl->AddImage(camera->imgui_id(), drawn.min, drawn.max);
  return drawn;
}

void draw_controls(const OperatorStatus& status, OperatorFrame& frame) {
  OperatorActions& actions = frame.actions;
  if (ImGui::Button("Reset guests")) actions.reset = true;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Close the cards and go back to the attract screen");
  ImGui::SameLine();
  if (ImGui::Button(status.paused ? "Resume" : "Pause")) actions.toggle_pause = true;
  frame.pause_button = {ImGui::GetItemRectMin(), ImGui::GetItemRectMax()};
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Guests see a pause screen; no cards open");

  const auto current =
      std::find_if(status.cameras.begin(), status.cameras.end(),
                   [&](const OperatorCamera& c) { return c.spec == status.source_spec; });
  // A file or URL source: its name (the whole path is in the health section).
  const std::string preview = current != status.cameras.end()
                                  ? current->name + "  " + current->spec
                                  : std::filesystem::path(status.source_spec).filename().string();
  if (ImGui::BeginCombo("Camera", preview.c_str())) {
    for (const OperatorCamera& camera : status.cameras) {
      const std::string label = camera.name + "  " + camera.spec;
      if (ImGui::Selectable(label.c_str(), camera.spec == status.source_spec))
        actions.pick_source = camera.spec;
    }
    if (status.cameras.empty()) ImGui::TextDisabled("no camera found");
    ImGui::Separator();
    if (ImGui::Selectable("Refresh", false, ImGuiSelectableFlags_DontClosePopups))
      actions.refresh_cameras = true;
    ImGui::EndCombo();
  }
}

void draw_health(const OperatorStatus& status) {
  ImGui::TextWrapped("Source: %s",
                     status.source.empty() ? status.source_spec.c_str() : status.source.c_str());
  const bool bad = !status.source_error.empty() || status.source_status == "failed";
  ImGui::TextColored(bad                                 ? kErrorText
                     : status.source_status == "running" ? kGoodText
                                                         : kWarnText,
                     "%s", status.source_status.c_str());
  if (!status.source_error.empty()) {
    ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
    ImGui::TextWrapped("%s", status.source_error.c_str());
    ImGui::PopStyleColor();
  }
  ImGui::Text("Camera %.1f fps   processing %.1f fps   faces %d", status.camera_fps,
              status.processing_fps, status.faces);
  if (status.gallery.empty())
    ImGui::TextColored(kErrorText, "No gallery loaded");
  else
    ImGui::Text("Gallery: %s (%zu people)", status.gallery.c_str(), status.gallery_identities);
  ImGui::Text("Up %s", duration_text(status.uptime_seconds).c_str());
  if (status.rss_kb >= 0) {
    ImGui::SameLine();
    ImGui::Text("   memory %.0f MB", static_cast<double>(status.rss_kb) / 1024.0);
  }
}

void draw_messages(const OperatorStatus& status, float height) {
  ImGui::BeginChild("##messages", {0, height}, true);
  if (status.messages.empty()) ImGui::TextDisabled("No messages");
  for (auto m = status.messages.rbegin(); m != status.messages.rend(); ++m) {  // newest first
    ImGui::TextDisabled("%s", m->time.c_str());
    ImGui::SameLine();
    if (m->error) ImGui::PushStyleColor(ImGuiCol_Text, kErrorText);
    ImGui::TextWrapped("%s", m->text.c_str());
    if (m->error) ImGui::PopStyleColor();
  }
  ImGui::EndChild();
}

void draw_settings(const OperatorStatus& status, OperatorViewState& state, OperatorActions& actions,
                   const std::function<void()>& settings_controls) {
  if (status.settings_unlocked) {
    if (ImGui::Button("Lock settings")) actions.lock_settings = true;
    settings_controls();
    return;
  }
  ImGui::TextDisabled("Type the kiosk PIN to change settings.");
  const bool entered =
      ImGui::InputTextWithHint("##pin", "PIN", state.pin.data(), state.pin.size(),
                               ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CharsDecimal |
                                   ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Unlock") || entered) {
    actions.pin_typed = std::string(state.pin.data());
    state.pin.fill('\0');  // the PIN never stays in the field
  }
  if (status.pin_failures > 0)
    ImGui::TextColored(kErrorText, "Wrong PIN (%d)", status.pin_failures);
}

}  // namespace

OperatorFrame draw_operator(const OperatorStatus& status, const Texture* camera,
                            OperatorViewState& state, const Fonts& fonts, float scale,
                            const std::function<void()>& settings_controls) {
  OperatorFrame frame;
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(vp->WorkPos);
  ImGui::SetNextWindowSize(vp->WorkSize);
  ImGui::Begin("##operator", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  // Left: the camera and what the guests see; right: controls, health, messages, settings.
  const float panel_w = std::min(420 * scale, vp->WorkSize.x * 0.45f);
  const float pad = 12 * scale;
  const Rect left{
      {vp->WorkPos.x + pad, vp->WorkPos.y + pad},
      {vp->WorkPos.x + vp->WorkSize.x - panel_w - 2 * pad, vp->WorkPos.y + vp->WorkSize.y - pad}};
  const float banner_h = fonts.large->FontSize + fonts.regular->FontSize + 24 * scale;
  ImDrawList* dl = ImGui::GetWindowDrawList();
  frame.camera = draw_camera(dl, camera, {left.min, {left.max.x, left.max.y - banner_h}}, fonts);
  const float y = left.max.y - banner_h + 8 * scale;
  draw::text(dl, fonts.large, fonts.large->FontSize, {left.min.x, y},
             status.paused ? draw::kLow : draw::kMatch,
             "Guests: " + (status.paused ? std::string("paused") : status.guest_state));
  draw::text(dl, fonts.regular, fonts.regular->FontSize,
             {left.min.x, y + fonts.large->FontSize + 4 * scale}, draw::kText,
             "People served: " + std::to_string(status.people_served));

  // The right panel scrolls (the unlocked settings are longer than a small window).
  ImGui::SetCursorScreenPos({left.max.x + pad, left.min.y});
  ImGui::PushStyleColor(ImGuiCol_ChildBg, ImVec4(0, 0, 0, 0));  // the window's own background
  ImGui::BeginChild("##operator-panel", {panel_w, left.height()}, false);
  ImGui::PopStyleColor();
  ImGui::PushItemWidth(panel_w * 0.6f);
  ImGui::PushTextWrapPos(0);  // wrap at the panel's edge
  heading("Guests", fonts.bold);
  draw_controls(status, frame);
  heading("Health", fonts.bold);
  draw_health(status);
  heading("Messages", fonts.bold);
  draw_messages(status, 140 * scale);
  heading("Settings", fonts.bold);
  draw_settings(status, state, frame.actions, settings_controls);
  ImGui::PopTextWrapPos();
  ImGui::PopItemWidth();
  ImGui::EndChild();
  ImGui::End();
  return frame;
}

}  // namespace lookalike::ui

// Kiosk mode's guest screens over the live camera, driven by the guest flow
// (lookalike::app::GuestFlow): attract (the event's branding, a prompt and the engage ring),
// consent (the config's text; yes by holding still, a key, a click or a touch), countdown
// (3-2-1), the result cards (view_kiosk_cards.cpp), the fault and "back soon" screens; and the
// PIN prompt for leaving. The flow's inputs live here too: the gallery and model check (back
// soon), the source check (a source that failed is reopened every second until frames flow).
// Guests never see an error text: reasons go to the log for the operator.
#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <opencv2/imgcodecs.hpp>

#include "app_impl.hpp"
#include "gl/gl.hpp"
#include "views/draw_util.hpp"
#include "views/kiosk_style.hpp"

namespace lookalike::ui {
namespace {

constexpr float kPi = 3.14159265f;
// A source that failed (a camera that cannot be opened, a stream that gave up) is reopened
// this often. A camera lost while running is reopened by the pipeline itself (every 500 ms,
// FrameSourceOptions::reconnect_interval).
constexpr double kSourceRetrySeconds = 1.0;

const char* hint_text(app::GuestHint hint) {
  switch (hint) {
    case app::GuestHint::come_closer:
      return "Come a little closer";
    case app::GuestHint::look_at_camera:
      return "Look straight at the camera";
    case app::GuestHint::hold_still:
      return "Hold still...";
    case app::GuestHint::recognizing:
      return "Finding your look-alike...";
    case app::GuestHint::none:
      return "Hold still...";
  }
  return "";
}

void ring(ImDrawList* dl, ImVec2 c, float r, float progress, ImU32 colour, float s) {
  dl->AddCircle(c, r, IM_COL32(255, 255, 255, 50), 64, 6 * s);
  if (progress <= 0) return;
  dl->PathArcTo(c, r, -kPi / 2, -kPi / 2 + 2 * kPi * std::min(progress, 1.f), 64);
  dl->PathStroke(colour, 0, 6 * s);
}

}  // namespace

void App::update_guest_flow(Clock::time_point now) {
  const app::GuestState before = kiosk_.state();
  // Gallery or model missing: guests see "back soon" (not while the gallery is still loading).
  std::optional<std::string> unavailable;
  if (models_missing_)
    unavailable = "the face model is not installed (lookalike-cli models fetch)";
  else if (!gallery_ && !loader_->busy())
    unavailable = gallery_error_.empty()
                      ? "no gallery (--gallery FILE, or lookalike-cli gallery fetch)"
                      : "gallery: " + gallery_error_;
  kiosk_.set_unavailable(unavailable, now);

  // A source that failed to open or gave up is reopened every second; the flow shows the
  // fault screen meanwhile and resumes with the first running frame.
  const bool open_failed = feed_ && feed_->state() == LiveFeed::State::failed;
  const bool gave_up =
      shown_ && (shown_->status == SourceStatus::failed || shown_->status == SourceStatus::ended);
  if (open_failed || gave_up) {
    kiosk_.source_failed(open_failed ? feed_->error() : shown_->status_message, now);
    if (glfwGetTime() >= kiosk_source_retry_at_) {
      kiosk_source_retry_at_ = glfwGetTime() + kSourceRetrySeconds;
      start_feed(feed_ ? feed_->spec() : settings_.source);
    }
  } else if (shown_) {
    kiosk_.update(*shown_, now);
  }
  if (kiosk_.state() != before &&
      (kiosk_.state() == app::GuestState::fault || kiosk_.state() == app::GuestState::back_soon))
    spdlog::warn("kiosk: {} ({})", to_string(kiosk_.state()), kiosk_.fault_reason());
  else if (kiosk_.state() != before && before == app::GuestState::fault)
    spdlog::info("kiosk: the source is back");
  else if (kiosk_.state() != before)
    spdlog::debug("kiosk: {} ({} cards, {} served)", to_string(kiosk_.state()),
                  kiosk_.cards().size(), kiosk_.people_served());
  if (glfwGetTime() >= kiosk_vitals_at_) {
    kiosk_vitals_at_ = glfwGetTime() + options_.vitals_every_s;
    spdlog::info("kiosk vitals: state {} served {} cards {} textures {} morphs {}",
                 to_string(kiosk_.state()), kiosk_.people_served(), kiosk_.cards().size(),
                 Texture::live_count(), kiosk_morphs_.size());
  }
}

void App::draw_kiosk_branding(const Rect& area) {
  const float s = window_->scale();
  const Fonts& f = window_->fonts();
  const kiosk::Palette colours = kiosk::palette(settings_.kiosk);
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  if (!kiosk_logo_tried_) {
    kiosk_logo_tried_ = true;
    if (const cv::Mat& logo = kiosk_logo_image(); !logo.empty()) {
      kiosk_logo_.upload(logo);
    }
  }
  const float margin = 24 * s;
  float title_x = area.min.x + margin;
  if (kiosk_logo_.valid()) {
    const float h = 72 * s;
    const cv::Size size = kiosk_logo_.size();
    const float w = h * static_cast<float>(size.width) / static_cast<float>(size.height);
    const ImVec2 l0{area.min.x + margin, area.min.y + margin};
    dl->AddImage(kiosk_logo_.imgui_id(), l0, {l0.x + w, l0.y + h});
    layout_.kiosk_logo = {l0, {l0.x + w, l0.y + h}};
    title_x = l0.x + w + 18 * s;
  }
  if (!settings_.kiosk.event_title.empty())
    draw::text(dl, f.large, f.large->FontSize,
               {title_x, area.min.y + margin + (72 * s - f.large->FontSize) / 2}, colours.text,
               settings_.kiosk.event_title, true);
  // Bottom: what happens to the faces, then the event's footer line.
  std::string privacy =
      settings_.kiosk.allow_saving
          ? "Result cards may be saved on this computer (enabled by the operator)."
          : "Nothing is recorded or saved: faces are analyzed live and forgotten.";
  if (share_server_)  // the take-home cards are kept (in memory) for their link's lifetime
    privacy = fmt::format(
        "{} Take-home cards are held in memory for {:g} minutes, never written to disk.",
        settings_.kiosk.allow_saving ? "Result cards may be saved on this computer."
                                     : "Nothing is saved on this computer.",
        settings_.kiosk.share.ttl_minutes);
  float y = area.max.y - 14 * s;
  if (!settings_.kiosk.footer.empty()) {
    y -= f.bold->FontSize;
    kiosk::centered_text(dl, f.bold, f.bold->FontSize, (area.min.x + area.max.x) / 2, y,
                         colours.accent, settings_.kiosk.footer);
    y -= 6 * s;
  }
  y -= f.regular->FontSize;
  kiosk::centered_text(dl, f.regular, f.regular->FontSize, (area.min.x + area.max.x) / 2, y,
                       colours.text_dim, privacy);
}

bool App::draw_attract_video(const Rect& area) {
  if (settings_.kiosk.attract_video.empty()) return false;
  if (!kiosk_attract_) {
    kiosk_attract_ = std::make_unique<AttractLoop>(settings_.kiosk.attract_video);
    if (!kiosk_attract_->error().empty()) report_kiosk_problem(kiosk_attract_->error());
  }
  const cv::Mat& frame = kiosk_attract_->frame(glfwGetTime());
  if (frame.empty()) {
    if (!kiosk_attract_->error().empty()) report_kiosk_problem(kiosk_attract_->error());
    return false;  // the live camera with the prompt
  }
  kiosk_attract_texture_.upload(frame);
  const Rect at = fit_frame(area, frame.size());
  ImGui::GetBackgroundDrawList()->AddRectFilled(area.min, area.max, IM_COL32(0, 0, 0, 255));
  ImGui::GetBackgroundDrawList()->AddImage(kiosk_attract_texture_.imgui_id(), at.min, at.max);
  layout_.kiosk_attract_video = true;
  return true;
}

void App::draw_kiosk(const Rect& area) {
  const float s = window_->scale();
  const Fonts& f = window_->fonts();
  const kiosk::Palette colours = kiosk::palette(settings_.kiosk);
  // The live camera under everything (the guests see themselves between the screens).
  draw_live(area, false);
  const Clock::time_point now = Clock::now();
  update_guest_flow(now);
  update_kiosk_morphs();
  update_kiosk_shares(now);
  const app::GuestState state = kiosk_.state();
  layout_.kiosk_state = to_string(state);
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  const float cx = (area.min.x + area.max.x) / 2;
  const float wrap_width = std::min(area.width() - 120 * s, 900 * s);
  auto headline = [&](const std::string& text, float y, ImFont* font, ImU32 colour) {
    if (layout_.kiosk_headline.empty()) layout_.kiosk_headline = text;
    float line_y = y;
    for (const auto& line : kiosk::wrap(font, font->FontSize, text, wrap_width)) {
      kiosk::centered_text(dl, font, font->FontSize, cx, line_y, colour, line);
      line_y += font->FontSize * 1.15f;
    }
    return line_y;
  };
  auto veil = [&](float alpha) {
    dl->AddRectFilled(area.min, area.max, draw::with_alpha(colours.background, alpha));
  };
  // The camera or the gallery is not there: a calm notice, never the technical reason (the
  // operator window has it).
  auto notice = [&](const std::string& title, const std::string& line) {
    veil(1.f);
    const float y = area.min.y + area.height() * 0.36f;
    headline(title, y, f.large, colours.text);
    kiosk::centered_text(dl, f.regular, f.regular->FontSize * 1.4f, cx,
                         y + f.large->FontSize + 24 * s, colours.text_dim, line);
  };

  switch (state) {
    case app::GuestState::attract: {
      if (draw_attract_video(area))
        veil(0.5f);  // the event's loop shows through
      else
        veil(0.82f);
      const float y = headline(settings_.kiosk.attract_title, area.min.y + area.height() * 0.26f,
                               f.large, colours.text);
      kiosk::centered_text(dl, f.regular, f.regular->FontSize * 1.4f, cx, y + 14 * s,
                           colours.text_dim,
                           "Step in front of the camera and look straight ahead.");
      const ImVec2 c{cx, area.min.y + area.height() * 0.6f};
      ring(dl, c, 54 * s, kiosk_.engage_progress(), colours.accent, s);
      if (shown_ && !shown_->tracks.empty() && !kiosk_.paused())
        kiosk::centered_text(dl, f.bold, f.bold->FontSize * 1.3f, cx, c.y + 54 * s + 24 * s,
                             colours.text, hint_text(kiosk_.hint()));
      break;
    }
    case app::GuestState::consent: {
      veil(0.88f);
      float y =
          headline("Before we start", area.min.y + area.height() * 0.2f, f.large, colours.text);
      y += 18 * s;
      for (const auto& line : kiosk::wrap(f.regular, f.regular->FontSize * 1.4f,
                                          settings_.kiosk.consent_text, wrap_width)) {
        kiosk::centered_text(dl, f.regular, f.regular->FontSize * 1.4f, cx, y, colours.text, line);
        y += f.regular->FontSize * 1.4f * 1.3f;
      }
      const ImVec2 c{cx, y + 90 * s};
      ring(dl, c, 54 * s, kiosk_.consent_progress(), colours.accent, s);
      kiosk::centered_text(dl, f.bold, f.bold->FontSize * 1.2f, cx, c.y + 54 * s + 24 * s,
                           colours.text, "Hold still to say yes (or press Space, tap or click).");
      kiosk::centered_text(dl, f.regular, f.regular->FontSize * 1.2f, cx,
                           c.y + 54 * s + 30 * s + f.bold->FontSize * 1.2f, colours.text_dim,
                           "No thanks? Just step away (or press Esc).");
      break;
    }
    case app::GuestState::countdown: {
      veil(0.35f);  // they see themselves: the picture is about to be taken
      const double left = kiosk_.countdown_remaining(now);
      const int number = std::max(1, static_cast<int>(std::ceil(left)));
      const ImVec2 c{cx, area.min.y + area.height() * 0.45f};
      const float r = 110 * s;
      dl->AddCircleFilled(c, r, draw::with_alpha(colours.background, 0.75f), 64);
      const double whole = std::ceil(left);
      ring(dl, c, r, static_cast<float>(1.0 - (whole - left)), colours.accent, 1.6f * s);
      const std::string digits = std::to_string(number);
      layout_.kiosk_headline = digits;
      const float size = f.huge->FontSize * 2.f;
      kiosk::centered_text(dl, f.huge, size, cx, c.y - size / 2, colours.accent, digits);
      kiosk::centered_text(dl, f.bold, f.bold->FontSize * 1.3f, cx, c.y + r + 24 * s, colours.text,
                           "Look at the camera!");
      break;
    }
    case app::GuestState::result:
      veil(0.7f);
      draw_kiosk_cards(area, now);
      break;
    case app::GuestState::fault:
      notice("We'll be right back", "The camera is taking a short break.");
      break;
    case app::GuestState::back_soon:
      notice("Back soon", "The look-alike booth is getting ready.");
      break;
  }
  draw_kiosk_branding(area);
}

void App::draw_kiosk_gate() {
  if (!gate_.prompting()) return;
  const float s = window_->scale();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos({vp->WorkPos.x + vp->WorkSize.x / 2, vp->WorkPos.y + vp->WorkSize.y / 2},
                          ImGuiCond_Always, {0.5f, 0.5f});
  ImGui::SetNextWindowSize({360 * s, 0});
  ImGui::Begin("##pin", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize);
  ImGui::PushFont(window_->fonts().bold);
  ImGui::TextUnformatted("Operator PIN");
  ImGui::PopFont();
  std::string dots(gate_.typed_length(), '*');
  ImGui::PushFont(window_->fonts().large);
  ImGui::TextUnformatted(dots.empty() ? " " : dots.c_str());
  ImGui::PopFont();
  if (gate_.failures() > 0)
    ImGui::TextColored({0.95f, 0.45f, 0.4f, 1}, "Wrong PIN (%d)", gate_.failures());
  ImGui::TextDisabled("Digits, Enter to confirm, Esc to cancel");
  ImGui::End();
}

}  // namespace lookalike::ui

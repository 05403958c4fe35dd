// The kiosk operator window (--operator): the App's glue between its state and the pure
// operator view (views/view_operator): it fills OperatorStatus from what the App holds,
// applies the OperatorActions, draws the guests' paused screen, and runs the second window's
// frame after the guest window's each loop.
//
// Two windows, one loop: the guest window's begin_frame waits for events (idle rate, display
// pacing) and the operator's only polls, so the loop still sleeps once per frame; the operator
// window draws only when it has something new (its own idle rate, below). It never waits for
// vsync (two vsynced swaps would halve the guests' frame rate) and
// shares the guest window's GL objects, so the camera texture uploaded for the guests is the
// one the operator sees. Closing it (window manager or --operator-press close) destroys it;
// the kiosk runs on.
#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "app_impl.hpp"
#include "gl/gl.hpp"
#include "lookalike/pipeline/snapshot_json.hpp"

namespace lookalike::ui {
namespace {

// The operator window's idle rate: it draws when a new camera frame is on screen, on its own
// input, and otherwise this often (uptime, messages). It never needs the guests' display rate,
// and with a software renderer every frame it skips is CPU the pipeline keeps.
constexpr double kOperatorIdleSeconds = 0.25;
constexpr double kOperatorInputActiveSeconds = 0.5;

std::string clock_time() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

}  // namespace

void App::open_operator_window() {
  WindowOptions wo;
  wo.width = options_.width;
  wo.height = options_.height;
  wo.title = "Lookalike operator";
  wo.vsync = false;
  wo.ui_scale = settings_.ui_scale;
  wo.share = window_.get();
  wo.prefer_secondary_monitor = true;
  try {
    operator_ = Window::create(wo);
  } catch (const std::exception& e) {
    spdlog::error("operator window: {}; the kiosk runs without it", e.what());
  }
  window_->make_current();  // the guest window stays the one the rest of the app draws into
  if (!operator_) return;
  operator_gate_ = KioskExitGate(settings_.kiosk.pin);
  operator_press_ = options_.operator_press;
  operator_opened_at_ = glfwGetTime();
  if (settings_warning_) operator_log_.add({clock_time(), "Settings: " + *settings_warning_, true});
}

void App::reset_guest_flow() {
  kiosk_.reset(Clock::now());
}

void App::apply_operator_actions(const OperatorActions& actions) {
  if (actions.reset) {
    reset_guest_flow();
    operator_log_.add({clock_time(), "Guests reset by the operator", false});
  }
  if (actions.toggle_pause) {
    kiosk_.set_paused(!kiosk_.paused(), Clock::now());  // pausing closes the cards up
    operator_log_.add({clock_time(), kiosk_.paused() ? "Paused" : "Resumed", false});
  }
  if (actions.refresh_cameras) cameras_ = list_cameras();
  if (actions.pick_source) {
    settings_.source = *actions.pick_source;  // as the side panel's camera list does
    start_feed(settings_.source);
    operator_log_.add({clock_time(), "Source: " + settings_.source, false});
  }
  if (actions.pin_typed) {
    operator_gate_.chord();
    for (const char c : *actions.pin_typed) operator_gate_.type(c);
    operator_gate_.submit();
  }
  if (actions.lock_settings) operator_gate_ = KioskExitGate(settings_.kiosk.pin);
}

void App::operator_scripted_action() {
  if (!operator_ || operator_press_.empty() || settled_frames_ < 1) return;
  const std::size_t comma = operator_press_.find(',');
  const std::string action = operator_press_.substr(0, comma);
  operator_press_.erase(0, comma == std::string::npos ? comma : comma + 1);
  OperatorActions actions;
  if (action == "pause")
    actions.toggle_pause = true;
  else if (action == "reset")
    actions.reset = true;
  else if (action == "close")
    operator_->request_close();  // as the window manager's close button does
  else
    spdlog::warn("--operator-press: unknown action '{}' (pause, reset, close)", action);
  apply_operator_actions(actions);
}

void App::note_operator_events() {
  // The kiosk settings' problems (bad colour, missing logo...) are the operator's to see.
  for (; kiosk_problems_logged_ < kiosk_problems_.size(); ++kiosk_problems_logged_)
    operator_log_.add({clock_time(), kiosk_problems_[kiosk_problems_logged_], true});

  const double now = glfwGetTime();
  if (now - usage_read_at_ >= 1.0) {  // /proc reads: once a second is plenty
    usage_ = process_usage();
    usage_read_at_ = now;
  }

  // Faults, logged once each time they change.
  std::string source_problem;
  if (feed_ && feed_->state() == LiveFeed::State::failed)
    source_problem = feed_->error();
  else if (shown_ &&
           (shown_->status == SourceStatus::reconnecting || shown_->status == SourceStatus::failed))
    source_problem = shown_->status_message;
  if (source_problem != source_problem_seen_) {
    if (!source_problem.empty()) operator_log_.add({clock_time(), source_problem, true});
    source_problem_seen_ = source_problem;
  }
  if (gallery_error_ != gallery_error_seen_) {
    if (!gallery_error_.empty())
      operator_log_.add({clock_time(), "Gallery: " + gallery_error_, true});
    gallery_error_seen_ = gallery_error_;
  }
}

OperatorStatus App::operator_status() const {
  OperatorStatus status;
  status.guest_state = mode_ != Mode::kiosk ? "not in kiosk mode"
                       : kiosk_.paused()    ? "paused"
                                            : to_string(kiosk_.state());
  status.people_served = static_cast<int>(kiosk_.people_served());
  status.paused = kiosk_.paused();
  if (feed_) {
    status.source_spec = feed_->spec();
    if (feed_->state() == LiveFeed::State::failed) {
      status.source_status = "failed";
      status.source_error = feed_->error();
    } else if (feed_->state() == LiveFeed::State::opening) {
      status.source_status = "opening";
    } else {
      status.source = feed_->description();
    }
  }
  if (shown_) {
    if (status.source_status.empty()) status.source_status = std::string(to_string(shown_->status));
    if (shown_->status == SourceStatus::reconnecting || shown_->status == SourceStatus::failed)
      status.source_error = shown_->status_message;
    status.camera_fps = shown_->metrics.capture_fps;
    status.processing_fps = shown_->metrics.processed_fps;
    status.faces = static_cast<int>(shown_->tracks.size());
  }
  if (gallery_) {
    status.gallery = gallery_path_.filename().string();
    status.gallery_identities = gallery_->identity_count();
  }
  status.messages = operator_log_.list();
  status.uptime_seconds = glfwGetTime() - operator_opened_at_;
  status.rss_kb = usage_.rss_kb;
  for (const CameraDevice& camera : cameras_)
    status.cameras.push_back({camera.name, camera.path.string()});
  status.settings_unlocked = operator_gate_.unlocked();
  status.pin_failures = operator_gate_.failures();
  return status;
}

bool App::draw_operator_window(bool last) {
  if (!operator_) return true;
  if (operator_->should_close()) {
    spdlog::info("operator window closed; the kiosk runs on");
    operator_.reset();  // restores the guest window's contexts
    window_->make_current();
    return true;
  }
  note_operator_events();
  const double now = glfwGetTime();
  const bool moves = shown_.get() != operator_drawn_snapshot_ ||
                     operator_->seconds_since_input() < kOperatorInputActiveSeconds ||
                     now - operator_drawn_at_ >= kOperatorIdleSeconds || !operator_press_.empty();
  if (!moves && !last) return true;
  operator_drawn_snapshot_ = shown_.get();
  operator_drawn_at_ = now;
  operator_->begin_frame(0);  // the guest window's frame already waited for events
  const OperatorStatus status = operator_status();
  const OperatorFrame frame =
      draw_operator(status, &frame_texture_, operator_view_, operator_->fonts(), operator_->scale(),
                    [this] { draw_settings_controls(operator_->fonts().bold); });
  operator_->render();
  bool ok = true;
  if (last && !options_.operator_screenshot.empty()) {
    FrameLayout layout;
    layout.frame = frame.camera;
    layout.frame_size = frame_texture_.size();
    layout.kiosk_state = status.guest_state;
    layout.people_served = status.people_served;
    layout.pause_button = frame.pause_button;
    ScreenshotState state = screenshot_state();
    state.mode = "operator";
    try {
      write_screenshot(options_.operator_screenshot, operator_->read_back(), layout, state,
                       ImGui::GetIO().DisplayFramebufferScale);
    } catch (const std::exception& e) {
      spdlog::error("operator screenshot: {}", e.what());
      ok = false;
    }
  }
  apply_operator_actions(frame.actions);
  operator_->swap();
  window_->make_current();
  return ok;
}

void App::draw_kiosk_paused(const Rect& area) {
  // The camera stays visible (guests see the kiosk is alive) under a dark veil and a notice.
  draw_live(area, false);
  update_guest_flow(Clock::now());  // paused too: faults are seen and sources reopened
  layout_.kiosk_state = "paused";
  const float s = window_->scale();
  const Fonts& f = window_->fonts();
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  dl->AddRectFilled(area.min, area.max, IM_COL32(8, 10, 14, 225));
  const float cx = (area.min.x + area.max.x) / 2;
  const float y = area.min.y + area.height() * 0.4f;
  const std::string title = "Back in a moment";
  const std::string line = "The look-alike kiosk is paused.";
  const ImVec2 ts = draw::text_size(f.large, f.large->FontSize, title);
  draw::text(dl, f.large, f.large->FontSize, {cx - ts.x / 2, y}, draw::kText, title, true);
  const float size = f.regular->FontSize * 1.4f;
  const ImVec2 ls = draw::text_size(f.regular, size, line);
  draw::text(dl, f.regular, size, {cx - ls.x / 2, y + ts.y + 20 * s}, draw::kTextDim, line, true);
}

}  // namespace lookalike::ui

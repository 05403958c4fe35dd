// Menu bar, side panel (source, gallery, search, view), status bar, toasts, path dialog.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app_impl.hpp"
#include "gl/gl.hpp"
#include "views/draw_util.hpp"

namespace fs = std::filesystem;

namespace lookalike::ui {
namespace {

void section(const char* title, ImFont* bold) {
  ImGui::Spacing();
  ImGui::PushFont(bold);
  ImGui::TextUnformatted(title);
  ImGui::PopFont();
  ImGui::Separator();
}

}  // namespace

void App::draw_menu_bar() {
  if (!ImGui::BeginMainMenuBar()) return;
  if (ImGui::BeginMenu("File")) {
    if (ImGui::MenuItem("Open gallery...")) ask_path(PathPurpose::open_gallery);
    if (ImGui::MenuItem("Build gallery from folder...")) ask_path(PathPurpose::build_gallery);
    if (ImGui::MenuItem("Analyze photos...")) ask_path(PathPurpose::open_photos);
    if (ImGui::MenuItem("Open video or folder...")) ask_path(PathPurpose::open_video);
    ImGui::Separator();
    if (ImGui::MenuItem("Save result card", "S")) save_requested_ = true;
    ImGui::Separator();
    if (ImGui::MenuItem("Quit")) window_->request_close();
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    ImGui::MenuItem("Side panel", "Tab", &settings_.show_panel);
    if (ImGui::MenuItem("Fullscreen", "F11", window_->fullscreen()))
      window_->set_fullscreen(!window_->fullscreen());
    ImGui::MenuItem("Landmarks", nullptr, &settings_.show_landmarks);
    ImGui::MenuItem("Mirror camera", nullptr, &settings_.mirror);
    if (ImGui::MenuItem("Unique cast", nullptr, &settings_.unique_cast) && photos_)
      photos_->set_unique_cast(settings_.unique_cast);
    if (ImGui::MenuItem("Freeze frame", "Space", frozen_, mode_ == Mode::live)) {
      frozen_ = !frozen_;
      if (feed_) feed_->set_paused(frozen_);
    }
    if (ImGui::MenuItem("Photo results", nullptr, mode_ == Mode::photo, photos_ != nullptr))
      mode_ = mode_ == Mode::photo ? Mode::live : Mode::photo;
    if (ImGui::MenuItem("Face map", "M", mode_ == Mode::map, gallery_ != nullptr)) {
      if (mode_ == Mode::map)
        mode_ = Mode::live;
      else
        open_face_map();
    }
    ImGui::EndMenu();
  }
  // Mode tag on the right of the menu bar.
  const char* mode = mode_ == Mode::photo ? "PHOTO MODE  (Esc: back to live)"
                     : mode_ == Mode::map ? "FACE MAP  (Esc: back to live)"
                                          : (frozen_ ? "FROZEN" : "LIVE");
  const float w = ImGui::CalcTextSize(mode).x;
  ImGui::SetCursorPosX(ImGui::GetWindowWidth() - w - 16 * window_->scale());
  ImGui::TextColored(
      mode_ == Mode::photo ? ImVec4(0.95f, 0.7f, 0.3f, 1) : ImVec4(0.3f, 0.8f, 0.72f, 1), "%s",
      mode);
  ImGui::EndMainMenuBar();
}

void App::draw_side_panel() {
  const float s = window_->scale();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float status_h = ImGui::GetFrameHeight() + 6 * s;
  const float width = 340 * s;
  ImGui::SetNextWindowPos({vp->WorkPos.x + vp->WorkSize.x - width, vp->WorkPos.y});
  ImGui::SetNextWindowSize({width, vp->WorkSize.y - status_h});
  ImGui::Begin("##panel", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  const ImFont* bold_const = window_->fonts().bold;
  ImFont* bold = const_cast<ImFont*>(bold_const);
  ImGui::PushItemWidth(width * 0.6f);

  section("Source", bold);
  {
    const std::string current = feed_ ? feed_->spec() : settings_.source;
    // The entry for `current`: specs "2" and "/dev/video2" name the same device.
    const auto is_current = [&](const CameraDevice& camera) {
      return current == camera.path.string() || current == std::to_string(camera.index);
    };
    const auto shown = std::find_if(cameras_.begin(), cameras_.end(), is_current);
    const std::string preview = shown != cameras_.end() ? shown->name + "  " + shown->path.string()
                                : classify_source_spec(current) == SourceKind::camera ? current
                                                                                      : "(file)";
    if (ImGui::BeginCombo("Camera", preview.c_str())) {
      // Each entry is labelled with, and opens, its device path: what is shown is what opens.
      for (const CameraDevice& camera : cameras_) {
        const std::string label = camera.name + "  " + camera.path.string();
        if (ImGui::Selectable(label.c_str(), is_current(camera))) {
          settings_.source = camera.path.string();
          start_feed(settings_.source);
        }
      }
      if (cameras_.empty()) ImGui::TextDisabled("no camera found");
      ImGui::Separator();
      // Cameras come and go (USB): list them again on demand.
      if (ImGui::Selectable("Refresh", false, ImGuiSelectableFlags_DontClosePopups))
        cameras_ = list_cameras();
      ImGui::EndCombo();
    }
    ImGui::InputTextWithHint("##source", "video file, image folder or URL", source_buffer_.data(),
                             source_buffer_.size());
    ImGui::SameLine();
    if (ImGui::Button("Open##src")) {
      settings_.source = source_buffer_.data();
      start_feed(settings_.source);
    }
    if (feed_) {
      const auto state = feed_->state();
      if (state == LiveFeed::State::failed) {
        // The message itself: the welcome screen may cover the live view's explanation.
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.95f, 0.5f, 0.45f, 1));
        ImGui::TextWrapped("%s", feed_->error().c_str());
        ImGui::PopStyleColor();
      } else
        ImGui::TextDisabled(
            "%s", state == LiveFeed::State::opening ? "opening..." : feed_->description().c_str());
    }
  }

  section("Gallery", bold);
  {
    if (gallery_) {
      ImGui::TextUnformatted(gallery_path_.filename().string().c_str());
      ImGui::TextDisabled("%zu people, %zu photos", gallery_->identity_count(),
                          gallery_->photo_count());
    } else {
      ImGui::TextDisabled(loader_->busy() ? "loading..." : "no gallery loaded");
    }
    if (ImGui::Button("Open...##gal")) ask_path(PathPurpose::open_gallery);
    ImGui::SameLine();
    if (ImGui::Button("Build from folder...")) ask_path(PathPurpose::build_gallery);
    if (!settings_.recent_galleries.empty() && ImGui::BeginCombo("Recent", "choose...")) {
      for (const auto& recent : settings_.recent_galleries)
        if (ImGui::Selectable(recent.c_str())) open_gallery(recent);
      ImGui::EndCombo();
    }
    if (builder_) draw::task_row(*builder_, "build", 70 * s);
    ImGui::TextDisabled("Drop a folder of person folders to build one.");
  }

  draw_settings_controls(bold);
  ImGui::Spacing();
  ImGui::TextDisabled("Tab panel   F11 fullscreen   Space freeze");
  ImGui::TextDisabled("S save card   M face map   Esc leave mode");
  ImGui::PopItemWidth();
  ImGui::End();
}

// The matching and view settings: in the side panel, and behind the PIN in the kiosk
// operator window (`bold`: that window's font).
void App::draw_settings_controls(ImFont* bold) {
  section("Matching", bold);
  {
    bool changed = ImGui::SliderInt("Top-k", &settings_.search.top_k, 1, 10);
    const std::string metric_name(to_string(settings_.search.metric));
    if (ImGui::BeginCombo("Metric", metric_name.c_str())) {
      for (const Metric metric : all_metrics()) {  // names from core's one table
        const std::string name(to_string(metric));
        if (ImGui::Selectable(name.c_str(), metric == settings_.search.metric)) {
          settings_.search.metric = metric;
          changed = true;
        }
      }
      ImGui::EndCombo();
    }
    changed |= ImGui::SliderFloat("Same person", &settings_.search.same_person_threshold, 0.3f,
                                  0.9f, "< %.2f");
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Euclidean distance below which two faces are the same person (dlib: 0.6)");
    if (ImGui::SliderInt("Photo jitter", &settings_.photo_jitter, 0, 100) && photos_)
      photos_->set_jitter(settings_.photo_jitter);
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip(
          "Photo mode averages each face over this many jittered copies (galleries: %d; each "
          "copy costs one more network pass)",
          kGalleryJitter);
    if (ImGui::BeginCombo("Detector", settings_.detector.c_str())) {
      for (const std::string& name : detector_names()) {  // names from core's one table
        if (ImGui::Selectable(name.c_str(), name == settings_.detector) &&
            name != settings_.detector) {
          settings_.detector = name;
          start_feed(feed_ ? feed_->spec() : settings_.source);  // engines are per worker
        }
      }
      ImGui::EndCombo();
    }
    if (changed) apply_search_options();
  }

  section("View", bold);
  ImGui::Checkbox("Mirror camera", &settings_.mirror);
  ImGui::Checkbox("Landmarks", &settings_.show_landmarks);
  if (ImGui::Checkbox("Unique cast", &settings_.unique_cast) && photos_)
    photos_->set_unique_cast(settings_.unique_cast);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("With several faces, every person plays a different celebrity");
  if (ImGui::Checkbox("Only look-alikes of my gender", &settings_.same_gender))
    apply_gender_filter();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(
        "Celebrities of the gender estimated for each face (photos) or person (live).\n"
        "Gender and age are estimates from the picture and can be wrong.");
}

void App::draw_status_bar() {
  const float s = window_->scale();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  const float h = ImGui::GetFrameHeight() + 6 * s;
  ImGui::SetNextWindowPos({vp->WorkPos.x, vp->WorkPos.y + vp->WorkSize.y - h});
  ImGui::SetNextWindowSize({vp->WorkSize.x, h});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, {10 * s, 3 * s});
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.f);
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.06f, 0.065f, 0.08f, 1.f));
  ImGui::Begin("##status", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                   ImGuiWindowFlags_NoFocusOnAppearing);
  ImGui::PushFont(window_->fonts().mono);
  ImGui::AlignTextToFramePadding();
  if (shown_) {
    const auto& m = shown_->metrics;
    ImGui::Text(
        "camera %4.1f fps  |  processed %4.1f fps  |  dropped %llu  |  latency %5.1f ms  |  faces "
        "%zu",
        m.capture_fps, m.processed_fps, static_cast<unsigned long long>(m.dropped),
        m.latency.total_ms, shown_->tracks.size());
  } else {
    ImGui::TextDisabled("no live source");
  }
  ImGui::SameLine();
  char right[256];
  std::snprintf(right, sizeof right, "gallery %zu  |  model %s  |  %.0f fps",
                gallery_ ? gallery_->identity_count() : 0,
                gallery_model_.empty() ? "-" : gallery_model_.c_str(), ImGui::GetIO().Framerate);
  const float rw = ImGui::CalcTextSize(right).x;
  ImGui::SetCursorPosX(
      std::max(ImGui::GetCursorPosX() + 20 * s, ImGui::GetWindowWidth() - rw - 12 * s));
  ImGui::TextDisabled("%s", right);
  ImGui::PopFont();
  ImGui::End();
  ImGui::PopStyleColor();
  ImGui::PopStyleVar(2);
}

void App::draw_toasts() {
  const double now = glfwGetTime();
  while (!toasts_.empty() && toasts_.front().until < now) toasts_.pop_front();
  if (toasts_.empty()) return;
  const float s = window_->scale();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImDrawList* dl = ImGui::GetForegroundDrawList();
  ImFont* font = window_->fonts().regular;
  const float max_w = std::min(640 * s, vp->WorkSize.x - 40 * s);
  for (const Toast& t : toasts_) layout_.toasts.push_back(t.text);
  float y = vp->WorkPos.y + vp->WorkSize.y - 60 * s;
  for (auto it = toasts_.rbegin(); it != toasts_.rend(); ++it) {
    const float alpha = static_cast<float>(std::clamp(it->until - now, 0.0, 0.4) / 0.4);
    const ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, max_w, it->text.c_str());
    const ImVec2 p1{vp->WorkPos.x + vp->WorkSize.x / 2 + ts.x / 2 + 14 * s, y};
    const ImVec2 p0{p1.x - ts.x - 28 * s, y - ts.y - 16 * s};
    dl->AddRectFilled(
        p0, p1,
        draw::with_alpha(it->error ? IM_COL32(120, 34, 34, 235) : IM_COL32(28, 32, 40, 235), alpha),
        8 * s);
    dl->AddText(font, font->FontSize, {p0.x + 14 * s, p0.y + 8 * s},
                draw::with_alpha(draw::kText, alpha), it->text.c_str(), nullptr, max_w);
    y = p0.y - 8 * s;
  }
}

void App::draw_path_dialog() {
  if (path_purpose_ == PathPurpose::none) return;
  const char* title = "Open";
  const char* hint = "";
  switch (path_purpose_) {
    case PathPurpose::open_gallery:
      title = "Open gallery";
      hint = "/path/to/gallery.lkg";
      break;
    case PathPurpose::open_video:
      title = "Open video or image folder";
      hint = "/path/to/video.mp4";
      break;
    case PathPurpose::open_photos:
      title = "Analyze photos";
      hint = "photo.jpg or a folder of photos";
      break;
    case PathPurpose::build_gallery:
      title = "Build gallery";
      hint = "folder with one sub-folder per person";
      break;
    case PathPurpose::none:
      break;
  }
  const float s = window_->scale();
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos({vp->WorkPos.x + vp->WorkSize.x / 2, vp->WorkPos.y + vp->WorkSize.y / 3},
                          ImGuiCond_Always, {0.5f, 0.5f});
  ImGui::SetNextWindowSize({560 * s, 0});
  bool open = true;
  if (ImGui::Begin(title, &open,
                   ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
                       ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoMove)) {
    ImGui::TextDisabled("Type or paste a path (or drop it onto the window).");
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(-1);
    const bool enter =
        ImGui::InputTextWithHint("##path", hint, path_buffer_.data(), path_buffer_.size(),
                                 ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button("OK") || enter) {
      const std::string path = path_buffer_.data();
      const PathPurpose purpose = path_purpose_;
      path_purpose_ = PathPurpose::none;
      if (!path.empty()) {
        switch (purpose) {
          case PathPurpose::open_gallery:
            open_gallery(path);
            break;
          case PathPurpose::open_video:
            settings_.source = path;
            start_feed(path);
            break;
          case PathPurpose::open_photos:
          case PathPurpose::build_gallery:
            handle_drop({path});
            break;
          case PathPurpose::none:
            break;
        }
      }
    }
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) ask_path(PathPurpose::none);
  }
  ImGui::End();
  if (!open) path_purpose_ = PathPurpose::none;
}

}  // namespace lookalike::ui

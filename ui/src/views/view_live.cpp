// Live view: the camera frame as a texture at display rate, the per-track overlay, and the
// welcome / no-camera cards.
#include <fmt/format.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "app_impl.hpp"
#include "gl/gl.hpp"
#include "lookalike/app/group_play.hpp"
#include "lookalike/app/install_gallery.hpp"
#include "views/draw_util.hpp"

namespace lookalike::ui {
namespace {

bool source_is_camera(const std::string& spec) {
  return classify_source_spec(spec) == SourceKind::camera;
}

// A centred card window with a title; returns false when it is not shown.
bool begin_card(const char* id, const Rect& area, float width, float s) {
  const ImVec2 center{(area.min.x + area.max.x) / 2, (area.min.y + area.max.y) / 2};
  ImGui::SetNextWindowPos(center, ImGuiCond_Always, {0.5f, 0.5f});
  ImGui::SetNextWindowSize({std::min(width * s, area.width() - 40 * s), 0});
  ImGui::SetNextWindowBgAlpha(0.96f);
  return ImGui::Begin(id, nullptr,
                      ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                          ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize |
                          ImGuiWindowFlags_NoFocusOnAppearing |
                          ImGuiWindowFlags_NoBringToFrontOnFocus);
}

}  // namespace

Rect App::fit_frame(const Rect& area, cv::Size size) const {
  if (size.width <= 0 || size.height <= 0) return area;
  const float sx = area.width() / static_cast<float>(size.width);
  const float sy = area.height() / static_cast<float>(size.height);
  const float k = std::min(sx, sy);
  const float w = static_cast<float>(size.width) * k, h = static_cast<float>(size.height) * k;
  const float x = area.min.x + (area.width() - w) / 2, y = area.min.y + (area.height() - h) / 2;
  return {{std::floor(x), std::floor(y)}, {std::floor(x + w), std::floor(y + h)}};
}

bool App::update_frame_texture() {
  if (!shown_ || shown_->frame.empty()) return false;
  if (frame_texture_owner_ != shown_.get() || frame_texture_seq_ != shown_->seq) {
    frame_texture_.upload(shown_->frame);  // same size every frame: glTexSubImage2D
    frame_texture_owner_ = shown_.get();
    frame_texture_seq_ = shown_->seq;
  }
  return frame_texture_.valid();
}

void App::take_latest_snapshot() {
  if (!feed_ || frozen_) return;
  // The UI never draws a result older than the one it shows (seq never goes backwards).
  if (auto latest = feed_->latest(); latest && (!shown_ || latest->seq >= shown_->seq))
    shown_ = latest;
}

void App::draw_live(const Rect& area, bool overlay) {
  const double now = glfwGetTime();
  const double dt = last_frame_time_ > 0 ? now - last_frame_time_ : 0.0;
  last_frame_time_ = now;
  take_latest_snapshot();
  const float s = window_->scale();
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  dl->AddRectFilled(area.min, area.max, IM_COL32(10, 11, 14, 255));
  if (update_frame_texture()) {
    const cv::Size size = shown_->frame.size();
    const Rect fr = fit_frame(area, size);
    const bool mirrored = settings_.mirror && feed_ && source_is_camera(feed_->spec());
    layout_.frame = fr;
    layout_.frame_size = size;
    layout_.mirrored = mirrored;
    const ImVec2 uv0{mirrored ? 1.f : 0.f, 0.f}, uv1{mirrored ? 0.f : 1.f, 1.f};
    dl->AddImage(frame_texture_.imgui_id(), fr.min, fr.max, uv0, uv1);
    animator_.update(shown_->tracks, frozen_ ? 0.0 : dt);
    if (bench_) bench_->faces_shown(shown_->tracks.size());
    if (overlay) draw_overlay(dl, fr, s);
    if (frozen_) {
      const std::string badge = "FROZEN  (Space to resume)";
      const ImVec2 ts =
          draw::text_size(window_->fonts().bold, window_->fonts().bold->FontSize, badge);
      const ImVec2 p{fr.min.x + 14 * s, fr.min.y + 14 * s};
      dl->AddRectFilled({p.x - 10 * s, p.y - 6 * s}, {p.x + ts.x + 10 * s, p.y + ts.y + 6 * s},
                        IM_COL32(20, 110, 160, 220), 6 * s);
      draw::text(dl, window_->fonts().bold, window_->fonts().bold->FontSize, p, draw::kText, badge);
    }
    if (shown_->status == SourceStatus::reconnecting || shown_->status == SourceStatus::failed) {
      const std::string msg =
          shown_->status_message.empty() ? "source lost, reconnecting..." : shown_->status_message;
      const ImVec2 ts =
          draw::text_size(window_->fonts().bold, window_->fonts().bold->FontSize, msg);
      const ImVec2 p{(fr.min.x + fr.max.x - ts.x) / 2, fr.max.y - ts.y - 24 * s};
      dl->AddRectFilled({p.x - 12 * s, p.y - 8 * s}, {p.x + ts.x + 12 * s, p.y + ts.y + 8 * s},
                        IM_COL32(150, 40, 40, 225), 6 * s);
      draw::text(dl, window_->fonts().bold, window_->fonts().bold->FontSize, p, draw::kText, msg);
    }
  }
  if (mode_ != Mode::live) return;
  if (models_missing_ || (!gallery_ && !loader_->busy() && !builder_)) {
    draw_welcome(area);  // first run: model and gallery downloads come before the camera
  } else if (feed_ && feed_->state() == LiveFeed::State::failed) {
    draw_source_problem(area);
  } else if (!shown_ || shown_->frame.empty()) {
    const std::string msg = feed_ && feed_->state() == LiveFeed::State::opening
                                ? "Opening " + feed_->spec() + "..."
                                : "Waiting for the first frame...";
    const ImVec2 ts =
        draw::text_size(window_->fonts().regular, window_->fonts().regular->FontSize, msg);
    draw::text(dl, window_->fonts().regular, window_->fonts().regular->FontSize,
               {(area.min.x + area.max.x - ts.x) / 2, (area.min.y + area.max.y - ts.y) / 2},
               draw::kTextDim, msg);
  }
}

void App::draw_overlay(ImDrawList* dl, const Rect& fr, float s) {
  const Fonts& f = window_->fonts();
  const float k = fr.width() / static_cast<float>(layout_.frame_size.width);
  const float W = static_cast<float>(layout_.frame_size.width);
  auto to_screen = [&](cv::Point2f p) {
    const float x = layout_.mirrored ? W - p.x : p.x;
    return ImVec2{fr.min.x + x * k, fr.min.y + p.y * k};
  };
  // Group play: with the unique cast on and two or more named people in view, each plays a
  // different celebrity from their own top-k (the Hungarian assignment of photo mode); the
  // card's rows keep their own matches, so a differing top-1 stays visible.
  std::map<std::uint64_t, IdentityMatch> cast;
  if (settings_.unique_cast) {
    std::vector<const TrackView*> people;
    std::vector<std::vector<IdentityMatch>> candidates;
    for (const auto& a : animator_.tracks())
      if (a.alive && a.view.named()) {
        people.push_back(&a.view);
        candidates.push_back(a.view.matches);
      }
    if (people.size() >= 2) {
      const auto parts = app::assign_unique_cast(candidates);
      for (std::size_t i = 0; i < people.size(); ++i)
        if (parts[i]) cast.emplace(people[i]->id, candidates[i][*parts[i]]);
    }
  }
  // The twins in the room: the two people in view most alike to each other (their own
  // descriptors, not the celebrities'), outlined and announced.
  std::optional<app::TwinPair> twins;
  std::vector<std::uint64_t> twin_ids;
  {
    std::vector<std::uint64_t> ids;
    std::vector<Embedding> descriptors;
    for (const auto& a : animator_.tracks())
      if (a.alive && a.view.embedding) {
        ids.push_back(a.view.id);
        descriptors.push_back(*a.view.embedding);
      }
    if (const auto ranked = app::rank_twins(descriptors); !ranked.empty()) {
      twins = ranked.front();
      twin_ids = {ids[twins->a], ids[twins->b]};
      layout_.live_twins = twin_ids;
      layout_.twins_similarity = twins->similarity_percent;
    }
  }
  dl->PushClipRect(fr.min, fr.max, true);
  for (const auto& a : animator_.tracks()) {
    const TrackView& v = a.view;
    const float alpha = a.alpha;
    ImVec2 p0 = to_screen({a.box.x, a.box.y});
    ImVec2 p1 = to_screen({a.box.x + a.box.width, a.box.y + a.box.height});
    if (p0.x > p1.x) std::swap(p0.x, p1.x);
    const bool named = v.named();
    const auto part = cast.find(v.id);
    const IdentityMatch* top = part != cast.end() ? &part->second
                               : named            ? &v.matches.front()
                                                  : nullptr;
    const bool low = top && top->similarity_percent < kLowResemblancePercent;
    const ImU32 color = !named ? draw::kPending : (low ? draw::kLow : draw::kMatch);
    draw::face_box(dl, p0, p1, color, alpha, s);
    if (std::find(twin_ids.begin(), twin_ids.end(), v.id) != twin_ids.end())
      dl->AddRect({p0.x - 5 * s, p0.y - 5 * s}, {p1.x + 5 * s, p1.y + 5 * s},
                  draw::with_alpha(draw::kTwins, alpha), 8 * s, 0, 2.5f * s);

    if (settings_.show_landmarks && v.landmarks) {
      for (const auto& pt : *v.landmarks)
        dl->AddCircleFilled(to_screen(pt), 1.9f * s,
                            draw::with_alpha(IM_COL32(255, 255, 255, 210), alpha));
    }

    // Label pill above the box (below it when there is no room).
    std::string title, detail;
    if (!named) {
      title = "Analyzing...";
    } else if (low) {
      title = "No close look-alike";
      detail = "low resemblance";
    } else {
      title = top->name;
      detail = draw::percent_text(top->similarity_percent);
    }
    const float fs_title = f.bold->FontSize, fs_detail = f.regular->FontSize;
    const float max_label_w = std::max(p1.x - p0.x, 220 * s);
    title = draw::fit_text(f.bold, fs_title, title, max_label_w - 60 * s);
    const ImVec2 ts = draw::text_size(f.bold, fs_title, title);
    const ImVec2 ds = detail.empty() ? ImVec2{0, 0} : draw::text_size(f.regular, fs_detail, detail);
    const float pad = 8 * s;
    const float lw = ts.x + (detail.empty() ? 0 : ds.x + 10 * s) + 2 * pad;
    const float lh = ts.y + 2 * pad * 0.75f;
    ImVec2 l0{p0.x, p0.y - lh - 6 * s};
    if (l0.y < fr.min.y) l0.y = p1.y + 6 * s;
    l0.x = std::clamp(l0.x, fr.min.x + 2 * s, std::max(fr.min.x + 2 * s, fr.max.x - lw - 2 * s));
    const ImVec2 l1{l0.x + lw, l0.y + lh};
    dl->AddRectFilled(l0, l1, draw::with_alpha(draw::kCardBg, alpha), 6 * s);
    dl->AddRectFilled(l0, {l0.x + 4 * s, l1.y}, draw::with_alpha(color, alpha), 6 * s,
                      ImDrawFlags_RoundCornersLeft);
    draw::text(dl, f.bold, fs_title, {l0.x + pad, l0.y + pad * 0.75f},
               draw::with_alpha(draw::kText, alpha), title);
    if (!detail.empty())
      draw::text(dl, f.regular, fs_detail,
                 {l0.x + pad + ts.x + 10 * s, l0.y + pad * 0.75f + (ts.y - ds.y) / 2},
                 draw::with_alpha(low ? draw::kLow : draw::kMatch, alpha), detail);

    DrawnTrack drawn;
    drawn.id = v.id;
    drawn.name = top ? top->name : "";
    drawn.similarity = top ? top->similarity_percent : 0.f;
    drawn.box = {p0, p1};
    drawn.label = {l0, l1};

    // Card beside the face: top-1 thumbnail, then the top-3 as small rows with their %.
    if (named) {
      const float face_h = p1.y - p0.y;
      const float T = std::clamp(face_h * 0.7f, 84 * s, 150 * s);
      const float cw = std::max(T, 176 * s) + 2 * pad;
      const float small = 30 * s;
      const std::size_t rows = std::min<std::size_t>(3, v.matches.size());
      // The track's gender/age estimate, said to be one (the pipeline averages it over the
      // track's faces).
      const std::string estimate =
          v.gender_age.known() ? fmt::format("Looks {}, about {:.0f} (estimate)",
                                             to_string(v.gender_age.gender), v.gender_age.age)
                               : std::string();
      const float ch = pad + T + 6 * s + fs_title + 4 * s + 6 * s +
                       static_cast<float>(rows) * (small + 6 * s) +
                       (estimate.empty() ? 0.f : fs_detail + 6 * s) + pad;
      ImVec2 c0{p1.x + 14 * s, p0.y};
      if (c0.x + cw > fr.max.x) c0.x = p0.x - 14 * s - cw;  // no room right: left of the face
      c0.x = std::clamp(c0.x, fr.min.x + 2 * s, std::max(fr.min.x + 2 * s, fr.max.x - cw - 2 * s));
      c0.y = std::clamp(c0.y, fr.min.y + 2 * s, std::max(fr.min.y + 2 * s, fr.max.y - ch - 2 * s));
      const ImVec2 c1{c0.x + cw, c0.y + ch};
      dl->AddRectFilled(c0, c1, draw::with_alpha(draw::kCardBg, alpha * 0.95f), 10 * s);
      dl->AddRect(c0, c1, draw::with_alpha(color, alpha * 0.55f), 10 * s, 0, 1.2f * s);
      const ImVec2 t0{c0.x + (cw - T) / 2, c0.y + pad};
      const Texture* thumb = thumbnails_ ? thumbnails_->get(top->identity) : nullptr;
      draw::image_or_placeholder(dl, thumb, t0, {t0.x + T, t0.y + T}, 8 * s,
                                 alpha * (low ? 0.7f : 1.f), top->name, f.bold);
      drawn.thumbnail = {t0, {t0.x + T, t0.y + T}};
      float y = t0.y + T + 6 * s;
      const std::string pct = draw::percent_text(top->similarity_percent);
      const float pw = draw::text_size(f.bold, fs_title, pct).x;
      draw::text(dl, f.bold, fs_title, {c0.x + pad, y}, draw::with_alpha(draw::kText, alpha),
                 draw::fit_text(f.bold, fs_title, top->name, cw - 2 * pad - pw - 8 * s));
      draw::text(dl, f.bold, fs_title, {c1.x - pad - pw, y}, draw::with_alpha(color, alpha), pct);
      y += fs_title + 4 * s;
      draw::percent_bar(dl, {c0.x + pad, y}, {c1.x - pad, y + 4 * s}, top->similarity_percent,
                        color, alpha);
      y += 10 * s;
      for (std::size_t i = 0; i < rows; ++i) {
        const IdentityMatch& m = v.matches[i];
        const Texture* st = thumbnails_ ? thumbnails_->get(m.identity) : nullptr;
        draw::image_or_placeholder(dl, st, {c0.x + pad, y}, {c0.x + pad + small, y + small}, 4 * s,
                                   alpha, m.name, f.bold);
        const std::string mp = draw::percent_text(m.similarity_percent);
        const float mw = draw::text_size(f.regular, fs_detail, mp).x;
        const float tx = c0.x + pad + small + 8 * s;
        const float ty = y + (small - fs_detail) / 2;
        draw::text(dl, f.regular, fs_detail, {tx, ty},
                   draw::with_alpha(i == 0 ? draw::kText : draw::kTextDim, alpha),
                   draw::fit_text(f.regular, fs_detail, std::to_string(i + 1) + ". " + m.name,
                                  c1.x - pad - mw - 6 * s - tx));
        draw::text(dl, f.regular, fs_detail, {c1.x - pad - mw, ty},
                   draw::with_alpha(draw::kTextDim, alpha), mp);
        y += small + 6 * s;
      }
      if (!estimate.empty())
        draw::text(dl, f.regular, fs_detail, {c0.x + pad, y},
                   draw::with_alpha(draw::kTextDim, alpha),
                   draw::fit_text(f.regular, fs_detail, estimate, cw - 2 * pad));
    }
    if (a.alive) layout_.tracks.push_back(std::move(drawn));
  }
  if (twins) {
    const std::string banner = draw::twins_caption(twins->similarity_percent);
    const float fs = f.bold->FontSize;
    const ImVec2 ts = draw::text_size(f.bold, fs, banner);
    const ImVec2 b0{(fr.min.x + fr.max.x - ts.x) / 2 - 14 * s, fr.max.y - ts.y - 34 * s};
    const ImVec2 b1{b0.x + ts.x + 28 * s, b0.y + ts.y + 16 * s};
    dl->AddRectFilled(b0, b1, draw::with_alpha(draw::kCardBg, 0.92f), 8 * s);
    dl->AddRect(b0, b1, draw::kTwins, 8 * s, 0, 1.5f * s);
    draw::text(dl, f.bold, fs, {b0.x + 14 * s, b0.y + 8 * s}, draw::kTwins, banner);
  }
  dl->PopClipRect();
}

void App::draw_welcome(const Rect& area) {
  const float s = window_->scale();
  layout_.welcome = true;
  if (begin_card("##welcome", area, 600, s)) {
    ImGui::PushFont(window_->fonts().large);
    ImGui::TextUnformatted("Lookalike");
    ImGui::PopFont();
    ImGui::TextDisabled("Which celebrity does your face resemble?");
    ImGui::Separator();
    ImGui::Spacing();
    ImGui::PushTextWrapPos(0.f);
    if (!gallery_error_.empty()) {
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.95f, 0.45f, 0.4f, 1.f));
      ImGui::TextWrapped("%s", gallery_error_.c_str());
      ImGui::PopStyleColor();
      ImGui::Spacing();
    }
    ImGui::TextUnformatted(
        "To start, Lookalike needs a gallery: labelled photos of the people to compare with.");
    ImGui::PopTextWrapPos();
    ImGui::Spacing();
    draw_downloads(s);
    ImGui::PushTextWrapPos(0.f);
    ImGui::Spacing();
    ImGui::PushFont(window_->fonts().bold);
    ImGui::TextUnformatted("Build a gallery");
    ImGui::PopFont();
    ImGui::TextWrapped(
        "Drop a folder onto this window that holds one sub-folder per person (the folder name is "
        "the "
        "name shown), e.g. celebrities/Ada_Lovelace/*.jpg. Or from a terminal:");
    ImGui::TextDisabled("    lookalike-cli gallery build celebrities/ -o celebrities.lkg");
    ImGui::Spacing();
    ImGui::PushFont(window_->fonts().bold);
    ImGui::TextUnformatted("Open a gallery");
    ImGui::PopFont();
    ImGui::TextWrapped(
        "Drop a .lkg file here, or open one from the side panel (Tab). It is remembered for next "
        "time.");
    ImGui::PopTextWrapPos();
    ImGui::Spacing();
    if (ImGui::Button("Open gallery...")) ask_path(PathPurpose::open_gallery);
    ImGui::SameLine();
    if (ImGui::Button("Build from folder...")) ask_path(PathPurpose::build_gallery);
    ImGui::SameLine();
    if (ImGui::Button("Analyze photos...")) ask_path(PathPurpose::open_photos);
  }
  ImGui::End();
}

// The welcome screen's first road: the face model (when missing) and the gallery catalogue,
// each downloaded by an app::Task with a progress bar and Cancel.
void App::draw_downloads(float s) {
  auto task_row = [&](app::Task& task, const char* id) { draw::task_row(task, id, 90 * s); };
  if (models_missing_) {
    ImGui::PushFont(window_->fonts().bold);
    ImGui::TextUnformatted("Face model");
    ImGui::PopFont();
    ImGui::TextWrapped(
        "The face recognition weights (dlib's ResNet as published by face-api, MIT, 6 MB) are "
        "not installed yet.");
    if (model_download_)
      task_row(*model_download_, "model");
    else if (ImGui::Button("Download the face model"))
      start_model_download();
    ImGui::Spacing();
  }
  ImGui::PushFont(window_->fonts().bold);
  ImGui::TextUnformatted("Download celebrities");
  ImGui::PopFont();
  if (!gallery_sources_error_.empty()) {
    ImGui::TextWrapped("%s", gallery_sources_error_.c_str());
    return;
  }
  if (download_) {
    ImGui::TextUnformatted(download_->name().c_str());
    task_row(*download_, "gallery");
    return;
  }
  if (ImGui::BeginTable("##sources", 2, ImGuiTableFlags_SizingStretchProp)) {
    // The button column fits its widest label ("Resume (180.6 MB)"); the text column wraps.
    ImGui::TableSetupColumn("source", ImGuiTableColumnFlags_WidthStretch);
    ImGui::TableSetupColumn(
        "action", ImGuiTableColumnFlags_WidthFixed,
        ImGui::CalcTextSize("Resume (000.0 MB)").x + 2 * ImGui::GetStyle().FramePadding.x);
    for (const auto& source : gallery_sources_) {
      layout_.welcome_sources.push_back(source.name);
      ImGui::PushID(source.name.c_str());
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%s (%s)", source.title.c_str(), app::human_size(source.size).c_str());
      ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
      ImGui::TextWrapped("%s", source.description.c_str());
      ImGui::TextWrapped("licence: %s", source.licence.c_str());
      ImGui::PopStyleColor();
      ImGui::TableNextColumn();
      const std::uint64_t partial = app::partial_download_bytes(source);
      const std::string label = partial ? "Resume (" + app::human_size(partial) + ")" : "Download";
      if (ImGui::Button(label.c_str())) start_gallery_download(source.name);
      ImGui::PopID();
    }
    ImGui::EndTable();
  }
}

void App::draw_source_problem(const Rect& area) {
  const float s = window_->scale();
  if (begin_card("##nosource", area, 560, s)) {
    const std::string spec = feed_ ? feed_->spec() : settings_.source;
    const bool camera = source_is_camera(spec);
    ImGui::PushFont(window_->fonts().large);
    ImGui::TextUnformatted(camera ? "No camera" : "Cannot open the source");
    ImGui::PopFont();
    ImGui::PushTextWrapPos(0.f);
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.95f, 0.55f, 0.45f, 1.f));
    ImGui::TextWrapped("%s", feed_ ? feed_->error().c_str() : "");
    ImGui::PopStyleColor();
    ImGui::Spacing();
    ImGui::TextWrapped(
        camera ? "Connect a camera and retry, pick another one in the side panel, analyze photos, "
                 "or open a video file instead."
               : "Check the path, or pick another source in the side panel.");
    ImGui::PopTextWrapPos();
    ImGui::Spacing();
    if (ImGui::Button("Retry")) start_feed(spec);
    ImGui::SameLine();
    if (ImGui::Button("Analyze photos...")) ask_path(PathPurpose::open_photos);
    ImGui::SameLine();
    if (ImGui::Button("Open video...")) ask_path(PathPurpose::open_video);
    ImGui::TextDisabled("You can also drop photos onto this window.");
  }
  ImGui::End();
}

}  // namespace lookalike::ui

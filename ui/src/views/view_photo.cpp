// Photo mode: every face of the dropped photos beside its top-k celebrity thumbnails; with
// several faces, the unique cast (everyone plays a different celebrity) and the twins (the two
// most alike people, outlined).
#include <imgui.h>

#include <algorithm>
#include <cmath>

#include "app_impl.hpp"
#include "views/draw_util.hpp"
#include "views/feature_bars.hpp"

namespace lookalike::ui {
namespace {

const ImVec4 kTwinsColor = ImGui::ColorConvertU32ToFloat4(draw::kTwins);

}  // namespace

void App::draw_photo(const Rect& area) {
  const float s = window_->scale();
  const Fonts& f = window_->fonts();
  auto batch = photos_ ? photos_->latest() : nullptr;

  // Textures for the crops: created here (main thread) as results arrive, freed with the batch.
  if (batch != photo_batch_shown_) {
    if (!photo_batch_shown_ || !batch || batch->id != photo_batch_shown_->id)
      photo_textures_.clear();
    morph_shown_ = nullptr;  // its morphs belong to the batch
    morph_selected_.reset();
    if (batch) {
      for (std::size_t i = photo_textures_.size(); i < batch->photos.size(); ++i) {
        std::vector<Texture> faces;
        for (const auto& face : batch->photos[i].faces) faces.emplace_back(face.crop);
        // Then each face's pose-matched top-1 crop, at [face count + face].
        for (const auto& face : batch->photos[i].faces) faces.emplace_back(face.pose_thumbnail);
        photo_textures_.push_back(std::move(faces));
      }
    }
    photo_batch_shown_ = batch;
  }

  ImGui::SetNextWindowPos(area.min);
  ImGui::SetNextWindowSize({area.width(), area.height()});
  ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.06f, 0.065f, 0.08f, 1.f));
  ImGui::Begin("##photo", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  layout_.frame = area;
  if (!batch) {
    ImGui::TextDisabled("Drop photos onto the window to find every face's look-alike.");
    ImGui::End();
    ImGui::PopStyleColor();
    return;
  }
  std::size_t face_count = 0;
  for (const auto& p : batch->photos) face_count += p.faces.size();
  layout_.photo_faces = static_cast<int>(face_count);

  ImGui::PushFont(f.bold);
  ImGui::Text("%zu photo%s, %zu face%s", batch->total_files, batch->total_files == 1 ? "" : "s",
              face_count, face_count == 1 ? "" : "s");
  ImGui::PopFont();
  ImGui::SameLine();
  if (!batch->done) {
    const float fraction =
        batch->total_files ? static_cast<float>(batch->photos.size()) / batch->total_files : 0.f;
    ImGui::SetNextItemWidth(220 * s);
    ImGui::ProgressBar(fraction, {220 * s, 0}, batch->status.c_str());
  } else {
    ImGui::TextDisabled(
        "  Esc: back to live   S: save result card   V: save morph (MP4; "
        "Shift+V: PNG strip)");
  }
  if (morph_save_) {  // "save morph" runs on a Task: its progress and a way out
    const auto status = morph_save_->status();
    ImGui::SameLine();
    ImGui::ProgressBar(std::max(0.f, static_cast<float>(status.fraction)), {160 * s, 0},
                       "saving morph");
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel##morph")) morph_save_->cancel();
  }
  // Group play: a different celebrity for everyone, and the two most alike people.
  if (face_count >= 2 && gallery_) {
    ImGui::SameLine();
    if (ImGui::Checkbox("Unique cast", &settings_.unique_cast)) {
      photos_->set_unique_cast(settings_.unique_cast);
      photos_->submit(photo_files_);  // the same photos, cast again
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("Everyone gets a different celebrity (the best cast for the group)");
  }
  const TwinPair* twins = batch->done && !batch->twins.empty() ? &batch->twins.front() : nullptr;
  if (twins) {
    ImGui::TextColored(kTwinsColor, "%s (#%zu and #%zu)",
                       draw::twins_caption(twins->similarity_percent).c_str(), twins->a + 1,
                       twins->b + 1);
    layout_.photo_twins = {static_cast<int>(twins->a), static_cast<int>(twins->b)};
    layout_.twins_similarity = twins->similarity_percent;
  }
  if (!gallery_)
    ImGui::TextColored({0.95f, 0.7f, 0.3f, 1},
                       "No gallery loaded: faces are found but not matched.");
  ImGui::Separator();

  ImGui::BeginChild("##cards", {0, 0}, false);
  // Bigger cards for few faces; 1..20 faces fit without overlapping (wrapping, scrolling).
  const float k = face_count <= 2 ? 1.45f : 1.f;
  const float crop = 150 * s * k;
  const float thumb = 46 * s * k;
  const float pad = 12 * s;
  const int top_k = std::max(1, settings_.search.top_k);
  const float list_w = 250 * s * k;
  const float card_w = pad + crop + pad + list_w + pad;
  const float rows_h = static_cast<float>(top_k) * (thumb + 8 * s);
  const float caption_h = (settings_.unique_cast ? 2.f : 1.f) * (f.regular->FontSize + 4 * s);
  // The feature bars run under every card when any face has them (cards share one height).
  const bool features = std::ranges::any_of(batch->photos, [](const PhotoResult& p) {
    return std::ranges::any_of(p.faces, [](const PhotoFace& x) { return x.features.has_value(); });
  });
  const float features_h = features ? feature_bars_height(f, s) : 0.f;
  const float card_h = pad + std::max(crop + caption_h + 4 * s, rows_h) + features_h + pad;
  const float avail = ImGui::GetContentRegionAvail().x;
  const int columns = std::max(1, static_cast<int>((avail + pad) / (card_w + pad)));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  int index = 0;
  for (std::size_t pi = 0; pi < batch->photos.size(); ++pi) {
    const PhotoResult& photo = batch->photos[pi];
    if (!photo.error.empty()) {
      layout_.photo_errors.push_back(photo.error);
      ImGui::PushStyleColor(ImGuiCol_Text,
                            photo.faces.empty() && photo.error.find("no face") != std::string::npos
                                ? ImVec4(0.95f, 0.72f, 0.35f, 1)
                                : ImVec4(0.95f, 0.45f, 0.42f, 1));
      ImGui::PushTextWrapPos(0.f);
      ImGui::TextWrapped("%s", photo.error.c_str());
      ImGui::PopTextWrapPos();
      ImGui::PopStyleColor();
      continue;
    }
    if (!photo.note.empty()) {
      layout_.photo_notes.push_back(photo.note);
      ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(0.7f, 0.74f, 0.8f, 1));
      ImGui::TextWrapped("%s", photo.note.c_str());
      ImGui::PopStyleColor();
    }
    for (std::size_t fi = 0; fi < photo.faces.size(); ++fi, ++index) {
      const PhotoFace& face = photo.faces[fi];
      if (index % columns != 0) ImGui::SameLine(0, pad);
      const ImVec2 c0 = ImGui::GetCursorScreenPos();
      // Dragging across the face morphs it into its part (left edge: you, right: the star).
      ImGui::SetCursorScreenPos({c0.x + pad, c0.y + pad});
      ImGui::PushID(index);
      ImGui::InvisibleButton("##morph", {crop, crop});
      ImGui::PopID();
      const bool morphing = face.morph && ImGui::IsItemActive();
      if (face.morph && (morphing || ImGui::IsItemHovered())) morph_selected_ = face.morph;
      if (ImGui::IsItemHovered() && !morphing && (face.morph || face.estimate.known())) {
        ImGui::BeginTooltip();
        if (face.morph)
          ImGui::Text("Drag across the face to morph it into %s (V: save the morph)",
                      (face.assigned ? *face.assigned : face.matches.front()).name.c_str());
        if (face.estimate.known())
          ImGui::TextDisabled("Looks %s, about %.0f (estimates from the photo, can be wrong)",
                              to_string(face.estimate.gender), face.estimate.age);
        ImGui::EndTooltip();
      }
      ImGui::SetCursorScreenPos(c0);
      ImGui::Dummy({card_w, card_h});
      const ImVec2 c1{c0.x + card_w, c0.y + card_h};
      if (!ImGui::IsItemVisible()) continue;
      const IdentityMatch* top = face.matches.empty() ? nullptr : &face.matches.front();
      const bool low = top && top->similarity_percent < kLowResemblancePercent;
      const ImU32 color = !top ? draw::kPending : (low ? draw::kLow : draw::kMatch);
      dl->AddRectFilled(c0, c1, IM_COL32(24, 26, 32, 255), 10 * s);
      const bool twin = twins && (twins->a == static_cast<std::size_t>(index) ||
                                  twins->b == static_cast<std::size_t>(index));
      dl->AddRect(c0, c1, twin ? ImGui::GetColorU32(kTwinsColor) : draw::with_alpha(color, 0.45f),
                  10 * s, 0, (twin ? 2.5f : 1.2f) * s);
      const Texture* crop_tex = pi < photo_textures_.size() && fi < photo_textures_[pi].size()
                                    ? &photo_textures_[pi][fi]
                                    : nullptr;
      // --morph-at T: the first face as if dragged to T (documentation screenshots).
      const bool morph_pinned = face.morph && index == 0 && options_.morph_at >= 0;
      float morph_t = -1;
      if (morphing || morph_pinned) {
        const float x = ImGui::GetIO().MousePos.x - (c0.x + pad);
        morph_t = morphing ? std::clamp(x / crop, 0.f, 1.f)
                           : static_cast<float>(std::min(options_.morph_at, 1.0));
        // A new frame only when the pointer moved (or another face is dragged).
        if (face.morph.get() != morph_shown_ || morph_t != morph_shown_t_) {
          morph_texture_.upload(face.morph->frame(morph_t));  // ~ms at 192 px
          morph_shown_ = face.morph.get();
          morph_shown_t_ = morph_t;
        }
        crop_tex = &morph_texture_;
      }
      const ImVec2 f0{c0.x + pad, c0.y + pad};
      draw::image_or_placeholder(dl, crop_tex, f0, {f0.x + crop, f0.y + crop}, 8 * s, 1.f, "?",
                                 f.bold);
      if (morph_t >= 0)
        draw::text(dl, f.bold, f.bold->FontSize, {f0.x + 6 * s, f0.y + 4 * s}, draw::kText,
                   "morph " + draw::percent_text(morph_t * 100), true);
      const std::string caption =
          draw::fit_text(f.regular, f.regular->FontSize,
                         photo.path.filename().string() +
                             (photo.faces.size() > 1 ? "  #" + std::to_string(fi + 1) : ""),
                         crop);
      draw::text(dl, f.regular, f.regular->FontSize, {f0.x, f0.y + crop + 4 * s}, draw::kTextDim,
                 caption);
      // The unique cast's part, under the caption when it is not the face's own top-1.
      std::string part;
      if (face.assigned && (!top || face.assigned->identity != top->identity))
        part = "plays " + face.assigned->name + "  " +
               draw::percent_text(face.assigned->similarity_percent);
      layout_.photo_cast.push_back(face.assigned ? face.assigned->name : "");
      if (!part.empty())
        draw::text(dl, f.bold, f.regular->FontSize,
                   {f0.x, f0.y + crop + 8 * s + f.regular->FontSize}, draw::kMatch,
                   draw::fit_text(f.bold, f.regular->FontSize, part, card_w - 2 * pad));
      const float lx = f0.x + crop + pad;
      float y = c0.y + pad;
      if (face.matches.empty()) {
        draw::text(dl, f.regular, f.regular->FontSize, {lx, y}, draw::kTextDim,
                   gallery_ ? "no match" : "no gallery");
      }
      for (std::size_t m = 0; m < face.matches.size() && static_cast<int>(m) < top_k; ++m) {
        const IdentityMatch& match = face.matches[m];
        const Texture* t = thumbnails_ ? thumbnails_->get(match.identity) : nullptr;
        // The top-1 as it looks in this face's head pose, when the gallery keeps pose photos.
        const std::size_t pose_tex = photo.faces.size() + fi;
        if (m == 0 && pi < photo_textures_.size() && pose_tex < photo_textures_[pi].size() &&
            photo_textures_[pi][pose_tex].valid()) {
          t = &photo_textures_[pi][pose_tex];
          ++layout_.photo_pose_thumbnails;
        }
        draw::image_or_placeholder(dl, t, {lx, y}, {lx + thumb, y + thumb}, 6 * s, 1.f, match.name,
                                   f.bold);
        const float tx = lx + thumb + 10 * s;
        const std::string pct = draw::percent_text(match.similarity_percent);
        ImFont* name_font = m == 0 ? f.bold : f.regular;
        const float pw = draw::text_size(f.bold, f.bold->FontSize, pct).x;
        draw::text(dl, name_font, name_font->FontSize, {tx, y + 2 * s},
                   m == 0 ? draw::kText : draw::kTextDim,
                   draw::fit_text(name_font, name_font->FontSize, match.name,
                                  c1.x - pad - tx - pw - 8 * s));
        draw::text(dl, f.bold, f.bold->FontSize, {c1.x - pad - pw, y + 2 * s},
                   m == 0 ? color : draw::kTextDim, pct);
        if (m == 0 && match.percentile) {
          // Resemblance percentile (gallery format 2), small, between the name and the bar.
          const float fs = f.regular->FontSize * 0.85f;
          const std::string line =
              "closer than " + draw::percent_text(*match.percentile) + " of the gallery";
          draw::text(dl, f.regular, fs, {tx, y + 4 * s + name_font->FontSize}, draw::kTextDim,
                     draw::fit_text(f.regular, fs, line, c1.x - pad - tx));
          layout_.photo_percentiles.push_back(line);
        }
        draw::percent_bar(dl, {tx, y + thumb - 10 * s}, {c1.x - pad, y + thumb - 5 * s},
                          match.similarity_percent, m == 0 ? color : IM_COL32(120, 128, 140, 255),
                          1.f);
        y += thumb + 8 * s;
      }
      if (low) {
        // A clear band over the bottom of the face: the best match is not much of a look-alike.
        const char* label = "low resemblance";
        const ImVec2 ts = draw::text_size(f.bold, f.bold->FontSize, label);
        const float band = ts.y + 8 * s;
        dl->AddRectFilled({f0.x, f0.y + crop - band}, {f0.x + crop, f0.y + crop},
                          IM_COL32(120, 80, 10, 215), 8 * s, ImDrawFlags_RoundCornersBottom);
        draw::text(dl, f.bold, f.bold->FontSize,
                   {f0.x + (crop - ts.x) / 2, f0.y + crop - band + 4 * s}, draw::kText, label);
      }
      if (face.features)  // the morph's part: the unique cast's, else the top-1
        layout_.photo_features.push_back(draw_feature_bars(
            dl, f, s, {f0.x, c1.y - pad - features_h + 6 * s}, card_w - 2 * pad, *face.features,
            (face.assigned ? *face.assigned : face.matches.front()).name));
    }
  }
  if (batch->done && face_count == 0 && layout_.photo_errors.empty())
    ImGui::TextDisabled("No faces found.");
  ImGui::EndChild();
  ImGui::End();
  ImGui::PopStyleColor();
}

}  // namespace lookalike::ui

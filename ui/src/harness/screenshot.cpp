#include "harness/screenshot.hpp"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <span>

#include "lookalike/engine/image_io.hpp"
#include "lookalike/file_util.hpp"
#include "lookalike/ui/gl/texture.hpp"

namespace lookalike::ui {

void write_screenshot(const std::filesystem::path& png, const cv::Mat& pixels,
                      const FrameLayout& layout, const ScreenshotState& state, ImVec2 scale) {
  write_png_atomically(png, pixels);
  auto rect = [&](const Rect& r) {
    return nlohmann::json::array(
        {r.min.x * scale.x, r.min.y * scale.y, r.width() * scale.x, r.height() * scale.y});
  };
  nlohmann::json j;
  j["mode"] = state.mode;
  j["frame_rect"] = rect(layout.frame);
  j["frame_size"] = {layout.frame_size.width, layout.frame_size.height};
  j["mirrored"] = layout.mirrored;
  j["seq"] = state.seq;
  j["tracks"] = nlohmann::json::array();
  for (const auto& t : layout.tracks)
    j["tracks"].push_back({{"id", t.id},
                           {"name", t.name},
                           {"similarity", t.similarity},
                           {"box", rect(t.box)},
                           {"label", rect(t.label)},
                           {"thumbnail", rect(t.thumbnail)}});
  j["photo_faces"] = layout.photo_faces;
  j["photo_errors"] = layout.photo_errors;
  j["photo_notes"] = layout.photo_notes;
  j["photo_cast"] = layout.photo_cast;
  j["photo_twins"] = layout.photo_twins;
  j["photo_percentiles"] = layout.photo_percentiles;
  j["photo_pose_thumbnails"] = layout.photo_pose_thumbnails;
  auto features = [&](const std::vector<DrawnFeatures>& drawn) {
    auto out = nlohmann::json::array();
    for (const auto& f : drawn)
      out.push_back({{"labels", f.labels}, {"note", f.note}, {"area", rect(f.area)}});
    return out;
  };
  j["photo_features"] = features(layout.photo_features);
  j["kiosk_features"] = features(layout.kiosk_features);
  j["twins_similarity"] = layout.twins_similarity;
  j["live_twins"] = layout.live_twins;
  j["map_identities"] = layout.map_identities;
  j["map_people"] = layout.map_people;
  j["kiosk_state"] = layout.kiosk_state;
  j["kiosk_cards"] = layout.kiosk_cards;
  j["kiosk_names"] = layout.kiosk_names;
  j["kiosk_plays"] = layout.kiosk_plays;
  j["kiosk_morph_t"] = layout.kiosk_morph_t;
  j["kiosk_logo"] = rect(layout.kiosk_logo);
  j["kiosk_headline"] = layout.kiosk_headline;
  j["kiosk_shares"] = layout.kiosk_shares;
  j["kiosk_attract_video"] = layout.kiosk_attract_video;
  j["welcome"] = layout.welcome;
  j["welcome_sources"] = layout.welcome_sources;
  j["toasts"] = layout.toasts;
  j["gallery"] = state.gallery;
  j["gallery_identities"] = state.gallery_identities;
  j["operator_window"] = state.operator_window;
  j["people_served"] = layout.people_served;
  j["pause_button"] = rect(layout.pause_button);
  j["textures_alive"] = Texture::live_count();
  const std::string text = j.dump(2);
  write_file_atomically(std::filesystem::path(png.string() + ".json"),
                        std::as_bytes(std::span(text.data(), text.size())));
  spdlog::info("screenshot written to {}", png.string());
}

}  // namespace lookalike::ui

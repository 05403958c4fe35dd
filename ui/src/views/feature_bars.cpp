#include "views/feature_bars.hpp"

#include "views/draw_util.hpp"

namespace lookalike::ui {
namespace {

// Feature shapes: blue, not the identity similarity's teal (they measure something else).
constexpr ImU32 kFeatureBar = IM_COL32(112, 150, 226, 255);

// The feature bars' text: a little smaller than the card's, so five fit side by side.
float feature_text_size(const Fonts& f) {
  return 0.86f * f.regular->FontSize;
}

}  // namespace

float feature_bars_height(const Fonts& f, float s) {
  return 2 * feature_text_size(f) + 20 * s;
}

DrawnFeatures draw_feature_bars(ImDrawList* dl, const Fonts& f, float s, ImVec2 min, float width,
                                const app::FeatureValues& percent, const std::string& part) {
  DrawnFeatures drawn;
  const float fs = feature_text_size(f);
  const std::string caveat = "compares face shapes, not identity";
  const float room = width - draw::text_size(f.regular, fs, caveat).x;
  std::string shapes = "Shapes vs " + part + ": ";
  if (draw::text_size(f.bold, fs, shapes).x > room) shapes = "Shapes: ";  // a long name
  draw::text(dl, f.bold, fs, min, draw::kTextDim, shapes);
  draw::text(dl, f.regular, fs, {min.x + draw::text_size(f.bold, fs, shapes).x, min.y},
             draw::kTextDim, caveat);
  drawn.note = shapes + caveat;
  const float gap = 8 * s;
  const float column = (width - gap * (app::kFaceFeatures.size() - 1)) / app::kFaceFeatures.size();
  float x = min.x;
  const float y = min.y + fs + 6 * s;
  for (const app::FaceFeature feature : app::kFaceFeatures) {
    // The name on the left, its % on the right above the bar.
    const auto value = static_cast<float>(percent[feature]);
    const std::string name(app::feature_name(feature)), pct = draw::percent_text(value);
    const float pw = draw::text_size(f.regular, fs, pct).x;
    draw::text(dl, f.regular, fs, {x, y}, draw::kTextDim,
               draw::fit_text(f.regular, fs, name, column - pw - 3 * s));
    draw::text(dl, f.regular, fs, {x + column - pw, y}, draw::kText, pct);
    draw::percent_bar(dl, {x, y + fs + 4 * s}, {x + column, y + fs + 9 * s}, value, kFeatureBar,
                      1.f);
    drawn.labels.push_back(name + " " + pct);
    x += column + gap;
  }
  drawn.area = {min, {min.x + width, y + fs + 9 * s}};
  if (ImGui::IsMouseHoveringRect(drawn.area.min, drawn.area.max))
    ImGui::SetTooltip(
        "How alike the shape of each feature is to %s's (its 68 landmarks, with position, size\n"
        "and tilt removed). 50%% is typical of two different people: it compares face shapes,\n"
        "not identity.",
        part.c_str());
  return drawn;
}

}  // namespace lookalike::ui

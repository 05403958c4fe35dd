#include "lookalike/ui/view_models/settings.hpp"

#include <spdlog/spdlog.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "lookalike/engine/detector.hpp"
#include "lookalike/file_util.hpp"

namespace fs = std::filesystem;

namespace lookalike::ui {
namespace {

fs::path home_dir() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  return fs::temp_directory_path();
}

fs::path xdg_dir(const char* variable, const char* fallback_under_home) {
  if (const char* value = std::getenv(variable); value && *value && fs::path(value).is_absolute())
    return value;
  return home_dir() / fallback_under_home;
}

// Accepted ranges (values outside are clamped, not refused: a hand-edited file still works).
constexpr int kMinTopK = 1;
constexpr int kMaxTopK = 10;
constexpr float kMinThreshold = 0.2f;  // far below dlib's 0.6 "same person" margin
constexpr float kMaxThreshold = 1.2f;
constexpr float kMinUiScale = 0.5f;
constexpr float kMaxUiScale = 3.0f;

template <typename T>
T get_or(const toml::table& table, std::string_view section, std::string_view key, T fallback) {
  if (const auto* sub = table[section].as_table()) return (*sub)[key].value_or(fallback);
  return fallback;
}

// An integer, or a float with an integral value (3.0). Not toml++'s value<int64_t>(): it casts
// any whole float to int64 unchecked, undefined behaviour for 1e300 (found by fuzz_settings).
std::optional<std::int64_t> integer_at(const toml::table& table, std::string_view section,
                                       std::string_view key) {
  const auto* sub = table[section].as_table();
  if (!sub) return std::nullopt;
  const auto node = (*sub)[key];
  if (const auto* i = node.as_integer()) return i->get();
  if (const auto* b = node.as_boolean()) return b->get() ? 1 : 0;  // as value<int64_t>() did
  if (const auto* f = node.as_floating_point()) {
    const double v = f->get();
    // 2^63 is exact as a double; [-2^63, 2^63) converts without overflow.
    if (v >= -0x1p63 && v < 0x1p63 && std::trunc(v) == v) return static_cast<std::int64_t>(v);
  }
  return std::nullopt;
}

// std::clamp passes NaN through (`nan` is valid TOML): NaN keeps the default instead.
template <typename T>
T clamped(T value, T lo, T hi, T fallback) {
  return std::isnan(value) ? fallback : std::clamp(value, lo, hi);
}

}  // namespace

void Settings::remember_gallery(const std::string& path) {
  gallery = path;
  if (path.empty()) return;
  std::erase(recent_galleries, path);
  recent_galleries.insert(recent_galleries.begin(), path);
  if (recent_galleries.size() > kMaxRecent) recent_galleries.resize(kMaxRecent);
}

bool Settings::operator==(const Settings& o) const {
  const auto& a = search;
  const auto& b = o.search;
  return source == o.source && mirror == o.mirror && gallery == o.gallery &&
         recent_galleries == o.recent_galleries && a.top_k == b.top_k && a.metric == b.metric &&
         a.same_person_threshold == b.same_person_threshold && detector == o.detector &&
         show_landmarks == o.show_landmarks && show_panel == o.show_panel &&
         unique_cast == o.unique_cast && ui_scale == o.ui_scale && save_dir == o.save_dir &&
         kiosk == o.kiosk;
}

fs::path default_settings_path() {
  return xdg_dir("XDG_CONFIG_HOME", ".config") / "lookalike" / "settings.toml";
}

fs::path result_card_dir(const Settings& settings) {
  if (!settings.save_dir.empty()) return settings.save_dir;
  return home_dir() / "Pictures" / "lookalike";
}

Settings parse_settings(const std::string& toml_text) {
  toml::table t;
  try {
    t = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "line " << e.source().begin.line << ": " << e.description();
    throw std::runtime_error(msg.str());
  }
  Settings s;
  s.source = get_or<std::string>(t, "source", "spec", s.source);
  s.mirror = get_or(t, "source", "mirror", s.mirror);
  s.gallery = get_or<std::string>(t, "gallery", "path", s.gallery);
  if (const auto* recent = t["gallery"]["recent"].as_array()) {
    for (const auto& node : *recent)
      if (auto value = node.value<std::string>(); value && !value->empty())
        s.recent_galleries.push_back(*value);
    if (s.recent_galleries.size() > Settings::kMaxRecent)
      s.recent_galleries.resize(Settings::kMaxRecent);
  }
  s.search.top_k =
      std::clamp(static_cast<int>(integer_at(t, "search", "top_k").value_or(s.search.top_k)),
                 kMinTopK, kMaxTopK);
  const auto metric = get_or<std::string>(t, "search", "metric", "euclidean");
  try {
    s.search.metric = metric_from_string(metric);
  } catch (const std::exception&) {
    spdlog::warn("settings: unknown metric '{}', using euclidean", metric);
  }
  s.search.same_person_threshold =
      clamped(static_cast<float>(get_or<double>(t, "search", "same_person_threshold",
                                                s.search.same_person_threshold)),
              kMinThreshold, kMaxThreshold, s.search.same_person_threshold);
  const auto detector = get_or<std::string>(t, "detector", "name", s.detector);
  try {
    detector_kind_from_string(detector);
    s.detector = detector;
  } catch (const std::exception&) {
    spdlog::warn("settings: unknown detector '{}', using {}", detector, s.detector);
  }
  s.show_landmarks = get_or(t, "view", "landmarks", s.show_landmarks);
  s.show_panel = get_or(t, "view", "panel", s.show_panel);
  s.unique_cast = get_or(t, "view", "unique_cast", s.unique_cast);
  s.ui_scale = clamped(static_cast<float>(get_or<double>(t, "view", "ui_scale", s.ui_scale)),
                       kMinUiScale, kMaxUiScale, s.ui_scale);
  s.save_dir = get_or<std::string>(t, "view", "save_dir", s.save_dir);
  auto& k = s.kiosk;
  // The PIN may be written as a number or a string.
  if (auto pin_int = integer_at(t, "kiosk", "pin"))
    k.pin = std::to_string(*pin_int);
  else
    k.pin = get_or<std::string>(t, "kiosk", "pin", k.pin);
  k.allow_saving = get_or(t, "kiosk", "allow_saving", k.allow_saving);
  k.dwell_seconds =
      clamped(get_or(t, "kiosk", "dwell_seconds", k.dwell_seconds), 0.2, 10.0, k.dwell_seconds);
  k.hold_seconds =
      clamped(get_or(t, "kiosk", "hold_seconds", k.hold_seconds), 1.0, 60.0, k.hold_seconds);
  k.leave_seconds =
      clamped(get_or(t, "kiosk", "leave_seconds", k.leave_seconds), 0.2, 30.0, k.leave_seconds);
  k.attract_title = get_or<std::string>(t, "kiosk", "attract_title", k.attract_title);
  k.unique_cast = get_or(t, "kiosk", "unique_cast", k.unique_cast);
  k.morph = get_or(t, "kiosk", "morph", k.morph);
  return s;
}

std::string format_settings(const Settings& s) {
  toml::array recent;
  for (const auto& path : s.recent_galleries) recent.push_back(path);
  toml::table t{
      {"source", toml::table{{"spec", s.source}, {"mirror", s.mirror}}},
      {"gallery", toml::table{{"path", s.gallery}, {"recent", recent}}},
      {"search", toml::table{{"top_k", s.search.top_k},
                             {"metric", std::string(to_string(s.search.metric))},
                             {"same_person_threshold", double{s.search.same_person_threshold}}}},
      {"detector", toml::table{{"name", s.detector}}},
      {"view", toml::table{{"landmarks", s.show_landmarks},
                           {"panel", s.show_panel},
                           {"unique_cast", s.unique_cast},
                           {"ui_scale", double{s.ui_scale}},
                           {"save_dir", s.save_dir}}},
      {"kiosk", toml::table{{"pin", s.kiosk.pin},
                            {"allow_saving", s.kiosk.allow_saving},
                            {"dwell_seconds", s.kiosk.dwell_seconds},
                            {"hold_seconds", s.kiosk.hold_seconds},
                            {"leave_seconds", s.kiosk.leave_seconds},
                            {"attract_title", s.kiosk.attract_title},
                            {"unique_cast", s.kiosk.unique_cast},
                            {"morph", s.kiosk.morph}}},
  };
  std::ostringstream out;
  out << "# Lookalike desktop settings (written by the app; edit while it is closed)\n\n"
      << t << '\n';
  return out.str();
}

LoadedSettings load_settings(const fs::path& path) {
  LoadedSettings result;
  std::error_code ec;
  if (!fs::exists(path, ec)) return result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.warning = path.string() + ": cannot be read; using default settings";
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  try {
    result.settings = parse_settings(text.str());
  } catch (const std::exception& e) {
    result.warning = path.string() + ": " + e.what() + "; using default settings";
  }
  if (result.warning) spdlog::warn("{}", *result.warning);
  return result;
}

void save_settings(const Settings& settings, const fs::path& path) {
  fs::create_directories(path.parent_path());
  const std::string text = format_settings(settings);
  write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace lookalike::ui

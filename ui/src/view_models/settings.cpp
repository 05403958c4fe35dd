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
#include <tuple>

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

std::optional<Rgb> parse_rgb(std::string_view text) {
  if (text.size() != 7 || text[0] != '#') return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::uint8_t bytes[3];
  for (int i = 0; i < 3; ++i) {
    const int hi = nibble(text[1 + 2 * i]), lo = nibble(text[2 + 2 * i]);
    if (hi < 0 || lo < 0) return std::nullopt;
    bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return Rgb{bytes[0], bytes[1], bytes[2]};
}

std::vector<std::string> check_kiosk_settings(KioskSettings& kiosk, const fs::path& config_dir) {
  std::vector<std::string> problems;
  const KioskSettings defaults;
  for (auto [key, value, fallback] :
       {std::tuple{"background", &kiosk.background, &defaults.background},
        std::tuple{"accent", &kiosk.accent, &defaults.accent},
        std::tuple{"text", &kiosk.text, &defaults.text}}) {
    if (parse_rgb(*value)) continue;
    problems.push_back(std::string("kiosk.") + key + " = \"" + *value +
                       "\" is not a #RRGGBB colour; using " + *fallback);
    *value = *fallback;
  }
  for (auto [key, value] :
       {std::pair{"logo", &kiosk.logo}, std::pair{"attract_video", &kiosk.attract_video}}) {
    if (value->empty()) continue;
    fs::path path(*value);
    if (path.is_relative()) path = config_dir / path;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      problems.push_back(std::string("kiosk.") + key + " = \"" + *value + "\": " + path.string() +
                         " is not a readable file; not shown");
      value->clear();
    } else {
      *value = path.lexically_normal().string();
    }
  }
  return problems;
}

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
         kiosk == o.kiosk && same_gender == o.same_gender && photo_jitter == o.photo_jitter;
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
  s.same_gender = get_or(t, "search", "same_gender", s.same_gender);
  s.photo_jitter = static_cast<int>(std::clamp<std::int64_t>(
      integer_at(t, "search", "photo_jitter").value_or(s.photo_jitter), 0, kMaxJitter));
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
  k.event_title = get_or<std::string>(t, "kiosk", "event_title", k.event_title);
  k.logo = get_or<std::string>(t, "kiosk", "logo", k.logo);
  k.background = get_or<std::string>(t, "kiosk", "background", k.background);
  k.accent = get_or<std::string>(t, "kiosk", "accent", k.accent);
  k.text = get_or<std::string>(t, "kiosk", "text", k.text);
  k.footer = get_or<std::string>(t, "kiosk", "footer", k.footer);
  k.consent = get_or(t, "kiosk", "consent", k.consent);
  k.consent_text = get_or<std::string>(t, "kiosk", "consent_text", k.consent_text);
  k.consent_hold_seconds =
      clamped(get_or(t, "kiosk", "consent_hold_seconds", k.consent_hold_seconds), 0.5, 30.0,
              k.consent_hold_seconds);
  k.countdown_seconds = clamped(get_or(t, "kiosk", "countdown_seconds", k.countdown_seconds), 0.0,
                                10.0, k.countdown_seconds);
  k.attract_video = get_or<std::string>(t, "kiosk", "attract_video", k.attract_video);
  if (const auto* kiosk_table = t["kiosk"].as_table()) {  // [kiosk.share]
    const toml::table& kt = *kiosk_table;
    auto& sh = k.share;
    sh.enabled = get_or(kt, "share", "enabled", sh.enabled);
    sh.bind = get_or<std::string>(kt, "share", "bind", sh.bind);
    sh.port = static_cast<int>(
        std::clamp<std::int64_t>(integer_at(kt, "share", "port").value_or(sh.port), 0, 65535));
    sh.public_host = get_or<std::string>(kt, "share", "public_host", sh.public_host);
    sh.ttl_minutes =
        clamped(get_or(kt, "share", "ttl_minutes", sh.ttl_minutes), 1.0, 24 * 60.0, sh.ttl_minutes);
    sh.max_cards = static_cast<int>(std::clamp<std::int64_t>(
        integer_at(kt, "share", "max_cards").value_or(sh.max_cards), 1, 10000));
  }
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
                             {"same_person_threshold", double{s.search.same_person_threshold}},
                             {"same_gender", s.same_gender},
                             {"photo_jitter", s.photo_jitter}}},
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
                            {"morph", s.kiosk.morph},
                            {"event_title", s.kiosk.event_title},
                            {"logo", s.kiosk.logo},
                            {"background", s.kiosk.background},
                            {"accent", s.kiosk.accent},
                            {"text", s.kiosk.text},
                            {"footer", s.kiosk.footer},
                            {"consent", s.kiosk.consent},
                            {"consent_text", s.kiosk.consent_text},
                            {"consent_hold_seconds", s.kiosk.consent_hold_seconds},
                            {"countdown_seconds", s.kiosk.countdown_seconds},
                            {"attract_video", s.kiosk.attract_video},
                            {"share", toml::table{{"enabled", s.kiosk.share.enabled},
                                                  {"bind", s.kiosk.share.bind},
                                                  {"port", s.kiosk.share.port},
                                                  {"public_host", s.kiosk.share.public_host},
                                                  {"ttl_minutes", s.kiosk.share.ttl_minutes},
                                                  {"max_cards", s.kiosk.share.max_cards}}}}},
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
  result.kiosk_problems = check_kiosk_settings(result.settings.kiosk, path.parent_path());
  for (const auto& problem : result.kiosk_problems) spdlog::warn("{}: {}", path.string(), problem);
  return result;
}

void save_settings(const Settings& settings, const fs::path& path) {
  fs::create_directories(path.parent_path());
  const std::string text = format_settings(settings);
  write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace lookalike::ui

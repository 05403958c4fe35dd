// Settings: everything the desktop app remembers between runs, stored as TOML.
//
// Contract: a plain value type. load_settings() never throws on file content: a missing file
// gives the defaults, a malformed file gives the defaults plus a warning naming the file, the
// line and the problem (shown in the window). Unknown keys are ignored, out-of-range values are
// clamped. save_settings() writes atomically (temp file, fsync, rename) and throws
// std::runtime_error naming the path when it cannot. Thread-compatible (no shared state).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike::ui {

struct KioskSettings {
  // Leaving kiosk mode: Ctrl+Shift+Q, then this PIN and Enter. Empty: the chord alone leaves.
  std::string pin = "2580";
  // Kiosk never writes to disk (no result cards, no settings) unless this is true.
  bool allow_saving = false;
  double dwell_seconds = 1.0;  // a face must be stable, frontal and large this long
  double hold_seconds = 5.0;   // how long the result card stays
  double leave_seconds = 1.5;  // nobody in front this long -> attract screen
  std::string attract_title = "Which celebrity do you look like?";
  bool unique_cast = false;  // two or more people on cards each play a different celebrity
  bool morph = true;         // the result card morphs the person into the celebrity
  bool operator==(const KioskSettings&) const = default;
};

struct Settings {
  // Source spec as understood by lookalike::open_source: "0" camera index, device path, video
  // file, image folder/sequence, stream URL.
  std::string source = "0";
  bool mirror = true;   // selfie view: flip the camera image horizontally for display
  std::string gallery;  // last gallery used ("" on first run)
  std::vector<std::string> recent_galleries;  // most recent first, at most kMaxRecent
  SearchOptions search;                       // top_k, metric, same-person threshold
  std::string detector = "hog";               // "hog" or the engine's alternative detector name
  bool show_landmarks = false;
  bool show_panel = true;
  bool unique_cast = false;  // group play: every face of a photo plays a different identity
  float ui_scale = 1.0f;     // multiplies the monitor content scale
  std::string save_dir;      // result cards; "" = $XDG_PICTURES_DIR or ~/Pictures/lookalike
  KioskSettings kiosk;
  // Photo mode's AnalyzeOptions::jitter ([search] photo_jitter): by default the gallery
  // builder's, so a gallery photo matches its own vector.
  int photo_jitter = kGalleryJitter;

  static constexpr std::size_t kMaxRecent = 8;
  void remember_gallery(const std::string& path);  // sets `gallery` and updates the MRU list
  bool operator==(const Settings& other) const;    // field by field (SearchOptions included)
};

struct LoadedSettings {
  Settings settings;
  std::optional<std::string> warning;  // set when the file existed but could not be used
};

// $XDG_CONFIG_HOME/lookalike/settings.toml (or ~/.config/lookalike/settings.toml).
std::filesystem::path default_settings_path();
// Settings::save_dir, or ~/Pictures/lookalike.
std::filesystem::path result_card_dir(const Settings& settings);

LoadedSettings load_settings(const std::filesystem::path& path);
Settings parse_settings(const std::string& toml_text);  // throws std::runtime_error
std::string format_settings(const Settings& settings);
void save_settings(const Settings& settings, const std::filesystem::path& path);

}  // namespace lookalike::ui

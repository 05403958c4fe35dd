// Settings: everything the desktop app remembers between runs, stored as TOML.
//
// Contract: a plain value type. load_settings() never throws on file content: a missing file
// gives the defaults, a malformed file gives the defaults plus a warning naming the file, the
// line and the problem (shown in the window). Unknown keys are ignored, out-of-range values are
// clamped; the kiosk's branding is checked (check_kiosk_settings). save_settings() writes
// atomically (temp file, fsync, rename) and throws std::runtime_error naming the path when it
// cannot. Thread-compatible (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike::ui {

// A "#RRGGBB" colour; nullopt for anything else.
struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};
std::optional<Rgb> parse_rgb(std::string_view text);

// The take-home QR: the guest's card served by the app's own HTTP server (app::ShareServer).
struct KioskShareSettings {
  bool enabled = false;            // off unless the event asks for it
  std::string bind = "127.0.0.1";  // address to listen on; "0.0.0.0" for every interface
  int port = 0;                    // 0: any free port
  std::string public_host;         // the host in the URL (the LAN address phones reach)
  double ttl_minutes = 15;         // a card's link lives this long
  int max_cards = 50;              // cards held at once (the oldest goes first)
  bool operator==(const KioskShareSettings&) const = default;
};

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
  // Branding, drawn on the attract screen and the cards.
  std::string event_title;             // "" = none
  std::string logo;                    // PNG/JPEG path; relative to the config file's folder
  std::string background = "#0a0c12";  // "#RRGGBB"
  std::string accent = "#3dd68c";
  std::string text = "#f0f2f5";
  std::string footer;  // a line at the bottom of every guest screen ("" = none)
  // The guest flow.
  bool consent = false;  // ask before anything is captured
  std::string consent_text =
      "We compare your face with celebrity photos, live, on this computer. Nothing is "
      "recorded or kept.";
  double consent_hold_seconds = 3.0;  // holding still this long says yes (hands free)
  double countdown_seconds = 3.0;     // 3-2-1 before the cards (0: none)
  std::string attract_video;          // looped on the attract screen; "" = the live camera
  KioskShareSettings share;           // [kiosk.share]
  bool operator==(const KioskSettings&) const = default;
};

// Checks the kiosk's branding: bad colours fall back to the defaults, a logo or attract video
// that cannot be read is dropped; relative paths are made absolute against `config_dir`.
// Returns one message per problem, naming the key and the value (for the operator, never
// drawn for guests).
std::vector<std::string> check_kiosk_settings(KioskSettings& kiosk,
                                              const std::filesystem::path& config_dir);

struct Settings {
  // Source spec as understood by lookalike::open_source: "0" camera index, device path, video
  // file, image folder/sequence, stream URL.
  std::string source = "0";
  bool mirror = true;   // selfie view: flip the camera image horizontally for display
  std::string gallery;  // last gallery used ("" on first run)
  std::vector<std::string> recent_galleries;  // most recent first, at most kMaxRecent
  SearchOptions search;                       // top_k, metric, same-person threshold
  std::string detector = "blazeface";  // live and photos; "hog" and the others stay available
  bool show_landmarks = false;
  bool show_panel = true;
  bool unique_cast = false;  // group play: every face of a photo plays a different identity
  float ui_scale = 1.0f;     // multiplies the monitor content scale
  std::string save_dir;      // result cards; "" = $XDG_PICTURES_DIR or ~/Pictures/lookalike
  // Photo mode: only look-alikes of each face's estimated gender ([search] same_gender).
  bool same_gender = false;
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
  std::optional<std::string> warning;       // set when the file existed but could not be used
  std::vector<std::string> kiosk_problems;  // check_kiosk_settings(): for the operator
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

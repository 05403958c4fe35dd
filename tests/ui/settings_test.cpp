// Settings TOML: round trip, defaults, clamping, malformed files never crash.
#include <gtest/gtest.h>
#include "lookalike/build_config.hpp"

#include <fstream>

#include "lookalike/ui/view_models/settings.hpp"
#include "test_support.hpp"

namespace lookalike::ui {
namespace {

namespace fs = std::filesystem;

Settings non_default_settings() {
  Settings s;
  s.source = "/videos/party night.mp4";
  s.mirror = false;
  s.remember_gallery("/data/old.lkg");
  s.remember_gallery("/data/celebs \"2024\".lkg");
  s.search.top_k = 5;
  s.search.metric = Metric::cosine;
  s.search.same_person_threshold = 0.55f;
  s.detector = "haar";
  s.show_landmarks = true;
  s.show_panel = false;
  s.ui_scale = 1.5f;
  s.save_dir = "/tmp/cards";
  s.same_gender = true;
  s.kiosk.pin = "0042";
  s.kiosk.allow_saving = true;
  s.kiosk.dwell_seconds = 2.0;
  s.kiosk.hold_seconds = 7.5;
  s.kiosk.leave_seconds = 3.0;
  s.kiosk.attract_title = "Wer bist du? Schröder?";
  s.kiosk.unique_cast = true;
  s.kiosk.morph = false;
  s.kiosk.event_title = "Summer Fair 2026";
  s.kiosk.background = "#102030";
  s.kiosk.accent = "#FF8800";
  s.kiosk.text = "#ffffff";
  s.kiosk.footer = "Sponsored by nobody";
  s.kiosk.consent = true;
  s.kiosk.consent_text = "OK?";
  s.kiosk.consent_hold_seconds = 4.5;
  s.kiosk.countdown_seconds = 5.0;
  s.kiosk.share = {.enabled = true,
                   .bind = "0.0.0.0",
                   .port = 8088,
                   .public_host = "192.168.1.20",
                   .ttl_minutes = 30,
                   .max_cards = 20};
  return s;
}

TEST(Settings, RoundTripThroughFile) {
  test::TempDir dir;
  const auto path = dir / "sub/settings.toml";
  const Settings original = non_default_settings();
  save_settings(original, path);
  const LoadedSettings loaded = load_settings(path);
  EXPECT_FALSE(loaded.warning.has_value());
  EXPECT_EQ(loaded.settings, original);
  EXPECT_EQ(loaded.settings.recent_galleries.front(), "/data/celebs \"2024\".lkg");
  EXPECT_EQ(loaded.settings.kiosk.pin, "0042");  // leading zeros survive
}

TEST(Settings, MissingFileGivesDefaultsWithoutWarning) {
  test::TempDir dir;
  const LoadedSettings loaded = load_settings(dir / "none.toml");
  EXPECT_FALSE(loaded.warning.has_value());
  EXPECT_EQ(loaded.settings, Settings{});
  EXPECT_EQ(loaded.settings.source, "0");  // camera 0 by default
}

TEST(Settings, MalformedFileGivesDefaultsAndNamesFileAndLine) {
  test::TempDir dir;
  const auto path = dir / "bad.toml";
  std::ofstream(path) << "[source]\nspec = \"0\"\n[search\ntop_k = 3\n";
  const LoadedSettings loaded = load_settings(path);
  ASSERT_TRUE(loaded.warning.has_value());
  EXPECT_NE(loaded.warning->find(path.string()), std::string::npos) << *loaded.warning;
  EXPECT_NE(loaded.warning->find("line 3"), std::string::npos) << *loaded.warning;
  EXPECT_EQ(loaded.settings, Settings{});
}

TEST(Settings, OutOfRangeValuesAreClampedAndWrongTypesIgnored) {
  const Settings s = parse_settings(
      "[search]\ntop_k = 500\nsame_person_threshold = -3.0\nmetric = \"manhattan\"\n"
      "[view]\nui_scale = 99.0\nlandmarks = \"yes\"\n[kiosk]\npin = 1234\nhold_seconds = 0.0\n");
  EXPECT_EQ(s.search.top_k, 10);
  EXPECT_FLOAT_EQ(s.search.same_person_threshold, 0.2f);
  EXPECT_EQ(s.search.metric, Metric::euclidean);
  EXPECT_FLOAT_EQ(s.ui_scale, 3.0f);
  EXPECT_FALSE(s.show_landmarks);  // a string is not a boolean: default kept
  EXPECT_EQ(s.kiosk.pin, "1234");  // numeric PIN accepted
  EXPECT_DOUBLE_EQ(s.kiosk.hold_seconds, 1.0);
}

TEST(Settings, KioskShareValuesAreClamped) {
  const Settings s = parse_settings(
      "[kiosk.share]\nenabled = true\nport = 70000\nttl_minutes = 0.0\nmax_cards = -5\n");
  EXPECT_TRUE(s.kiosk.share.enabled);
  EXPECT_EQ(s.kiosk.share.port, 65535);
  EXPECT_DOUBLE_EQ(s.kiosk.share.ttl_minutes, 1.0);
  EXPECT_EQ(s.kiosk.share.max_cards, 1);
  EXPECT_EQ(s.kiosk.share.bind, "127.0.0.1");  // not given: the default
  EXPECT_EQ(parse_settings("[kiosk]\nshare = 3\n").kiosk.share, KioskShareSettings{});
}

TEST(Settings, RecentGalleriesAreMostRecentFirstWithoutDuplicatesAndBounded) {
  Settings s;
  for (int i = 0; i < 12; ++i) s.remember_gallery("/g/" + std::to_string(i) + ".lkg");
  s.remember_gallery("/g/5.lkg");
  EXPECT_EQ(s.gallery, "/g/5.lkg");
  ASSERT_EQ(s.recent_galleries.size(), Settings::kMaxRecent);
  EXPECT_EQ(s.recent_galleries[0], "/g/5.lkg");
  EXPECT_EQ(s.recent_galleries[1], "/g/11.lkg");
  EXPECT_EQ(std::count(s.recent_galleries.begin(), s.recent_galleries.end(), "/g/5.lkg"), 1);
}

TEST(Settings, ShippedDefaultFileMatchesTheBuiltInDefaults) {
  const auto loaded =
      load_settings(std::filesystem::path(LOOKALIKE_SOURCE_DIR) / "assets/settings.default.toml");
  EXPECT_FALSE(loaded.warning.has_value()) << *loaded.warning;
  EXPECT_EQ(loaded.settings, Settings{});
}

TEST(Settings, XdgConfigHomeIsHonoured) {
  ::setenv("XDG_CONFIG_HOME", "/tmp/xdg-test-config", 1);
  EXPECT_EQ(default_settings_path(),
            std::filesystem::path("/tmp/xdg-test-config/lookalike/settings.toml"));
  ::setenv("XDG_CONFIG_HOME", "relative/ignored", 1);  // XDG: relative paths are invalid
  EXPECT_NE(default_settings_path().string().find(".config/lookalike/settings.toml"),
            std::string::npos);
  ::unsetenv("XDG_CONFIG_HOME");
}

// The kiosk's branding: a bad colour falls back to the default, a missing logo is dropped, a
// relative path is found beside the config file; every problem names the key and the value,
// and load_settings() hands them to the operator.
TEST(Settings, KioskBrandingProblemsAreListedForTheOperator) {
  test::TempDir dir;
  const auto path = dir / "event.toml";
  {
    std::ofstream(dir / "logo.png") << "png";
    std::ofstream out(path);
    out << "[kiosk]\nevent_title = \"Fair\"\naccent = \"orange\"\ntext = \"#12345g\"\n"
           "background = \"#000000\"\nlogo = \"logo.png\"\nattract_video = \"gone.mp4\"\n"
           "countdown_seconds = 99.0\nconsent_hold_seconds = -1.0\nconsent = true\n";
  }
  const LoadedSettings loaded = load_settings(path);
  const KioskSettings& k = loaded.settings.kiosk;
  EXPECT_EQ(k.event_title, "Fair");
  EXPECT_TRUE(k.consent);
  EXPECT_EQ(k.accent, KioskSettings{}.accent);
  EXPECT_EQ(k.text, KioskSettings{}.text);
  EXPECT_EQ(k.background, "#000000");
  EXPECT_EQ(fs::path(k.logo), (dir / "logo.png").lexically_normal());
  EXPECT_TRUE(k.attract_video.empty());
  EXPECT_DOUBLE_EQ(k.countdown_seconds, 10.0);
  EXPECT_DOUBLE_EQ(k.consent_hold_seconds, 0.5);
  ASSERT_EQ(loaded.kiosk_problems.size(), 3u);
  EXPECT_NE(loaded.kiosk_problems[0].find("kiosk.accent = \"orange\""), std::string::npos);
  EXPECT_NE(loaded.kiosk_problems[1].find("kiosk.text"), std::string::npos);
  EXPECT_NE(loaded.kiosk_problems[2].find("gone.mp4"), std::string::npos);
  EXPECT_FALSE(loaded.warning) << "the rest of the file is used";
}

TEST(Settings, ParseRgb) {
  EXPECT_EQ(parse_rgb("#FF8000"), (Rgb{255, 128, 0}));
  EXPECT_EQ(parse_rgb("#0a0B0c"), (Rgb{10, 11, 12}));
  for (const char* bad : {"", "#fff", "FF8000", "#FF80001", "#GG0000", "# FF800"})
    EXPECT_FALSE(parse_rgb(bad)) << bad;
}

// The example event config in assets/ parses without problems and sets every kiosk key.
TEST(Settings, TheExampleEventConfigIsClean) {
  const fs::path path = fs::path(LOOKALIKE_SOURCE_DIR) / "assets" / "event.example.toml";
  const LoadedSettings loaded = load_settings(path);
  EXPECT_FALSE(loaded.warning);
  EXPECT_TRUE(loaded.kiosk_problems.empty()) << loaded.kiosk_problems.front();
  const KioskSettings& k = loaded.settings.kiosk;
  EXPECT_FALSE(k.event_title.empty());
  EXPECT_FALSE(k.logo.empty());
  EXPECT_FALSE(k.footer.empty());
  EXPECT_TRUE(k.consent);
  EXPECT_NE(k.accent, KioskSettings{}.accent);
}

TEST(Settings, PhotoJitterRoundTripsDefaultsToTheGalleryJitterAndIsClamped) {
  EXPECT_EQ(Settings{}.photo_jitter, kGalleryJitter);
  Settings s;
  s.photo_jitter = 10;
  EXPECT_EQ(parse_settings(format_settings(s)).photo_jitter, 10);
  EXPECT_EQ(parse_settings("[search]\nphoto_jitter = -5\n").photo_jitter, 0);
  EXPECT_EQ(parse_settings("[search]\nphoto_jitter = 99999\n").photo_jitter, kMaxJitter);
  EXPECT_EQ(parse_settings("[search]\nphoto_jitter = \"many\"\n").photo_jitter, kGalleryJitter);
}

}  // namespace
}  // namespace lookalike::ui

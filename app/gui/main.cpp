// lookalike: the desktop app. Parses the command line and hands over to lookalike::ui.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include "lookalike/build_config.hpp"

#include <cstdio>

#include "lookalike/app/guest_flow.hpp"
#include "lookalike/ui/app.hpp"
#include "lookalike/ui/gl/texture.hpp"

int main(int argc, char** argv) {
  lookalike::ui::AppOptions options;
  CLI::App cli{"Lookalike: which celebrity does your face resemble? (live webcam overlay)",
               "lookalike"};
  cli.set_version_flag("--version", std::string("lookalike ") + LOOKALIKE_VERSION);
  std::string source, gallery, size = "1280x720", log_level = "info";
  std::vector<std::string> drop;
  cli.add_option(
      "--source", source,
      "Camera index, /dev/videoN, video file, image folder or URL (default: settings, camera 0)");
  cli.add_option("--gallery", gallery,
                 "Gallery file (.lkg) (default: the last one used, else the default gallery)");
  CLI::Option* kiosk =
      cli.add_flag("--kiosk", options.kiosk,
                   "Fullscreen event mode: attract screen, result cards, locked settings");
  cli.add_flag("--operator", options.operator_window,
               "With --kiosk: a second window for the operator (camera, state, faults, "
               "reset / pause / camera, settings behind the PIN), on the second monitor if any")
      ->needs(kiosk);
  cli.add_option("--operator-screenshot", options.operator_screenshot,
                 "With --operator and --exit-after-frames: write the operator window's last "
                 "frame to this PNG");
  cli.add_option("--operator-press", options.operator_press,
                 "With --operator: once the view has settled, do these operator actions one per "
                 "frame (comma-separated: pause, reset, close): scripts and tests");
  cli.add_flag(
      "--map", options.map,
      "Start on the face map: the gallery in 2-D, the people in front of the camera on it");
  cli.add_option("--config", options.config,
                 "Settings file (default: $XDG_CONFIG_HOME/lookalike/settings.toml)");
  cli.add_option("--download", options.download,
                 "Download and install this gallery source (see `lookalike-cli gallery sources`)");
  cli.add_option("--drop", drop, "Open photo mode on these files, as if dropped onto the window");
  cli.add_option("--press", options.press,
                 "Press these keys once the view has settled (letters; an upper-case letter "
                 "with Shift), as if typed: scripts and tests");
  cli.add_option("--screenshot", options.screenshot,
                 "Write the last rendered frame to this PNG and exit")
      ->needs(
          cli.add_option("--exit-after-frames", options.exit_after_frames,
                         "Exit after N new source frames (live) / N frames after analysis (photo)")
              ->check(CLI::PositiveNumber));
  cli.add_option("--morph-at", options.morph_at,
                 "Photo mode: show the first face's morph at T (0 = the person, 1 = the "
                 "celebrity), as if dragged there")
      ->check(CLI::Range(0.0, 1.0));
  cli.add_option("--exit-when-kiosk-cards", options.exit_when_kiosk_cards,
                 "With --exit-after-frames in kiosk mode: also wait for N result cards "
                 "(each showing its morph when the morph is on)")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--exit-when-kiosk-state", options.exit_when_kiosk_state,
                 "With --exit-after-frames in kiosk mode: also wait until the guest flow is in "
                 "this state (or 'paused', the operator's pause)")
      ->check(CLI::IsMember([] {
        auto names = lookalike::app::guest_state_names();
        names.push_back("paused");
        return names;
      }()));
  cli.add_option("--exit-when-named", options.exit_when_named,
                 "With --exit-after-frames in live or map mode: also wait until N people in "
                 "view are named")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--vitals-every", options.vitals_every_s,
                 "Kiosk mode: log the guest flow's vitals (state, people served, textures) every "
                 "S seconds")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cli.add_option("--exit-timeout", options.exit_timeout_s,
                 "Give up --exit-after-frames after this many seconds");
  cli.add_option("--size", size, "Window size WxH (logical pixels)");
  cli.add_flag("!--no-vsync", options.vsync, "Do not wait for the display's vertical sync");
  cli.add_flag("!--as-fast-as-possible", options.realtime, "Play file sources as fast as possible");
  cli.add_flag("--loop", options.loop,
               "Restart video files and image folders at their end (kiosk demos, tests)");
  cli.add_option("--bench-json", options.bench_json,
                 "Record UI frame times and pacing; write a JSON summary");
  cli.add_option("--bench-switches", options.bench_switches,
                 "With --bench-json: reopen the source N times and record the longest frame")
      ->check(CLI::NonNegativeNumber);
  int pixelate = 0;
  cli.add_option("--pixelate-pictures", pixelate,
                 "Draw every picture as a mosaic N blocks across its shorter side (documentation "
                 "screenshots that must not show the people in the photos)")
      ->check(CLI::Range(4, 64));
  cli.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);

  spdlog::set_level(spdlog::level::from_str(log_level));
  lookalike::ui::Texture::pixelate_pictures(pixelate);
  if (!source.empty()) options.source = source;
  if (!gallery.empty()) options.gallery = gallery;
  for (const auto& d : drop) options.drop.emplace_back(d);
  if (std::sscanf(size.c_str(), "%dx%d", &options.width, &options.height) != 2 ||
      options.width < 320 || options.height < 240) {
    std::fprintf(stderr, "--size: expected WxH (at least 320x240), got '%s'\n", size.c_str());
    return 2;
  }
  return lookalike::ui::run_app(options);
}

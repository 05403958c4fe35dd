// The desktop app's entry point: everything app/gui/main.cpp wires from the command line.
//
// Contract: run_app() owns the whole UI lifetime on the calling (main) thread and returns the
// process exit code: 0 normal exit, 1 a requested screenshot could not be written, 2 the
// window could not be created (message on stderr says why, e.g. no display).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace lookalike::ui {

struct AppOptions {
  std::optional<std::string> source;   // --source: overrides the settings' source
  std::optional<std::string> gallery;  // --gallery: overrides the last used gallery
  bool kiosk = false;                  // --kiosk
  bool map = false;                    // --map: start on the face map
  // --operator (with --kiosk): a second window for the event's operator (camera, state,
  // people served, faults, reset / pause / camera, settings behind the PIN), on the second
  // monitor when there is one.
  bool operator_window = false;
  // --operator-screenshot OUT.png: the operator window's last frame, as --screenshot.
  std::filesystem::path operator_screenshot;
  // --operator-press A,B: once the first frame has settled, do these operator actions one per
  // frame as if clicked: pause (toggles), reset, close (closes the operator window).
  std::string operator_press;
  std::filesystem::path config;  // --config: settings file ("" = XDG default)
  // --drop FILE...: open photo mode on these files exactly as the window's drop callback does.
  std::vector<std::filesystem::path> drop;
  // --press KEYS: once the first frame has settled (see exit_after_frames), press these keys
  // one per frame, as if typed ("V" is Shift+V), e.g. photo mode's save-morph in a test.
  std::string press;
  // --morph-at T: photo mode shows the first face's morph at T in [0, 1], as if dragged there
  // (the README's screenshots; a drag needs a pointer).
  double morph_at = -1;
  // --download NAME: start downloading and installing gallery source NAME at once, as the
  // welcome screen's "Download" button does (kiosk setup scripts, tests).
  std::string download;
  // --screenshot OUT.png: write the last rendered frame (back buffer, overlay included).
  std::filesystem::path screenshot;
  // --exit-after-frames N: exit after N settled frames: N new source frames displayed in live
  // mode, N frames after the analysis finished in photo mode, N rendered frames otherwise.
  int exit_after_frames = 0;
  // --exit-when-kiosk-cards N (with --exit-after-frames, kiosk mode): also wait until N result
  // cards are up, each showing its morph when the morph is on, so a test's screenshot does not
  // depend on how fast a busy machine recognizes people (exit code 3 at the timeout).
  int exit_when_kiosk_cards = 0;
  // --exit-when-kiosk-state STATE (with --exit-after-frames, kiosk mode): also wait until the
  // guest flow is in this state (attract, consent, countdown, result, fault, back_soon).
  std::string exit_when_kiosk_state;
  // --exit-when-named N (with --exit-after-frames, live and map modes): also wait until N
  // people in the live view are named, however long a busy machine takes (exit code 3 at the
  // timeout).
  int exit_when_named = 0;
  // --vitals-every S: kiosk mode logs a "kiosk vitals" line this often (state, people served,
  // textures alive, cards): the operator's log and the soak bench (tests/ui/kiosk-soak).
  double vitals_every_s = 60;
  double exit_timeout_s = 180;  // safety net for the automated runs above
  int width = 1280;             // --size WxH (logical window size)
  int height = 720;
  bool vsync = true;
  bool realtime = true;  // file sources: play at their own rate (false: as fast as possible)
  bool loop = false;     // --loop: restart video files and image folders at their end
  // --bench-json FILE: record per-frame UI timings (with glFinish) and frame pacing, write
  // a JSON summary at exit.
  std::filesystem::path bench_json;
  // --bench-switches N (with --bench-json): once the source shows frames, reopen it N times
  // in a row (as the source menu does) and record the longest frame meanwhile.
  int bench_switches = 0;
};

int run_app(const AppOptions& options);

}  // namespace lookalike::ui

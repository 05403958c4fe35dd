// The kiosk operator window's model: what it shows (OperatorStatus) and what its controls ask
// for (OperatorActions), as plain values, so the view (views/view_operator) knows nothing of
// the guest flow's internals and the app fills and applies them in one place.
//
// Contract: value types, no GL/ImGui. OperatorLog keeps at most kOperatorLogSize messages
// (the oldest go first), so a kiosk running all day holds a bounded log.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace lookalike::ui {

inline constexpr std::size_t kOperatorLogSize = 50;

// Something the operator should know: a config error, a camera fault, a gallery problem.
struct OperatorMessage {
  std::string time;  // local wall clock, "14:03:12"
  std::string text;
  bool error = false;
};

// A capture device the operator can switch to.
struct OperatorCamera {
  std::string name;  // "HD Webcam: HD Webcam"
  std::string spec;  // the source spec that opens it ("/dev/video2")
};

struct OperatorStatus {
  std::string guest_state;  // what the guests see: "attract", "result", "paused", ...
  int people_served = 0;    // result cards opened since the kiosk started
  bool paused = false;
  std::string source;         // description, e.g. "camera 0 (/dev/video0) 1280x720@30"
  std::string source_spec;    // the spec it was opened with
  std::string source_status;  // "starting", "running", "reconnecting", "ended", "failed"
  std::string source_error;   // why it failed or what it is doing about it ("" when fine)
  double camera_fps = 0;
  double processing_fps = 0;
  int faces = 0;  // faces in the current frame
  std::string gallery;
  std::size_t gallery_identities = 0;
  std::vector<OperatorMessage> messages;  // oldest first
  double uptime_seconds = 0;
  long rss_kb = -1;  // resident memory, -1 unknown
  std::vector<OperatorCamera> cameras;
  bool settings_unlocked = false;  // the kiosk PIN was typed in the operator window
  int pin_failures = 0;
};

struct OperatorActions {
  bool reset = false;                      // clear the guest flow (cards close, back to attract)
  bool toggle_pause = false;               // guests see a paused screen; no cards open meanwhile
  std::optional<std::string> pick_source;  // open this camera spec
  bool refresh_cameras = false;
  std::optional<std::string> pin_typed;  // unlock the settings with this PIN
  bool lock_settings = false;
};

class OperatorLog {
 public:
  void add(OperatorMessage message) {
    if (messages_.size() >= kOperatorLogSize) messages_.pop_front();
    messages_.push_back(std::move(message));
  }
  std::vector<OperatorMessage> list() const { return {messages_.begin(), messages_.end()}; }
  bool empty() const { return messages_.empty(); }

 private:
  std::deque<OperatorMessage> messages_;
};

}  // namespace lookalike::ui

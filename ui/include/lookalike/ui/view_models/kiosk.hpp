// Kiosk mode's PIN gate that guards leaving kiosk mode, free of any GL/ImGui. The guest flow
// itself (attract, consent, countdown, cards, faults) is lookalike::app::GuestFlow.
//
// Contract: KioskExitGate is a value type; not thread-safe (the UI thread owns it).
#pragma once

#include <cstddef>
#include <string>
#include <utility>

namespace lookalike::ui {

// Leaving kiosk mode: a key chord opens a PIN prompt; the right PIN + Enter unlocks.
class KioskExitGate {
 public:
  explicit KioskExitGate(std::string pin) : pin_(std::move(pin)) {}
  void chord();           // Ctrl+Shift+Q: open the prompt (or unlock at once if no PIN is set)
  void type(char digit);  // digits only; others ignored; at most 12 characters
  void backspace();
  void cancel();  // Esc: close the prompt
  bool submit();  // Enter: true (and unlocked) when the PIN matches
  bool prompting() const { return prompting_; }
  bool unlocked() const { return unlocked_; }
  std::size_t typed_length() const { return typed_.size(); }
  int failures() const { return failures_; }

 private:
  std::string pin_;
  std::string typed_;
  bool prompting_ = false;
  bool unlocked_ = false;
  int failures_ = 0;
};

}  // namespace lookalike::ui

#include "lookalike/ui/view_models/kiosk.hpp"

namespace lookalike::ui {

void KioskExitGate::chord() {
  if (pin_.empty()) {
    unlocked_ = true;
    return;
  }
  prompting_ = true;
  typed_.clear();
}

void KioskExitGate::type(char digit) {
  constexpr std::size_t kMaxPinLength = 12;
  if (!prompting_ || digit < '0' || digit > '9' || typed_.size() >= kMaxPinLength) return;
  typed_.push_back(digit);
}

void KioskExitGate::backspace() {
  if (!typed_.empty()) typed_.pop_back();
}

void KioskExitGate::cancel() {
  prompting_ = false;
  typed_.clear();
}

bool KioskExitGate::submit() {
  if (!prompting_) return false;
  if (typed_ == pin_) {
    unlocked_ = true;
    prompting_ = false;
  } else {
    ++failures_;
  }
  typed_.clear();
  return unlocked_;
}

}  // namespace lookalike::ui

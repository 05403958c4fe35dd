// The kiosk's PIN gate for leaving kiosk mode (the guest flow's state machine is
// lookalike::app::GuestFlow, tested in tests/app/guest_flow_test.cpp).
#include <gtest/gtest.h>

#include "lookalike/ui/view_models/kiosk.hpp"

namespace lookalike::ui {
namespace {

TEST(KioskExitGate, NeedsChordAndRightPin) {
  KioskExitGate gate("2580");
  gate.type('2');  // typing without the chord does nothing
  EXPECT_FALSE(gate.prompting());
  EXPECT_FALSE(gate.submit());

  gate.chord();
  ASSERT_TRUE(gate.prompting());
  for (char c : std::string("1234")) gate.type(c);
  EXPECT_FALSE(gate.submit());
  EXPECT_EQ(gate.failures(), 1);
  EXPECT_FALSE(gate.unlocked());

  for (char c : std::string("25x81")) gate.type(c);  // non-digits ignored
  gate.backspace();
  gate.type('0');
  EXPECT_EQ(gate.typed_length(), 4u);
  EXPECT_TRUE(gate.submit());
  EXPECT_TRUE(gate.unlocked());
}

TEST(KioskExitGate, CancelClearsAndEmptyPinUnlocksOnChord) {
  KioskExitGate gate("9");
  gate.chord();
  gate.type('9');
  gate.cancel();
  EXPECT_FALSE(gate.prompting());
  EXPECT_FALSE(gate.submit());
  KioskExitGate open_gate("");
  open_gate.chord();
  EXPECT_TRUE(open_gate.unlocked());
}

}  // namespace
}  // namespace lookalike::ui

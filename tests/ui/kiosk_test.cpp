// Kiosk state machine driven by scripted snapshots and a scripted clock:
// attract -> result -> live -> attract, and the conditions that must hold it back.
#include <gtest/gtest.h>

#include <chrono>

#include "lookalike/ui/view_models/kiosk.hpp"

namespace lookalike::ui {
namespace {

using namespace std::chrono_literals;

// Landmarks of a face looking straight at the camera (eyes level, nose centred), or turned.
Landmarks face_landmarks(const cv::Rect2f& b, float nose_shift = 0.f) {
  Landmarks lm{};
  const float cx = b.x + b.width / 2, cy = b.y + b.height / 2;
  for (int i = 36; i <= 41; ++i) lm[i] = {cx - 0.2f * b.width, cy - 0.1f * b.height};
  for (int i = 42; i <= 47; ++i) lm[i] = {cx + 0.2f * b.width, cy - 0.1f * b.height};
  lm[30] = {cx + nose_shift * 0.4f * b.width, cy + 0.05f * b.height};
  return lm;
}

TrackView person(std::uint64_t id, float x, float size = 260, bool named = true,
                 float nose_shift = 0.f) {
  TrackView t;
  t.id = id;
  t.box = {x, 200, size, size};
  t.landmarks = face_landmarks(t.box, nose_shift);
  t.quality = 0.8f;
  if (named) {
    IdentityMatch m;
    m.identity = static_cast<std::uint32_t>(id);
    m.name = "Celebrity " + std::to_string(id);
    m.similarity_percent = 71.f;
    t.matches = {m};
  }
  return t;
}

class KioskScript : public ::testing::Test {
 protected:
  KioskStateMachine kiosk{
      KioskOptions{.dwell_seconds = 1.0, .hold_seconds = 5.0, .leave_seconds = 1.5}};
  Clock::time_point now = Clock::time_point{} + 1000s;
  std::uint64_t seq = 0;

  // Feeds `seconds` of 30 fps snapshots with these tracks.
  void play(double seconds, const std::vector<TrackView>& tracks) {
    const int frames = static_cast<int>(seconds * 30 + 0.5);
    for (int i = 0; i < frames; ++i) {
      Snapshot s;
      s.seq = seq++;
      s.frame = cv::Mat(720, 1280, CV_8UC3, cv::Scalar::all(0));
      s.tracks = tracks;
      now += std::chrono::microseconds(33'333);
      kiosk.update(s, now);
    }
  }
};

TEST_F(KioskScript, AttractResultLiveAttract) {
  play(2.0, {});
  EXPECT_EQ(kiosk.state(), KioskState::attract);
  EXPECT_FLOAT_EQ(kiosk.engage_progress(), 0.f);

  play(0.5, {person(7, 500)});
  EXPECT_EQ(kiosk.state(), KioskState::attract);  // not yet a second
  EXPECT_GT(kiosk.engage_progress(), 0.3f);
  EXPECT_LT(kiosk.engage_progress(), 0.7f);

  play(0.6, {person(7, 500)});
  ASSERT_EQ(kiosk.state(), KioskState::result);
  ASSERT_EQ(kiosk.cards().size(), 1u);
  EXPECT_EQ(kiosk.cards()[0].track_id, 7u);
  EXPECT_EQ(kiosk.cards()[0].matches.front().name, "Celebrity 7");

  play(4.0, {person(7, 500)});
  EXPECT_EQ(kiosk.state(), KioskState::result);  // held a few seconds
  play(1.2, {person(7, 500)});
  EXPECT_EQ(kiosk.state(), KioskState::live);
  EXPECT_TRUE(kiosk.cards().empty());

  play(3.0, {person(7, 500)});
  EXPECT_EQ(kiosk.state(), KioskState::live);  // same person: no second card

  play(1.0, {});
  EXPECT_EQ(kiosk.state(), KioskState::live);  // a short gap is not leaving
  play(0.7, {});
  EXPECT_EQ(kiosk.state(), KioskState::attract);

  // The next visitor gets a card again.
  play(1.2, {person(8, 300)});
  EXPECT_EQ(kiosk.state(), KioskState::result);
}

TEST_F(KioskScript, SeveralPeopleGetOneCardEachLeftToRight) {
  play(1.3, {person(3, 800), person(4, 100)});
  ASSERT_EQ(kiosk.state(), KioskState::result);
  ASSERT_EQ(kiosk.cards().size(), 2u);
  EXPECT_EQ(kiosk.cards()[0].track_id, 4u);
  EXPECT_EQ(kiosk.cards()[1].track_id, 3u);
}

TEST_F(KioskScript, SmallTurnedUnnamedOrMovingFacesDoNotTrigger) {
  play(3.0, {person(1, 500, 80)});  // far away
  EXPECT_EQ(kiosk.state(), KioskState::attract);
  EXPECT_EQ(kiosk.hint(), KioskHint::come_closer);

  play(3.0, {person(2, 500, 260, true, 1.0f)});  // looking sideways
  EXPECT_EQ(kiosk.state(), KioskState::attract);
  EXPECT_EQ(kiosk.hint(), KioskHint::look_at_camera);

  play(3.0, {person(3, 500, 260, false)});  // not recognized yet
  EXPECT_EQ(kiosk.state(), KioskState::attract);
  EXPECT_EQ(kiosk.hint(), KioskHint::recognizing);

  // Walking past: the box jumps 80 px per frame.
  for (int i = 0; i < 60; ++i)
    play(1.0 / 30, {person(4, static_cast<float>(i % 2 ? 100 : 180) + i, 260)});
  EXPECT_EQ(kiosk.state(), KioskState::attract);
}

TEST_F(KioskScript, LeavingDuringTheResultReturnsToAttract) {
  play(1.2, {person(5, 500)});
  ASSERT_EQ(kiosk.state(), KioskState::result);
  play(0.5, {});
  EXPECT_EQ(kiosk.state(), KioskState::result);
  EXPECT_FALSE(kiosk.cards()[0].present);
  play(1.1, {});
  EXPECT_EQ(kiosk.state(), KioskState::attract);
}

TEST_F(KioskScript, StateStaysBoundedOverADayOfVisitors) {
  for (std::uint64_t id = 0; id < 300; ++id) {
    play(0.3, {person(id, 400), person(id + 100000, 900)});
    play(0.1, {});
  }
  EXPECT_LE(kiosk.tracked_count(), 2u);
}

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

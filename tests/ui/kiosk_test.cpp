// Kiosk state machine driven by scripted snapshots and a scripted clock:
// attract -> result -> live -> attract, the conditions that must hold it back, people who join
// the cards, the unique cast on the cards, and the card morph's timing.
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

IdentityMatch match(std::uint32_t identity, float similarity) {
  IdentityMatch m;
  m.identity = identity;
  m.name = "Celebrity " + std::to_string(identity);
  m.similarity_percent = similarity;
  return m;
}

// A descriptor per person: far from every other person's (distance sqrt(2)).
Embedding descriptor_of(std::uint64_t person) {
  Embedding e{};
  e[person % e.size()] = 1.f;
  return e;
}

TrackView person(std::uint64_t id, float x, float size = 260, bool named = true,
                 float nose_shift = 0.f) {
  TrackView t;
  t.id = id;
  t.embedding = descriptor_of(id);
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

// Someone stepping in beside a person whose card is up gets a card beside it (left to right),
// and the cards stay up until the newcomer's card was held too.
TEST_F(KioskScript, APersonWhoStepsInJoinsTheCardsAndIsHeldAsLong) {
  play(1.2, {person(5, 800)});
  ASSERT_EQ(kiosk.state(), KioskState::result);
  ASSERT_EQ(kiosk.cards().size(), 1u);
  play(2.0, {person(5, 800), person(6, 100)});
  ASSERT_EQ(kiosk.cards().size(), 2u);
  EXPECT_EQ(kiosk.cards()[0].track_id, 6u);
  EXPECT_EQ(kiosk.cards()[1].track_id, 5u);
  EXPECT_GE(kiosk.cards()[0].opened_at - kiosk.cards()[1].opened_at, 1s);
  EXPECT_FALSE(kiosk.cards()[0].frame.empty()) << "the frame the card opened on (the morph's)";
  EXPECT_TRUE(kiosk.cards()[0].landmarks.has_value());
  play(3.0, {person(5, 800), person(6, 100)});  // the first card was held 5.2 s
  EXPECT_EQ(kiosk.state(), KioskState::result) << "the newcomer's card is held its 5 s too";
  EXPECT_EQ(kiosk.cards().size(), 2u);
  play(1.5, {person(5, 800), person(6, 100)});
  EXPECT_EQ(kiosk.state(), KioskState::live);
}

// A person whose track is lost for a moment and found again as a new track keeps their card;
// someone else stepping into that place gets a card of their own; a full row takes nobody, who
// gets their card when the row closes.
TEST_F(KioskScript, APersonFoundAgainKeepsTheCardAndAFullRowWaits) {
  play(1.2, {person(5, 500)});
  ASSERT_EQ(kiosk.cards().size(), 1u);
  play(0.2, {});
  TrackView again = person(9, 505);
  again.embedding = descriptor_of(5);  // the same person, a new track id
  play(1.2, {again});
  ASSERT_EQ(kiosk.cards().size(), 1u) << "no second card for the same person";
  EXPECT_EQ(kiosk.cards()[0].track_id, 9u);
  EXPECT_TRUE(kiosk.cards()[0].present);
  play(0.2, {});
  play(1.2, {person(11, 505)});  // someone else, same place
  ASSERT_EQ(kiosk.cards().size(), 2u);

  play(1.2, {person(11, 505), person(12, 100), person(13, 800), person(14, 1000)});
  EXPECT_EQ(kiosk.cards().size(), 4u);
  play(1.2, {person(11, 505), person(12, 100), person(13, 800), person(14, 1000), person(15, 300)});
  EXPECT_EQ(kiosk.cards().size(), 4u) << "max_cards";
  play(6.0, {person(11, 505), person(12, 100), person(13, 800), person(14, 1000), person(15, 300)});
  // The row (9, 11, 12, 13) closed when its newest card was held; 14 and 15, who found no room
  // in it, got their cards then.
  ASSERT_EQ(kiosk.cards().size(), 2u);
  EXPECT_EQ(kiosk.cards()[0].track_id, 15u);
  EXPECT_EQ(kiosk.cards()[1].track_id, 14u);
}

// Two people whose top-1 is the same celebrity: with the unique cast each card shows a
// different one, the better-placed person keeps it, the other "plays" their second; without
// it both show their own top-1. A person who joins later plays a part no card shows.
TEST(KioskCast, CardsShowDifferentCelebritiesWithTheUniqueCast) {
  auto twins_of_7 = [](std::uint64_t id, float x, float own, float second) {
    TrackView t = person(id, x);
    t.matches = {match(7, own), match(static_cast<std::uint32_t>(id * 10), second)};
    return t;
  };
  const std::vector<TrackView> pair = {twins_of_7(1, 100, 80, 40), twins_of_7(2, 700, 70, 65)};
  auto cards_after = [&](bool unique_cast, const std::vector<TrackView>& tracks) {
    KioskStateMachine kiosk(KioskOptions{.unique_cast = unique_cast});
    Clock::time_point now{};
    for (int i = 0; i < 45; ++i) {
      Snapshot s;
      s.frame = cv::Mat(720, 1280, CV_8UC3, cv::Scalar::all(0));
      s.tracks = tracks;
      kiosk.update(s, now += 33ms);
    }
    EXPECT_EQ(kiosk.state(), KioskState::result);
    return kiosk.cards();
  };
  const auto own = cards_after(false, pair);
  ASSERT_EQ(own.size(), 2u);
  EXPECT_EQ(own[0].shown()->identity, 7u);
  EXPECT_EQ(own[1].shown()->identity, 7u);
  EXPECT_FALSE(own[0].plays_other_part() || own[1].plays_other_part());

  const auto cast = cards_after(true, pair);
  ASSERT_EQ(cast.size(), 2u);
  // Best total: person 1 keeps 7 (80 + 65 > 70 + 40), person 2 plays 20.
  EXPECT_EQ(cast[0].shown()->identity, 7u);
  EXPECT_FALSE(cast[0].plays_other_part());
  EXPECT_EQ(cast[1].shown()->identity, 20u);
  EXPECT_TRUE(cast[1].plays_other_part());
  EXPECT_EQ(cast[1].shown()->name, "Celebrity 20");

  // Alone, a card has no part; a newcomer whose top-1 is on that card plays their second.
  KioskStateMachine kiosk(KioskOptions{.unique_cast = true});
  Clock::time_point now{};
  auto play = [&](int frames, const std::vector<TrackView>& tracks) {
    for (int i = 0; i < frames; ++i) {
      Snapshot s;
      s.frame = cv::Mat(720, 1280, CV_8UC3, cv::Scalar::all(0));
      s.tracks = tracks;
      kiosk.update(s, now += 33ms);
    }
  };
  play(40, {pair[1]});
  ASSERT_EQ(kiosk.cards().size(), 1u);
  EXPECT_FALSE(kiosk.cards()[0].plays_other_part());
  play(40, pair);
  ASSERT_EQ(kiosk.cards().size(), 2u);
  EXPECT_EQ(kiosk.cards()[1].shown()->identity, 7u) << "the card already up keeps its part";
  EXPECT_EQ(kiosk.cards()[0].shown()->identity, 10u) << "the newcomer plays a free part";
  EXPECT_TRUE(kiosk.cards()[0].plays_other_part());
}

TEST(KioskMorph, GoesFromThePersonToTheCelebrityAndBackWithinTheHold) {
  EXPECT_DOUBLE_EQ(kiosk_morph_t(0, 5), 0.0);
  EXPECT_DOUBLE_EQ(kiosk_morph_t(2.5, 5), 1.0);  // one cycle in a 5 s hold
  EXPECT_NEAR(kiosk_morph_t(5 - 1e-9, 5), 0.0, 1e-6);
  EXPECT_LT(kiosk_morph_t(0.4, 5), 0.1);  // eased: lingers on the person...
  EXPECT_GT(kiosk_morph_t(2.1, 5), 0.9);  // ...and on the celebrity
  double last = 0;
  for (double at = 0; at <= 2.5; at += 0.05) {  // rises without a jump
    const double t = kiosk_morph_t(at, 5);
    EXPECT_GE(t, last);
    EXPECT_LT(t - last, 0.1);
    last = t;
  }
  // A long hold: whole cycles of 4-8 s, so it still ends on the person.
  EXPECT_DOUBLE_EQ(kiosk_morph_t(2.0, 60), 1.0);  // 15 cycles of 4 s
  EXPECT_NEAR(kiosk_morph_t(60 - 1e-9, 60), 0.0, 1e-6);
  EXPECT_DOUBLE_EQ(kiosk_morph_t(3.5, 7), 1.0);  // 1 cycle of 7 s
  EXPECT_DOUBLE_EQ(kiosk_morph_t(1, 0), 0.0);
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

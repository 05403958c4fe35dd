// The kiosk's guest flow driven by scripted snapshots and a scripted clock: every transition
// (attract, consent, countdown, result, fault, back_soon), the timeouts, declining, leaving
// mid-countdown, several people, the camera lost and back, the operator's pause and reset, the
// conditions that hold a person back, people who join the cards, the unique cast, the card
// morph's timing, and a simulated 12-hour day of 5,000 guests in bounded memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "lookalike/app/guest_flow.hpp"

namespace lookalike::app {
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

// The flow without consent and countdown (cards open when the dwell is over), as the kiosk
// was before them: the dwell, hold, join, cast and bounded-state cases.
constexpr GuestFlowOptions kDirect{
    .dwell_seconds = 1.0, .hold_seconds = 5.0, .leave_seconds = 1.5, .countdown_seconds = 0};
// Consent (hold still 2 s) and a 3 s countdown.
constexpr GuestFlowOptions kFullFlow{.dwell_seconds = 1.0,
                                     .hold_seconds = 5.0,
                                     .leave_seconds = 1.5,
                                     .consent = true,
                                     .consent_hold_seconds = 2.0,
                                     .countdown_seconds = 3.0};

const cv::Mat& black_frame() {
  static const cv::Mat frame(720, 1280, CV_8UC3, cv::Scalar::all(0));
  return frame;
}

class GuestScript : public ::testing::Test {
 protected:
  GuestFlow flow{kDirect};
  Clock::time_point now = Clock::time_point{} + 1000s;
  std::uint64_t seq = 0;

  // Feeds `seconds` of 30 fps snapshots with these tracks from a running source.
  void play(double seconds, const std::vector<TrackView>& tracks,
            SourceStatus status = SourceStatus::running) {
    const int frames = static_cast<int>(seconds * 30 + 0.5);
    for (int i = 0; i < frames; ++i) {
      Snapshot s;
      s.seq = seq++;
      s.frame = black_frame();
      s.tracks = tracks;
      s.status = status;
      if (status != SourceStatus::running) s.status_message = "camera 0 lost, reconnecting";
      now += std::chrono::microseconds(33'333);
      flow.update(s, now);
    }
  }
};

class FullFlow : public GuestScript {
 protected:
  FullFlow() { flow = GuestFlow(kFullFlow); }
};

TEST_F(GuestScript, AttractResultAttractAndNoSecondCardUntilTheyLeave) {
  play(2.0, {});
  EXPECT_EQ(flow.state(), GuestState::attract);
  EXPECT_FLOAT_EQ(flow.engage_progress(), 0.f);

  play(0.5, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::attract);  // not yet a second
  EXPECT_GT(flow.engage_progress(), 0.3f);
  EXPECT_LT(flow.engage_progress(), 0.7f);

  play(0.6, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::result);
  ASSERT_EQ(flow.cards().size(), 1u);
  EXPECT_EQ(flow.cards()[0].track_id, 7u);
  EXPECT_EQ(flow.cards()[0].matches.front().name, "Celebrity 7");

  play(4.0, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::result);  // held a few seconds
  play(1.2, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::attract) << "the result's timeout";
  EXPECT_TRUE(flow.cards().empty());
  EXPECT_EQ(flow.people_served(), 1u);

  play(3.0, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::attract);  // same person: no second card
  EXPECT_EQ(flow.people_served(), 1u);

  play(0.2, {});  // a gap: the tracker's next track is somebody new

  // The next visitor gets a card again.
  play(1.2, {person(8, 300)});
  EXPECT_EQ(flow.state(), GuestState::result);
}

TEST_F(GuestScript, SeveralPeopleGetOneCardEachLeftToRight) {
  play(1.3, {person(3, 800), person(4, 100)});
  ASSERT_EQ(flow.state(), GuestState::result);
  ASSERT_EQ(flow.cards().size(), 2u);
  EXPECT_EQ(flow.cards()[0].track_id, 4u);
  EXPECT_EQ(flow.cards()[1].track_id, 3u);
}

// Someone stepping in beside a person whose card is up gets a card beside it (left to right),
// and the cards stay up until the newcomer's card was held too.
TEST_F(GuestScript, APersonWhoStepsInJoinsTheCardsAndIsHeldAsLong) {
  play(1.2, {person(5, 800)});
  ASSERT_EQ(flow.state(), GuestState::result);
  ASSERT_EQ(flow.cards().size(), 1u);
  play(2.0, {person(5, 800), person(6, 100)});
  ASSERT_EQ(flow.cards().size(), 2u);
  EXPECT_EQ(flow.cards()[0].track_id, 6u);
  EXPECT_EQ(flow.cards()[1].track_id, 5u);
  EXPECT_GE(flow.cards()[0].opened_at - flow.cards()[1].opened_at, 1s);
  EXPECT_FALSE(flow.cards()[0].frame.empty()) << "the frame the card opened on (the morph's)";
  EXPECT_TRUE(flow.cards()[0].landmarks.has_value());
  play(3.0, {person(5, 800), person(6, 100)});  // the first card was held 5.2 s
  EXPECT_EQ(flow.state(), GuestState::result) << "the newcomer's card is held its 5 s too";
  EXPECT_EQ(flow.cards().size(), 2u);
  play(1.5, {person(5, 800), person(6, 100)});
  EXPECT_EQ(flow.state(), GuestState::attract);
  EXPECT_EQ(flow.people_served(), 2u);
}

// A person whose track is lost for a moment and found again as a new track keeps their card;
// someone else stepping into that place gets a card of their own; a full row takes nobody, who
// gets their card when the row closes.
TEST_F(GuestScript, APersonFoundAgainKeepsTheCardAndAFullRowWaits) {
  play(1.2, {person(5, 500)});
  ASSERT_EQ(flow.cards().size(), 1u);
  const std::uint64_t card_id = flow.cards()[0].card_id;
  const cv::Rect2f opened_on = flow.cards()[0].frame_box;
  play(0.2, {});
  TrackView again = person(9, 505);
  again.embedding = descriptor_of(5);  // the same person, a new track id
  play(1.2, {again});
  ASSERT_EQ(flow.cards().size(), 1u) << "no second card for the same person";
  EXPECT_EQ(flow.cards()[0].track_id, 9u);
  EXPECT_EQ(flow.cards()[0].card_id, card_id) << "the same card: morph and QR code stay";
  EXPECT_EQ(flow.cards()[0].frame_box, opened_on) << "the box in the card's own frame";
  EXPECT_NE(flow.cards()[0].box, opened_on) << "the box follows the person";
  EXPECT_TRUE(flow.cards()[0].present);
  play(0.2, {});
  play(1.2, {person(11, 505)});  // someone else, same place
  ASSERT_EQ(flow.cards().size(), 2u);
  EXPECT_NE(flow.cards()[1].card_id, card_id);

  play(1.2, {person(11, 505), person(12, 100), person(13, 800), person(14, 1000)});
  EXPECT_EQ(flow.cards().size(), 4u);
  play(1.2, {person(11, 505), person(12, 100), person(13, 800), person(14, 1000), person(15, 300)});
  EXPECT_EQ(flow.cards().size(), 4u) << "max_cards";
  play(6.0, {person(11, 505), person(12, 100), person(13, 800), person(14, 1000), person(15, 300)});
  // The row (9, 11, 12, 13) closed when its newest card was held; 14 and 15, who found no room
  // in it, got their cards then.
  ASSERT_EQ(flow.cards().size(), 2u);
  EXPECT_EQ(flow.cards()[0].track_id, 15u);
  EXPECT_EQ(flow.cards()[1].track_id, 14u);
}

// Two people whose top-1 is the same celebrity: with the unique cast each card shows a
// different one, the better-placed person keeps it, the other "plays" their second; without
// it both show their own top-1. A person who joins later plays a part no card shows.
TEST(GuestCast, CardsShowDifferentCelebritiesWithTheUniqueCast) {
  auto twins_of_7 = [](std::uint64_t id, float x, float own, float second) {
    TrackView t = person(id, x);
    t.matches = {match(7, own), match(static_cast<std::uint32_t>(id * 10), second)};
    return t;
  };
  const std::vector<TrackView> pair = {twins_of_7(1, 100, 80, 40), twins_of_7(2, 700, 70, 65)};
  auto cards_after = [&](bool unique_cast, const std::vector<TrackView>& tracks) {
    GuestFlow flow(GuestFlowOptions{.countdown_seconds = 0, .unique_cast = unique_cast});
    Clock::time_point now{};
    for (int i = 0; i < 45; ++i) {
      Snapshot s;
      s.frame = cv::Mat(720, 1280, CV_8UC3, cv::Scalar::all(0));
      s.tracks = tracks;
      flow.update(s, now += 33ms);
    }
    EXPECT_EQ(flow.state(), GuestState::result);
    return flow.cards();
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
  GuestFlow flow(GuestFlowOptions{.countdown_seconds = 0, .unique_cast = true});
  Clock::time_point now{};
  auto play = [&](int frames, const std::vector<TrackView>& tracks) {
    for (int i = 0; i < frames; ++i) {
      Snapshot s;
      s.frame = cv::Mat(720, 1280, CV_8UC3, cv::Scalar::all(0));
      s.tracks = tracks;
      flow.update(s, now += 33ms);
    }
  };
  play(40, {pair[1]});
  ASSERT_EQ(flow.cards().size(), 1u);
  EXPECT_FALSE(flow.cards()[0].plays_other_part());
  play(40, pair);
  ASSERT_EQ(flow.cards().size(), 2u);
  EXPECT_EQ(flow.cards()[1].shown()->identity, 7u) << "the card already up keeps its part";
  EXPECT_EQ(flow.cards()[0].shown()->identity, 10u) << "the newcomer plays a free part";
  EXPECT_TRUE(flow.cards()[0].plays_other_part());
}

TEST(GuestMorph, GoesFromThePersonToTheCelebrityAndBackWithinTheHold) {
  EXPECT_DOUBLE_EQ(card_morph_t(0, 5), 0.0);
  EXPECT_DOUBLE_EQ(card_morph_t(2.5, 5), 1.0);  // one cycle in a 5 s hold
  EXPECT_NEAR(card_morph_t(5 - 1e-9, 5), 0.0, 1e-6);
  EXPECT_LT(card_morph_t(0.4, 5), 0.1);  // eased: lingers on the person...
  EXPECT_GT(card_morph_t(2.1, 5), 0.9);  // ...and on the celebrity
  double last = 0;
  for (double at = 0; at <= 2.5; at += 0.05) {  // rises without a jump
    const double t = card_morph_t(at, 5);
    EXPECT_GE(t, last);
    EXPECT_LT(t - last, 0.1);
    last = t;
  }
  // A long hold: whole cycles of 4-8 s, so it still ends on the person.
  EXPECT_DOUBLE_EQ(card_morph_t(2.0, 60), 1.0);  // 15 cycles of 4 s
  EXPECT_NEAR(card_morph_t(60 - 1e-9, 60), 0.0, 1e-6);
  EXPECT_DOUBLE_EQ(card_morph_t(3.5, 7), 1.0);  // 1 cycle of 7 s
  EXPECT_DOUBLE_EQ(card_morph_t(1, 0), 0.0);
}

TEST_F(GuestScript, SmallTurnedUnnamedOrMovingFacesDoNotTrigger) {
  play(3.0, {person(1, 500, 80)});  // far away
  EXPECT_EQ(flow.state(), GuestState::attract);
  EXPECT_EQ(flow.hint(), GuestHint::come_closer);

  play(3.0, {person(2, 500, 260, true, 1.0f)});  // looking sideways
  EXPECT_EQ(flow.state(), GuestState::attract);
  EXPECT_EQ(flow.hint(), GuestHint::look_at_camera);

  play(3.0, {person(3, 500, 260, false)});  // not recognized yet
  EXPECT_EQ(flow.state(), GuestState::attract);
  EXPECT_EQ(flow.hint(), GuestHint::recognizing);

  // Walking past: the box jumps 80 px per frame.
  for (int i = 0; i < 60; ++i)
    play(1.0 / 30, {person(4, static_cast<float>(i % 2 ? 100 : 180) + i, 260)});
  EXPECT_EQ(flow.state(), GuestState::attract);
}

TEST_F(GuestScript, LeavingDuringTheResultReturnsToAttract) {
  play(1.2, {person(5, 500)});
  ASSERT_EQ(flow.state(), GuestState::result);
  play(0.5, {});
  EXPECT_EQ(flow.state(), GuestState::result);
  EXPECT_FALSE(flow.cards()[0].present);
  play(1.1, {});
  EXPECT_EQ(flow.state(), GuestState::attract);
}

TEST_F(GuestScript, StateStaysBoundedOverADayOfVisitors) {
  for (std::uint64_t id = 0; id < 300; ++id) {
    play(0.3, {person(id, 400), person(id + 100000, 900)});
    play(0.1, {});
  }
  EXPECT_LE(flow.tracked_count(), 2u);
}

// attract -> consent (accepted by holding still) -> countdown 3-2-1 -> result -> attract.
TEST_F(FullFlow, HoldingStillAcceptsThenTheCountdownOpensTheCard) {
  play(1.2, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::consent);
  EXPECT_TRUE(flow.cards().empty()) << "nothing is captured before the guest says yes";
  play(1.0, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::consent);
  EXPECT_GT(flow.consent_progress(), 0.3f);
  EXPECT_LT(flow.consent_progress(), 0.8f);
  play(1.1, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::countdown);
  EXPECT_GT(flow.countdown_remaining(now), 2.0);
  EXPECT_LE(flow.countdown_remaining(now), 3.0);
  play(1.5, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::countdown);
  EXPECT_GT(flow.countdown_remaining(now), 0.5);
  EXPECT_LT(flow.countdown_remaining(now), 2.0);
  EXPECT_TRUE(flow.cards().empty());
  play(1.6, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::result);
  EXPECT_DOUBLE_EQ(flow.countdown_remaining(now), 0.0);
  ASSERT_EQ(flow.cards().size(), 1u);
  EXPECT_EQ(flow.cards()[0].track_id, 7u);
  EXPECT_EQ(flow.people_served(), 1u);
  play(5.1, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::attract);
  play(3.0, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::attract) << "served: not asked again while they stay";
}

// A face the detector loses for a frame now and then (or whose landmarks wobble at the yaw
// limit) still says yes by holding still: a moment not ready takes back its own time only.
TEST_F(FullFlow, HoldingStillSurvivesAFlickeringDetection) {
  play(1.2, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::consent);
  for (int i = 0; i < 14 && flow.state() == GuestState::consent; ++i) {
    play(0.3, {person(7, 500)});
    play(1.0 / 30, {person(7, 500, 260, true, 1.0f)});  // turned away for one frame
  }
  EXPECT_EQ(flow.state(), GuestState::countdown);
  play(3.1, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::result);

  // Looking away most of the time is not holding still.
  play(0.2, {});
  flow.reset(now);
  play(1.2, {person(8, 500)});
  ASSERT_EQ(flow.state(), GuestState::consent);
  for (int i = 0; i < 20; ++i) {
    play(0.2, {person(8, 500)});
    play(0.3, {person(8, 500, 260, true, 1.0f)});
  }
  EXPECT_EQ(flow.state(), GuestState::consent);
  EXPECT_LT(flow.consent_progress(), 0.5f);
}

TEST_F(FullFlow, AKeyAcceptsAtOnceAndOtherStatesIgnoreIt) {
  flow.accept(now);  // attract: nothing to accept
  EXPECT_EQ(flow.state(), GuestState::attract);
  play(1.2, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::consent);
  flow.accept(now);
  EXPECT_EQ(flow.state(), GuestState::countdown);
  EXPECT_NEAR(flow.countdown_remaining(now), 3.0, 1e-9);
  flow.decline(now);  // too late to decline: the countdown runs
  EXPECT_EQ(flow.state(), GuestState::countdown);
  play(3.1, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::result);
}

TEST_F(FullFlow, DeclineReturnsToAttractAndTheyAreNotAskedAgainUntilTheyLeave) {
  play(1.2, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::consent);
  flow.decline(now);
  EXPECT_EQ(flow.state(), GuestState::attract);
  play(5.0, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::attract);
  EXPECT_EQ(flow.people_served(), 0u);
  EXPECT_TRUE(flow.cards().empty());
  play(0.3, {});
  play(1.2, {person(8, 500)});
  EXPECT_EQ(flow.state(), GuestState::consent) << "the next guest is asked";
}

TEST_F(FullFlow, LeavingTheConsentScreenOrMidCountdownReturnsToAttract) {
  play(1.2, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::consent);
  play(1.0, {});
  EXPECT_EQ(flow.state(), GuestState::consent) << "a short gap is not leaving";
  play(0.6, {});
  EXPECT_EQ(flow.state(), GuestState::attract);

  play(1.2, {person(8, 500)});
  flow.accept(now);
  play(1.0, {person(8, 500)});
  ASSERT_EQ(flow.state(), GuestState::countdown);
  play(1.6, {});  // left before the picture
  EXPECT_EQ(flow.state(), GuestState::attract);
  EXPECT_TRUE(flow.cards().empty());
  EXPECT_EQ(flow.people_served(), 0u);
}

TEST_F(FullFlow, TwoPeopleGetACardEachAfterOneCountdown) {
  play(1.2, {person(3, 800), person(4, 100)});
  ASSERT_EQ(flow.state(), GuestState::consent);
  flow.accept(now);
  play(3.1, {person(3, 800), person(4, 100)});
  ASSERT_EQ(flow.state(), GuestState::result);
  ASSERT_EQ(flow.cards().size(), 2u);
  EXPECT_EQ(flow.cards()[0].track_id, 4u);
  EXPECT_EQ(flow.cards()[1].track_id, 3u);
  EXPECT_EQ(flow.people_served(), 2u);
  // With consent on, somebody stepping in beside them has not said yes: no card for them now,
  // their own consent when the row closes.
  play(1.2, {person(3, 800), person(4, 100), person(5, 450)});
  EXPECT_EQ(flow.cards().size(), 2u);
  play(4.0, {person(3, 800), person(4, 100), person(5, 450)});
  EXPECT_EQ(flow.state(), GuestState::consent);
}

TEST_F(FullFlow, TheCameraLostShowsTheFaultAndFramesFlowingAgainResume) {
  play(1.2, {person(7, 500)});
  flow.accept(now);
  play(3.1, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::result);
  play(0.5, {}, SourceStatus::reconnecting);
  ASSERT_EQ(flow.state(), GuestState::fault);
  EXPECT_EQ(flow.fault_reason(), "camera 0 lost, reconnecting") << "kept for the operator";
  EXPECT_TRUE(flow.cards().empty());
  play(5.0, {}, SourceStatus::failed);
  EXPECT_EQ(flow.state(), GuestState::fault);
  play(1.0 / 30, {});
  EXPECT_EQ(flow.state(), GuestState::attract) << "the first running frame resumes the flow";
  EXPECT_TRUE(flow.fault_reason().empty());
  play(1.2, {person(9, 500)});
  EXPECT_EQ(flow.state(), GuestState::consent);

  // A camera that cannot be opened at all (no snapshots): the front end says so.
  flow.source_failed("camera 0: cannot open", now);
  EXPECT_EQ(flow.state(), GuestState::fault);
  EXPECT_EQ(flow.fault_reason(), "camera 0: cannot open");
  play(1.0 / 30, {});
  EXPECT_EQ(flow.state(), GuestState::attract);
}

TEST_F(FullFlow, AMissingGalleryShowsBackSoonUntilItIsThere) {
  flow.set_unavailable("no gallery: ~/g.lkg not found", now);
  ASSERT_EQ(flow.state(), GuestState::back_soon);
  EXPECT_EQ(flow.fault_reason(), "no gallery: ~/g.lkg not found");
  play(3.0, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::back_soon);
  play(0.5, {}, SourceStatus::reconnecting);
  EXPECT_EQ(flow.state(), GuestState::back_soon) << "back_soon outranks a camera fault";
  flow.reset(now);
  EXPECT_EQ(flow.state(), GuestState::back_soon) << "a reset does not bring the gallery";
  flow.set_unavailable(std::nullopt, now);
  EXPECT_EQ(flow.state(), GuestState::attract);
  EXPECT_TRUE(flow.fault_reason().empty());
  play(1.2, {person(8, 500)});
  EXPECT_EQ(flow.state(), GuestState::consent);
}

TEST_F(FullFlow, PauseHoldsTheFlowAndResetForgetsEverybody) {
  flow.set_paused(true, now);
  EXPECT_TRUE(flow.paused());
  play(3.0, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::attract) << "paused: nobody starts the flow";
  flow.set_paused(false, now);
  play(1.0 / 30, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::consent);
  flow.accept(now);
  play(3.1, {person(7, 500)});
  ASSERT_EQ(flow.state(), GuestState::result);
  flow.set_paused(true, now);
  EXPECT_EQ(flow.state(), GuestState::attract) << "pausing closes the cards";
  EXPECT_TRUE(flow.cards().empty());
  flow.set_paused(false, now);

  play(1.0, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::attract) << "served";
  flow.reset(now);
  EXPECT_EQ(flow.tracked_count(), 0u);
  EXPECT_EQ(flow.remembered_count(), 0u);
  play(1.2, {person(7, 500)});
  EXPECT_EQ(flow.state(), GuestState::consent) << "after a reset everybody is new";
}

TEST_F(GuestScript, ACardCarriesItsShareLinkAndExpiry) {
  play(1.2, {person(7, 500)});
  ASSERT_EQ(flow.cards().size(), 1u);
  EXPECT_FALSE(flow.cards()[0].share_url);
  flow.share_card(99, "http://x/c/none", now + 15min);  // no such card: ignored
  EXPECT_FALSE(flow.cards()[0].share_url);
  flow.share_card(flow.cards()[0].card_id, "http://127.0.0.1:8080/c/abc", now + 15min);
  ASSERT_TRUE(flow.cards()[0].share_url);
  EXPECT_EQ(*flow.cards()[0].share_url, "http://127.0.0.1:8080/c/abc");
  EXPECT_EQ(flow.cards()[0].share_expires_at, now + 15min);
}

TEST(GuestStateNames, RoundTrip) {
  for (auto s : {GuestState::attract, GuestState::consent, GuestState::countdown,
                 GuestState::result, GuestState::fault, GuestState::back_soon})
    EXPECT_EQ(guest_state_from_string(to_string(s)), s);
  EXPECT_FALSE(guest_state_from_string("live"));
}

// A simulated 12-hour day at 10 snapshots a second: 5,000 guests, alone or in groups, who
// accept by holding still or by a key, decline, leave mid-countdown or during their card. The
// per-track state, the remembered ids and the cards stay bounded all day, every guest who got
// to the picture was served, and the flow is back on attract after every visit.
TEST(GuestDay, TwelveHoursOfFiveThousandGuestsStayBounded) {
  GuestFlow flow(kFullFlow);
  Clock::time_point now = Clock::time_point{} + 1000s;
  const Clock::time_point opened = now;
  std::size_t max_tracked = 0, max_remembered = 0, max_cards = 0;
  auto play = [&](double seconds, const std::vector<TrackView>& tracks) {
    const int frames = static_cast<int>(seconds * 10 + 0.5);
    for (int i = 0; i < frames; ++i) {
      Snapshot s;
      s.frame = black_frame();
      s.tracks = tracks;
      s.status = SourceStatus::running;
      flow.update(s, now += 100ms);
      max_tracked = std::max(max_tracked, flow.tracked_count());
      max_remembered = std::max(max_remembered, flow.remembered_count());
      max_cards = std::max(max_cards, flow.cards().size());
    }
  };
  std::uint64_t next_id = 1, guests = 0, expected_served = 0, visits = 0;
  auto group = [&](int n) {
    std::vector<TrackView> people;
    for (int i = 0; i < n; ++i) people.push_back(person(next_id++, 100.f + 300.f * i));
    guests += static_cast<std::uint64_t>(n);
    return people;
  };
  while (guests < 5000) {
    switch (visits++ % 5) {
      case 0: {  // alone, holds still through consent, stays for the whole card
        const auto g = group(1);
        play(1.1 + 2.1 + 3.1 + 6.2, g);
        expected_served += 1;
        break;
      }
      case 1: {  // declines
        const auto g = group(1);
        play(1.2, g);
        EXPECT_EQ(flow.state(), GuestState::consent);
        flow.decline(now);
        play(1.0, g);
        break;
      }
      case 2: {  // accepts by key, leaves mid-countdown
        const auto g = group(1);
        play(1.2, g);
        flow.accept(now);
        play(1.5, g);
        break;
      }
      case 3: {  // a group of three, accepts by key, stays for the cards
        const auto g = group(3);
        play(1.2, g);
        flow.accept(now);
        play(3.1, g);
        EXPECT_EQ(flow.cards().size(), 3u);
        play(5.2, g);
        expected_served += 3;
        break;
      }
      case 4: {  // a pair, holds still, leaves two seconds into the cards
        const auto g = group(2);
        play(1.1 + 2.1 + 3.1 + 2.0, g);
        expected_served += 2;
        break;
      }
    }
    play(7.5, {});  // gone; a quiet moment before the next visit
    EXPECT_EQ(flow.state(), GuestState::attract);
    EXPECT_TRUE(flow.cards().empty());
  }
  EXPECT_GE(now - opened, 12h) << "a whole day was simulated";
  EXPECT_EQ(flow.people_served(), expected_served);
  EXPECT_LE(max_tracked, 3u);
  EXPECT_LE(max_remembered, 3u);
  EXPECT_LE(max_cards, 3u);
  EXPECT_EQ(flow.tracked_count(), 0u);
  EXPECT_EQ(flow.remembered_count(), 0u);
}

}  // namespace
}  // namespace lookalike::app

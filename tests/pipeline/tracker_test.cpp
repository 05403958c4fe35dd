// Tracker: association, ids, re-embedding decisions, running mean, embedding split and
// hysteresis, fed with scripted observations.
#include <gtest/gtest.h>

#include <cmath>

#include "lookalike/pipeline/tracker.hpp"

namespace lookalike {
namespace {

FaceObservation face_at(int x, int y, int side = 100) {
  FaceObservation f;
  f.box = {x, y, side, side};
  f.score = 1.f;
  f.quality = 0.5f;
  return f;
}

Embedding unit_embedding(std::size_t axis, float scale = 1.f) {
  Embedding e{};
  e[axis] = scale;
  return e;
}

// A unit vector `distance` away from unit_embedding(0), towards `axis`.
Embedding away_from_axis0(float distance, std::size_t axis) {
  const float c = 1.f - distance * distance / 2;  // |u - v|^2 = 2 - 2 u.v for unit vectors
  Embedding e{};
  e[0] = c;
  e[axis] = std::sqrt(1.f - c * c);
  return e;
}

IdentityMatch match(std::uint32_t identity, float distance) {
  IdentityMatch m;
  m.identity = identity;
  m.name = "id" + std::to_string(identity);
  m.distance = distance;
  m.euclidean = distance;
  return m;
}

const Clock::time_point kT0 = Clock::now();

TEST(Tracker, MovingFaceKeepsItsId) {
  Tracker tracker;
  std::uint64_t id = 0;
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(tracker.update(i, kT0, {face_at(100 + 5 * i, 80)}));
    ASSERT_EQ(tracker.assignment().size(), 1u);
    if (i == 0) id = tracker.assignment()[0];
    EXPECT_EQ(tracker.assignment()[0], id) << "frame " << i;
  }
  ASSERT_EQ(tracker.views().size(), 1u);
  EXPECT_EQ(tracker.views()[0].age_frames, 29) << "frames since the track started";
  // Smoothed box lags behind the detection but moved.
  EXPECT_GT(tracker.views()[0].box.x, 200.f);
}

TEST(Tracker, TwoFacesGetDistinctStableIds) {
  Tracker tracker;
  tracker.update(0, kT0, {face_at(0, 0), face_at(400, 0)});
  const auto first = tracker.assignment();
  ASSERT_NE(first[0], first[1]);
  // Same faces, listed in the other order.
  tracker.update(1, kT0, {face_at(402, 2), face_at(2, 2)});
  EXPECT_EQ(tracker.assignment()[0], first[1]);
  EXPECT_EQ(tracker.assignment()[1], first[0]);
}

TEST(Tracker, StaleFrameIsIgnored) {
  Tracker tracker;
  ASSERT_TRUE(tracker.update(5, kT0, {face_at(0, 0)}));
  EXPECT_FALSE(tracker.update(4, kT0, {face_at(300, 300)}));
  EXPECT_FALSE(tracker.update(5, kT0, {face_at(300, 300)}));
  EXPECT_EQ(tracker.views().size(), 1u);
  EXPECT_EQ(tracker.last_seq(), 5u);
}

TEST(Tracker, TrackDisappearsAfterMaxMissedFrames) {
  TrackerOptions o;
  o.max_missed_frames = 3;
  Tracker tracker(o);
  tracker.update(0, kT0, {face_at(0, 0)});
  for (int i = 1; i <= 3; ++i) {
    tracker.update(i, kT0, {});
    ASSERT_EQ(tracker.views().size(), 1u);
    EXPECT_EQ(tracker.views()[0].missed_frames, i);
  }
  tracker.update(4, kT0, {});
  EXPECT_TRUE(tracker.views().empty());
}

TEST(Tracker, EmbedsNewTracksOnceThenEveryKFrames) {
  TrackerOptions o;
  o.reembed_interval = 4;
  o.appearance_change = 1000.f;  // only the interval triggers here
  Tracker tracker(o);
  int claims = 0;
  for (int i = 0; i < 13; ++i) {
    FaceObservation f = face_at(0, 0);
    tracker.update(i, kT0, {f});
    const auto id = tracker.assignment()[0];
    if (tracker.claim_embedding(id, f)) {
      ++claims;
      tracker.add_embedding(id, unit_embedding(0), f.quality, f.thumbnail);
    }
  }
  // Frame 0 (new track), then frames 4, 8, 12.
  EXPECT_EQ(claims, 4);
}

TEST(Tracker, PendingEmbeddingIsNotClaimedTwice) {
  Tracker tracker;
  FaceObservation f = face_at(0, 0);
  tracker.update(0, kT0, {f});
  const auto id = tracker.assignment()[0];
  EXPECT_TRUE(tracker.claim_embedding(id, f));
  tracker.update(1, kT0, {f});
  EXPECT_FALSE(tracker.claim_embedding(id, f)) << "another worker already embeds it";
}

TEST(Tracker, ChangedFaceIsReembeddedEarly) {
  TrackerOptions o;
  o.reembed_interval = 100;
  Tracker tracker(o);
  cv::Mat dark(16, 16, CV_8UC1, cv::Scalar(20)), bright(16, 16, CV_8UC1, cv::Scalar(200));
  FaceObservation f = face_at(0, 0);
  f.thumbnail = dark;
  tracker.update(0, kT0, {f});
  const auto id = tracker.assignment()[0];
  ASSERT_TRUE(tracker.claim_embedding(id, f));
  tracker.add_embedding(id, unit_embedding(0), f.quality, f.thumbnail);
  tracker.update(1, kT0, {f});
  EXPECT_FALSE(tracker.claim_embedding(id, f)) << "same look, interval not reached";
  f.thumbnail = bright;
  tracker.update(2, kT0, {f});
  EXPECT_TRUE(tracker.claim_embedding(id, f)) << "the face changed";
  tracker.add_embedding(id, unit_embedding(0), f.quality, f.thumbnail);
  f.thumbnail = bright;
  f.quality = 0.9f;  // much sharper than at the last embedding
  tracker.update(3, kT0, {f});
  EXPECT_TRUE(tracker.claim_embedding(id, f)) << "quality rose";
}

TEST(Tracker, RunningMeanIsQualityWeighted) {
  Tracker tracker;
  tracker.update(0, kT0, {face_at(0, 0)});
  const auto id = tracker.assignment()[0];
  Embedding a{}, b{};
  a[0] = 0.0f;
  b[0] = 0.3f;  // close: same person
  tracker.add_embedding(id, a, 0.9f, {});
  auto u = tracker.add_embedding(id, b, 0.1f, {});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, id);
  EXPECT_NEAR(u->mean[0], 0.3f * 0.1f / 1.0f, 1e-5f) << "the sharp face dominates";
}

// A face clearly far from the mean (a cut to someone else) restarts the track at once.
TEST(Tracker, ClearlyFarEmbeddingStartsANewTrack) {
  Tracker tracker;
  tracker.update(0, kT0, {face_at(0, 0)});
  const auto id = tracker.assignment()[0];
  tracker.add_embedding(id, unit_embedding(0), 0.5f, {});
  tracker.apply_matches(id, {match(1, 0.3f)}, kT0);
  auto u = tracker.add_embedding(id, unit_embedding(1), 0.5f, {});  // distance sqrt(2)
  ASSERT_TRUE(u);
  EXPECT_NE(u->id, id);
  ASSERT_EQ(tracker.views().size(), 1u);
  EXPECT_EQ(tracker.views()[0].id, u->id);
  EXPECT_FALSE(tracker.views()[0].named()) << "the new person is not yet named";
}

// Between split_embedding_distance and clear_split_distance a new person needs two faces in a
// row, far from the mean and close to each other; the first is held back (the mean stays) and
// the track asks for the next embedding at once.
TEST(Tracker, TwoAgreeingMarginalEmbeddingsStartANewTrack) {
  Tracker tracker;
  FaceObservation f = face_at(0, 0);
  tracker.update(0, kT0, {f});
  const auto id = tracker.assignment()[0];
  ASSERT_TRUE(tracker.claim_embedding(id, f));
  tracker.add_embedding(id, unit_embedding(0), 0.5f, {});
  tracker.apply_matches(id, {match(1, 0.3f)}, kT0);
  const Embedding first = away_from_axis0(0.7f, 1);
  auto u = tracker.add_embedding(id, first, 0.5f, {});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, id) << "one marginal face is not yet another person";
  EXPECT_FLOAT_EQ(u->mean[0], 1.f) << "the held face stays out of the mean";
  EXPECT_TRUE(tracker.views()[0].named());
  tracker.update(1, kT0, {f});
  EXPECT_TRUE(tracker.claim_embedding(id, f)) << "a held face asks for the next one at once";
  Embedding second = first;
  second[2] = 0.3f;  // 0.3 from the first, ~0.76 from the mean
  u = tracker.add_embedding(id, second, 0.5f, {});
  ASSERT_TRUE(u);
  EXPECT_NE(u->id, id);
  EXPECT_NEAR(u->mean[1], first[1], 1e-5f);
  EXPECT_NEAR(u->mean[2], 0.15f, 1e-5f) << "the new track starts from both faces";
  EXPECT_FALSE(tracker.views()[0].named()) << "the new person is not yet named";
}

TEST(Tracker, OneOddFaceNeitherSplitsNorMovesTheMean) {
  Tracker tracker;
  tracker.update(0, kT0, {face_at(0, 0)});
  const auto id = tracker.assignment()[0];
  tracker.add_embedding(id, unit_embedding(0), 0.5f, {});
  auto u = tracker.add_embedding(id, away_from_axis0(0.7f, 1), 0.5f, {});  // odd frame: held
  ASSERT_TRUE(u);
  u = tracker.add_embedding(id, unit_embedding(0), 0.5f, {});  // the same person again
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, id);
  EXPECT_FLOAT_EQ(u->mean[0], 1.f);
  EXPECT_FLOAT_EQ(u->mean[1], 0.f) << "the odd face never entered the mean";
  // Two marginal faces that disagree with each other (0.93 apart) are two odd frames.
  tracker.add_embedding(id, away_from_axis0(0.7f, 1), 0.5f, {});
  u = tracker.add_embedding(id, away_from_axis0(0.7f, 2), 0.5f, {});
  ASSERT_TRUE(u);
  EXPECT_EQ(u->id, id);
  u = tracker.add_embedding(id, away_from_axis0(0.7f, 2), 0.5f, {});  // ... this one agrees
  ASSERT_TRUE(u);
  EXPECT_NE(u->id, id);
}

// Gender/age: the track's estimate is the vote of its last mean_window faces, so one odd frame
// does not flip it; a new person (embedding split) starts from nothing.
TEST(Tracker, GenderAgeIsCombinedOverTheTrackAndResetForANewPerson) {
  TrackerOptions options;
  options.mean_window = 4;
  Tracker tracker(options);
  tracker.update(0, kT0, {face_at(0, 0)});
  const auto id = tracker.assignment()[0];
  EXPECT_FALSE(tracker.views()[0].gender_age.known()) << "no estimate before the first face";
  const GenderAgeEstimate woman{Gender::female, 0.9f, 30.f}, man{Gender::male, 0.8f, 50.f};
  tracker.add_embedding(id, unit_embedding(0), 0.5f, {}, kT0, woman);
  tracker.add_embedding(id, unit_embedding(0), 0.5f, {}, kT0, woman);
  auto u = tracker.add_embedding(id, unit_embedding(0), 0.5f, {}, kT0, man);  // one odd frame
  ASSERT_TRUE(u);
  EXPECT_EQ(u->gender_age.gender, Gender::female);
  EXPECT_NEAR(u->gender_age.age, (30.f + 30.f + 50.f) / 3, 0.5f);
  tracker.add_embedding(id, unit_embedding(0), 0.5f, {}, kT0, {});  // unknown: ignored
  EXPECT_EQ(tracker.views()[0].gender_age.gender, Gender::female);
  // The window forgets: four faces later only the newest count.
  for (int i = 0; i < 4; ++i) u = tracker.add_embedding(id, unit_embedding(0), 0.5f, {}, kT0, man);
  EXPECT_EQ(u->gender_age.gender, Gender::male);
  EXPECT_NEAR(u->gender_age.age, 50.f, 0.01f);
  // Another person takes the place: the estimate starts again from that face.
  u = tracker.add_embedding(id, unit_embedding(1), 0.5f, {}, kT0, woman);
  ASSERT_TRUE(u);
  EXPECT_NE(u->id, id);
  EXPECT_EQ(u->gender_age.gender, Gender::female);
  EXPECT_NEAR(u->gender_age.age, 30.f, 0.01f);
}

TEST(Tracker, HysteresisNeedsAMarginForSeveralUpdates) {
  TrackerOptions o;
  o.switch_margin = 0.05f;
  o.switch_updates = 3;
  Tracker tracker(o);
  tracker.update(0, kT0, {face_at(0, 0)});
  const auto id = tracker.assignment()[0];
  auto top1 = [&] { return tracker.views()[0].matches.front().identity; };

  tracker.apply_matches(id, {match(1, 0.40f), match(2, 0.50f)},
                        kT0 + std::chrono::milliseconds(70));
  EXPECT_EQ(top1(), 1u);
  ASSERT_EQ(tracker.face_to_name_ms().size(), 1u);
  EXPECT_NEAR(tracker.face_to_name_ms()[0], 70.0, 1.0);

  // Identity 2 wins but within the margin: never switches.
  for (int i = 0; i < 5; ++i) tracker.apply_matches(id, {match(2, 0.38f), match(1, 0.40f)}, kT0);
  EXPECT_EQ(top1(), 1u);
  // Identity 2 wins clearly twice, then the streak breaks: still 1.
  tracker.apply_matches(id, {match(2, 0.30f), match(1, 0.40f)}, kT0);
  tracker.apply_matches(id, {match(2, 0.30f), match(1, 0.40f)}, kT0);
  tracker.apply_matches(id, {match(1, 0.35f), match(2, 0.36f)}, kT0);
  EXPECT_EQ(top1(), 1u);
  // Three consecutive clear wins: switch.
  for (int i = 0; i < 2; ++i) {
    tracker.apply_matches(id, {match(2, 0.30f), match(1, 0.40f)}, kT0);
    EXPECT_EQ(top1(), 1u);
  }
  tracker.apply_matches(id, {match(2, 0.30f), match(1, 0.40f)}, kT0);
  EXPECT_EQ(top1(), 2u);
  EXPECT_EQ(tracker.face_to_name_ms().size(), 1u) << "face-to-name counts the first name only";
}

TEST(Tracker, ShownListKeepsTopKSize) {
  Tracker tracker;
  tracker.update(0, kT0, {face_at(0, 0)});
  const auto id = tracker.assignment()[0];
  tracker.apply_matches(id, {match(1, 0.4f), match(2, 0.5f), match(3, 0.6f)}, kT0);
  tracker.apply_matches(id, {match(3, 0.1f), match(2, 0.5f), match(4, 0.6f)}, kT0);  // 1 gone
  const auto view = tracker.views()[0];
  ASSERT_EQ(view.matches.size(), 3u);
  EXPECT_EQ(view.matches[0].identity, 1u) << "top-1 held by hysteresis";
  EXPECT_EQ(view.matches[1].identity, 3u);
}

TEST(Tracker, ClearMatchesUnnamesEveryTrack) {
  Tracker tracker;
  tracker.update(0, kT0, {face_at(0, 0)});
  tracker.apply_matches(tracker.assignment()[0], {match(1, 0.4f)}, kT0);
  ASSERT_TRUE(tracker.views()[0].named());
  tracker.clear_matches();
  EXPECT_FALSE(tracker.views()[0].named());
}

TEST(Tracker, BoxesMoveAlongTheirVelocityOnNewerFrames) {
  TrackerOptions o;
  o.box_smoothing = 1.f;  // no smoothing: exact velocities
  o.max_predict_frames = 4;
  Tracker tracker(o);
  for (int i = 0; i < 5; ++i)
    tracker.update(static_cast<std::uint64_t>(i), kT0, {face_at(100 + 10 * i, 50)});
  EXPECT_FLOAT_EQ(tracker.views()[0].box.x, 140.f);
  EXPECT_FLOAT_EQ(tracker.views(4)[0].box.x, 140.f) << "same frame: no prediction";
  EXPECT_NEAR(tracker.views(6)[0].box.x, 160.f, 1e-3f) << "two frames ahead: +2 x 10 px";
  EXPECT_NEAR(tracker.views(100)[0].box.x, 180.f, 1e-3f) << "prediction capped at 4 frames";
  EXPECT_FLOAT_EQ(tracker.views(6)[0].box.y, 50.f);
}

TEST(Tracker, ReleasedClaimIsClaimableAgain) {
  Tracker tracker;
  FaceObservation f = face_at(0, 0);
  tracker.update(0, kT0, {f});
  const auto id = tracker.assignment()[0];
  ASSERT_TRUE(tracker.claim_embedding(id, f));
  tracker.release_claim(id);
  tracker.update(1, kT0, {f});
  EXPECT_TRUE(tracker.claim_embedding(id, f));
}

TEST(Tracker, RestartedTrackCountsFaceToNameFromTheFrameItWasSeen) {
  for (const bool marginal : {false, true}) {
    Tracker tracker;
    tracker.update(0, kT0, {face_at(0, 0)});
    const auto id = tracker.assignment()[0];
    tracker.add_embedding(id, unit_embedding(0), 0.5f, {}, kT0);
    const auto seen = kT0 + std::chrono::milliseconds(1000);
    const Embedding next = marginal ? away_from_axis0(0.7f, 1) : unit_embedding(1);
    auto u = tracker.add_embedding(id, next, 0.5f, {}, seen);
    if (marginal)  // held; the next face confirms it
      u = tracker.add_embedding(id, next, 0.5f, {}, seen + std::chrono::milliseconds(30));
    ASSERT_TRUE(u);
    ASSERT_NE(u->id, id);
    tracker.apply_matches(u->id, {match(2, 0.3f)}, seen + std::chrono::milliseconds(70));
    ASSERT_EQ(tracker.face_to_name_ms().size(), 1u);
    EXPECT_NEAR(tracker.face_to_name_ms()[0], 70.0, 0.5) << "from the person's first face";
  }
}

TEST(Tracker, ThumbnailDifference) {
  cv::Mat bgr(100, 100, CV_8UC3, cv::Scalar(10, 10, 10));
  cv::Mat a = face_thumbnail(bgr, {10, 10, 50, 50});
  ASSERT_EQ(a.size(), cv::Size(16, 16));
  EXPECT_FLOAT_EQ(thumbnail_difference(a, a), 0.f);
  EXPECT_FLOAT_EQ(thumbnail_difference(a, cv::Mat{}), 255.f);
  EXPECT_TRUE(face_thumbnail(bgr, {200, 200, 10, 10}).empty()) << "box outside the image";
}

}  // namespace
}  // namespace lookalike

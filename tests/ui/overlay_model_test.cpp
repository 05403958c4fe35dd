// Overlay animation: boxes ease toward the published box, tracks fade in and out, and state
// is dropped once faded (bounded).
#include <gtest/gtest.h>

#include "lookalike/ui/view_models/overlay_model.hpp"

namespace lookalike::ui {
namespace {

TrackView track(std::uint64_t id, float x) {
  TrackView t;
  t.id = id;
  t.box = {x, 100, 80, 80};
  return t;
}

TEST(OverlayAnimator, FadesInMovesSmoothlyAndFadesOut) {
  OverlayAnimator anim({.position_time_constant_s = 0.05f, .fade_in_s = 0.2f, .fade_out_s = 0.4f});
  anim.update({track(1, 100)}, 0.1);
  ASSERT_EQ(anim.tracks().size(), 1u);
  EXPECT_NEAR(anim.tracks()[0].alpha, 0.5f, 1e-4);
  EXPECT_FLOAT_EQ(anim.tracks()[0].box.x, 100.f);  // a new track starts where it is

  anim.update({track(1, 200)}, 1.0 / 60);
  const float x = anim.tracks()[0].box.x;
  EXPECT_GT(x, 100.f);
  EXPECT_LT(x, 200.f);  // eased, not jumped
  for (int i = 0; i < 60; ++i) anim.update({track(1, 200)}, 1.0 / 60);
  EXPECT_NEAR(anim.tracks()[0].box.x, 200.f, 0.01f);
  EXPECT_FLOAT_EQ(anim.tracks()[0].alpha, 1.f);

  anim.update({}, 0.2);  // gone: fades, still drawn with its last view
  ASSERT_EQ(anim.tracks().size(), 1u);
  EXPECT_FALSE(anim.tracks()[0].alive);
  EXPECT_NEAR(anim.tracks()[0].alpha, 0.5f, 1e-4);
  anim.update({}, 0.25);
  EXPECT_TRUE(anim.tracks().empty());
}

TEST(OverlayAnimator, StateStaysBoundedWithManyShortTracks) {
  OverlayAnimator anim;
  for (std::uint64_t id = 0; id < 10'000; ++id) anim.update({track(id, 10)}, 0.05);
  EXPECT_LE(anim.tracks().size(), 12u);  // only tracks still fading out (fade_out / dt)
}

}  // namespace
}  // namespace lookalike::ui

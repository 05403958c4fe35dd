// LatestMailbox: overwrite accounting, blocking take, back-pressure put, close and stop
// wake-ups. Ordering is forced with latches, never sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <thread>
#include <vector>

#include "lookalike/pipeline/mailbox.hpp"

namespace lookalike {
namespace {

TEST(Mailbox, KeepsOnlyTheNewestAndCountsOverwrites) {
  LatestMailbox<int> box;
  EXPECT_EQ(box.put_overwrite(1), LatestMailbox<int>::Put::stored);
  EXPECT_EQ(box.put_overwrite(2), LatestMailbox<int>::Put::overwrote);
  EXPECT_EQ(box.put_overwrite(3), LatestMailbox<int>::Put::overwrote);
  EXPECT_EQ(box.overwritten(), 2u);
  EXPECT_EQ(box.try_take(), 3);
  EXPECT_FALSE(box.try_take().has_value());
  EXPECT_EQ(box.put_count(), 3u);
}

// take_wait must block until the item is posted and return it after the post, never before:
// the consumer records whether the producer's "about to post" flag was already set when
// take_wait returned, and the test checks that take_wait had not returned during a grace
// period with an empty slot (a timed future wait, not a sleep).
TEST(Mailbox, TakeWaitBlocksUntilAnItemArrives) {
  LatestMailbox<int> box;
  std::latch consumer_started(1);
  std::atomic<bool> about_to_post{false};
  bool returned_after_post = false;
  std::promise<std::optional<int>> result;
  auto got = result.get_future();
  std::jthread consumer([&](std::stop_token st) {
    consumer_started.count_down();
    auto item = box.take_wait(st);
    returned_after_post = about_to_post.load();
    result.set_value(item);
  });
  consumer_started.wait();
  ASSERT_EQ(got.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout)
      << "take_wait returned while the mailbox was empty";
  about_to_post = true;  // set right before posting: a return before the post cannot see it
  box.put_overwrite(42);
  ASSERT_EQ(got.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "take_wait did not wake up for the posted item";
  EXPECT_EQ(got.get(), 42);
  consumer.join();
  EXPECT_TRUE(returned_after_post);
  EXPECT_EQ(box.overwritten(), 0u);
}

TEST(Mailbox, CloseWakesEveryWaiterAndRefusesPuts) {
  LatestMailbox<int> box;
  constexpr int kWaiters = 4;
  std::latch started(kWaiters);
  std::atomic<int> woke_empty{0};
  {
    std::vector<std::jthread> waiters;
    for (int i = 0; i < kWaiters; ++i)
      waiters.emplace_back([&](std::stop_token st) {
        started.count_down();
        if (!box.take_wait(st)) ++woke_empty;
      });
    started.wait();
    box.close();
  }  // joins
  EXPECT_EQ(woke_empty.load(), kWaiters);
  EXPECT_EQ(box.put_overwrite(1), LatestMailbox<int>::Put::closed);
  EXPECT_TRUE(box.closed());
}

TEST(Mailbox, DrainOnCloseHandsOutThePendingItemOnce) {
  LatestMailbox<int> box;
  box.put_overwrite(7);
  box.close();
  std::stop_source never;
  EXPECT_EQ(box.take_wait(never.get_token(), /*drain_on_close=*/true), 7);
  EXPECT_FALSE(box.take_wait(never.get_token(), true).has_value());
}

TEST(Mailbox, StopTokenWakesAWaiter) {
  LatestMailbox<int> box;
  std::latch started(1);
  std::optional<int> got = 99;
  std::jthread consumer([&](std::stop_token st) {
    started.count_down();
    got = box.take_wait(st);
  });
  started.wait();
  consumer.request_stop();
  consumer.join();
  EXPECT_FALSE(got.has_value());
  EXPECT_FALSE(box.closed());
}

TEST(Mailbox, PutWaitAppliesBackPressureWithoutDropping) {
  LatestMailbox<int> box;
  box.put_overwrite(1);
  std::latch producer_started(1);
  LatestMailbox<int>::Put second = LatestMailbox<int>::Put::closed;
  std::jthread producer([&](std::stop_token st) {
    producer_started.count_down();
    second = box.put_wait(2, st);  // blocks: the slot holds 1
  });
  producer_started.wait();
  std::stop_source never;
  EXPECT_EQ(box.take_wait(never.get_token()), 1);  // frees the slot: the producer stores 2
  EXPECT_EQ(box.take_wait(never.get_token()), 2);
  producer.join();
  EXPECT_EQ(second, LatestMailbox<int>::Put::stored);
  EXPECT_EQ(box.overwritten(), 0u);
}

TEST(Mailbox, PutWaitReturnsClosedWhenClosedWhileWaiting) {
  LatestMailbox<int> box;
  box.put_overwrite(1);
  std::latch started(1);
  LatestMailbox<int>::Put result = LatestMailbox<int>::Put::stored;
  std::jthread producer([&](std::stop_token st) {
    started.count_down();
    result = box.put_wait(2, st);
  });
  started.wait();
  box.close();
  producer.join();
  EXPECT_EQ(result, LatestMailbox<int>::Put::closed);
}

// Every put is either taken or counted as overwritten: nothing is lost silently.
TEST(Mailbox, AccountingHoldsUnderContention) {
  LatestMailbox<int> box;
  constexpr int kItems = 20000;
  std::atomic<std::uint64_t> taken{0};
  int last_seen = -1;
  bool increasing = true;
  {
    std::jthread consumer([&](std::stop_token st) {
      while (auto v = box.take_wait(st, /*drain_on_close=*/true)) {
        if (*v <= last_seen) increasing = false;
        last_seen = *v;
        ++taken;
      }
    });
    for (int i = 0; i < kItems; ++i) box.put_overwrite(i);
    box.close();
    consumer.join();  // join first: the jthread destructor would request stop
  }
  EXPECT_EQ(taken.load() + box.overwritten(), static_cast<std::uint64_t>(kItems));
  EXPECT_TRUE(increasing) << "a consumer never sees an older item after a newer one";
  EXPECT_EQ(last_seen, kItems - 1) << "the newest item is never lost";
}

}  // namespace
}  // namespace lookalike

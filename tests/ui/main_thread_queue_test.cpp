// MainThreadQueue: bounded, FIFO per posting thread, a throwing task contained. Labelled
// `threads` so the tsan preset runs it.
#include <gtest/gtest.h>

#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "lookalike/ui/main_thread_queue.hpp"

namespace lookalike::ui {
namespace {

TEST(MainThreadQueue, BoundedFifoFromManyThreads) {
  MainThreadQueue queue(64);
  std::vector<int> ran;
  constexpr int kThreads = 4, kPerThread = 16;
  std::latch start(kThreads);
  {
    std::vector<std::jthread> posters;
    for (int t = 0; t < kThreads; ++t)
      posters.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int i = 0; i < kPerThread; ++i)
          EXPECT_TRUE(queue.post([&ran, t, i] { ran.push_back(t * 100 + i); }));
      });
  }
  EXPECT_EQ(queue.pending(), 64u);
  EXPECT_FALSE(queue.post([] {}));  // full: refused, not grown
  EXPECT_EQ(queue.drain(), 64u);
  ASSERT_EQ(ran.size(), 64u);
  // FIFO per poster.
  for (int t = 0; t < kThreads; ++t) {
    int last = -1;
    for (int v : ran)
      if (v / 100 == t) {
        EXPECT_GT(v, last);
        last = v;
      }
  }
  queue.post([] { throw std::runtime_error("boom"); });
  EXPECT_EQ(queue.drain(), 1u);  // a throwing task is contained
}

}  // namespace
}  // namespace lookalike::ui

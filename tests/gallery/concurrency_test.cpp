// One Gallery shared read-only by several threads gives every thread the same answers
// (run under TSan by the `threads` label).
#include <gtest/gtest.h>

#include <latch>
#include <thread>

#include "lookalike/gallery/gallery.hpp"
#include "synthetic.hpp"
#include "test_support.hpp"

using namespace lookalike;

TEST(GalleryConcurrency, SharedGalleryAnswersIdenticallyFromManyThreads) {
  std::vector<Embedding> centres;
  const auto data = test::synthetic_gallery(400, 5, 2, &centres);
  GalleryLoadOptions options;
  options.int8_copy = true;
  auto g = Gallery::from_data(data, options, /*index_threshold=*/1000);
  ASSERT_TRUE(g->has_index());
  std::vector<Embedding> queries(centres.begin(), centres.begin() + 40);
  auto answer = [&](const Embedding& q, Metric metric, bool approx) {
    SearchOptions s;
    s.metric = metric;
    s.allow_approximate = approx;
    s.top_k = 3;
    std::vector<std::uint32_t> ids;
    for (const auto& m : g->match(q, s)) ids.push_back(m.identity);
    return ids;
  };
  std::vector<std::vector<std::uint32_t>> expected;
  for (const auto& q : queries)
    for (auto metric : {Metric::euclidean, Metric::cosine, Metric::mahalanobis})
      for (bool approx : {false, true}) expected.push_back(answer(q, metric, approx));

  constexpr int kThreads = 4;
  std::latch start(kThreads);
  std::vector<int> mismatches(kThreads, 0);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        std::size_t i = 0;
        for (const auto& q : queries)
          for (auto metric : {Metric::euclidean, Metric::cosine, Metric::mahalanobis})
            for (bool approx : {false, true})
              if (answer(q, metric, approx) != expected[i++]) ++mismatches[t];
      });
  }
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(GalleryConcurrency, QueriesWhileTheIndexLoadsInTheBackground) {
  std::vector<Embedding> centres;
  const auto data = test::synthetic_gallery(300, 4, 8, &centres);
  test::TempDir dir;
  GalleryWriteOptions write;
  write.hnsw_threshold = 100;
  write_gallery(dir / "g.lkg", data, write);
  for (int round = 0; round < 3; ++round) {
    auto g = Gallery::load(dir / "g.lkg");  // index loads on a background thread
    std::vector<int> wrong(2, 0);
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
          for (std::size_t i = 0; i < 100; ++i) {
            auto hits = g->match(centres[i], {});
            if (hits.empty() || hits[0].identity != i) ++wrong[static_cast<std::size_t>(t)];
          }
        });
    }
    EXPECT_EQ(wrong[0] + wrong[1], 0);
    EXPECT_TRUE(g->wait_for_index());
  }
}

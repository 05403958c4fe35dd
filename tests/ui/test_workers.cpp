// The UI's worker handles: the bounded main-thread queue, the photo analyzer (real engine on a
// background thread, newest drop wins, bad files become messages) and the gallery loader.
// No GL involved; labelled `threads` so the tsan preset runs them.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <latch>
#include <thread>

#include "lookalike/ui/gallery_loader.hpp"
#include "lookalike/ui/main_thread_queue.hpp"
#include "lookalike/ui/photo_analyzer.hpp"
#include "test_support.hpp"
#include "ui_media.hpp"

namespace fs = std::filesystem;

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

std::shared_ptr<const PhotoBatch> wait_done(const PhotoAnalyzer& analyzer, std::uint64_t id) {
  // Polling with a generous deadline (the UI polls once per frame the same way).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (std::chrono::steady_clock::now() < deadline) {
    auto batch = analyzer.latest();
    if (batch && batch->id == id && batch->done) return batch;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return nullptr;
}

TEST(PhotoAnalyzer, FindsEveryFaceMatchesThemAndReportsBadFiles) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const fs::path gallery_path = test::build_test_gallery(dir / "g.lkg", "bbt", 3);
  GalleryLoader loader;
  loader.load(gallery_path);
  std::optional<LoadedGallery> loaded;
  while (!(loaded = loader.poll())) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(loaded->gallery) << loaded->error;

  const fs::path bad = dir / "broken.png";
  std::ofstream(bad) << "not a png";
  PhotoAnalyzer analyzer({}, loaded->gallery);
  // A first drop immediately replaced by a second: only the newest is shown.
  analyzer.submit({test::shared_data("faces/lfw10/Tony_Blair/Tony_Blair_0001.jpg")});
  const auto id =
      analyzer.submit({test::shared_data("faces/bbt/_group/bbt1.jpg"), bad, dir / "missing.jpg"});
  const auto batch = wait_done(analyzer, id);
  ASSERT_NE(batch, nullptr);
  EXPECT_EQ(analyzer.latest()->id, id);
  ASSERT_EQ(batch->photos.size(), 3u);
  const PhotoResult& group = batch->photos[0];
  EXPECT_TRUE(group.error.empty()) << group.error;
  ASSERT_GE(group.faces.size(), 3u);
  for (const auto& face : group.faces) {
    EXPECT_FALSE(face.crop.empty());
    ASSERT_FALSE(face.matches.empty());
    EXPECT_LE(face.matches.size(), 3u);
  }
  // Faces of the cast are found in a gallery of the cast: most top-1 are same-person matches.
  int same = 0;
  for (const auto& face : group.faces) same += face.matches.front().same_person;
  EXPECT_GE(same, 2);
  EXPECT_NE(batch->photos[1].error.find("broken.png"), std::string::npos) << batch->photos[1].error;
  EXPECT_NE(batch->photos[2].error.find("missing.jpg"), std::string::npos)
      << batch->photos[2].error;
}

TEST(GalleryLoader, BadFileIsAMessageNotACrash) {
  test::TempDir dir;
  const fs::path bad = dir / "junk.lkg";
  std::ofstream(bad) << "junk junk junk";
  GalleryLoader loader;
  loader.load(bad);
  std::optional<LoadedGallery> loaded;
  while (!(loaded = loader.poll())) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(loaded->gallery, nullptr);
  EXPECT_NE(loaded->error.find("junk.lkg"), std::string::npos) << loaded->error;
}

}  // namespace
}  // namespace lookalike::ui

// Frame sources: spec parsing, clear errors, numbering, pacing modes, mirror, loop, stop.
// Videos and folders are written by the tests from the shared photos.
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "lookalike/pipeline/frame_source.hpp"
#include "test_support.hpp"
#include "video_fixture.hpp"

namespace lookalike {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

std::vector<Frame> read_all(FrameSource& source, std::size_t limit = 10000) {
  std::vector<Frame> frames;
  std::stop_source never;
  while (frames.size() < limit) {
    auto r = source.read(never.get_token());
    if (r.status != FrameSource::ReadStatus::frame) break;
    frames.push_back(std::move(r.frame));
  }
  return frames;
}

TEST(SourceSpec, Classification) {
  EXPECT_EQ(classify_source_spec("0"), SourceKind::camera);
  EXPECT_EQ(classify_source_spec("12"), SourceKind::camera);
  EXPECT_EQ(classify_source_spec("/dev/video2"), SourceKind::camera);
  EXPECT_EQ(classify_source_spec("rtsp://cam.local/stream"), SourceKind::stream);
  EXPECT_EQ(classify_source_spec("http://host:8080/video.mjpg"), SourceKind::stream);
  EXPECT_EQ(classify_source_spec("frames/img_%04d.png"), SourceKind::image_folder);
  EXPECT_EQ(classify_source_spec("frames/*.jpg"), SourceKind::image_folder);
  EXPECT_EQ(classify_source_spec("clip.mp4"), SourceKind::video_file);
  TempDir dir;
  EXPECT_EQ(classify_source_spec(dir.path().string()), SourceKind::image_folder);
}

TEST(SourceErrors, MissingCameraSaysSo) {
  SourceOptions o;
  o.spec = "/dev/video97";
  try {
    open_source(o);
    FAIL() << "expected SourceError";
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/video97"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("no such device"), std::string::npos) << e.what();
  }
  o.spec = "97";
  EXPECT_THROW(open_source(o), SourceError);
}

TEST(SourceErrors, MissingOrBadFilesNameTheFile) {
  TempDir dir;
  SourceOptions o;
  o.spec = (dir / "nope.avi").string();
  try {
    open_source(o);
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.avi"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "text.avi") << "this is not a video";
  o.spec = (dir / "text.avi").string();
  try {
    open_source(o);
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("text.avi"), std::string::npos) << e.what();
  }
  fs::create_directory(dir / "empty");
  o.spec = (dir / "empty").string();
  try {
    open_source(o);
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("no images"), std::string::npos) << e.what();
  }
  o.spec = "";
  EXPECT_THROW(open_source(o), SourceError);
}

TEST(ImageFolder, NumbersFramesInNameOrderAndSkipsBadFiles) {
  LOOKALIKE_REQUIRE_SHARED();
  const fs::path lfw = test::shared_data("faces/lfw10");
  TempDir dir;
  const auto photos = test::lfw_photos(lfw, "Colin_Powell", 1, 3);
  for (std::size_t i = 0; i < photos.size(); ++i)
    fs::copy_file(photos[i], dir / ("f" + std::to_string(i) + ".jpg"));  // temp copy, not repo
  std::ofstream(dir / "f1b.jpg") << "truncated";  // sorts between f1 and f2, unreadable
  std::ofstream(dir / "notes.txt") << "ignored";
  SourceOptions o;
  o.spec = dir.path().string();
  o.playback = PlaybackMode::as_fast_as_possible;
  auto source = open_source(o);
  EXPECT_EQ(source->info().kind, SourceKind::image_folder);
  EXPECT_EQ(source->info().frame_count, 4);  // the bad one is only found when read
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 3u);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].seq, i);
    EXPECT_EQ(frames[i].image.size(), cv::Size(250, 250));
    EXPECT_EQ(frames[i].image.type(), CV_8UC3);
    if (i > 0) {
      EXPECT_GE(frames[i].captured_at, frames[i - 1].captured_at);
    }
  }
  const cv::Mat expected = cv::imread(photos[2].string());
  EXPECT_EQ(cv::norm(frames[2].image, expected, cv::NORM_INF), 0.0);
  std::stop_source never;
  EXPECT_EQ(source->read(never.get_token()).status, FrameSource::ReadStatus::ended);
}

class VideoSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    const fs::path lfw = test::shared_data("faces/lfw10");
    test::VideoSpec spec;
    spec.size = {320, 240};
    spec.segment_seconds = 0.5;
    video_ = test::write_segment_video(
        dir_ / "clip.avi", {{"Tony_Blair", test::lfw_photos(lfw, "Tony_Blair", 1, 1)}}, spec);
  }
  TempDir dir_;
  test::WrittenVideo video_;
};

TEST_F(VideoSourceTest, AsFastAsPossibleDeliversEveryFrameWithFileTime) {
  SourceOptions o;
  o.spec = video_.path.string();
  o.playback = PlaybackMode::as_fast_as_possible;
  auto source = open_source(o);
  EXPECT_EQ(source->info().kind, SourceKind::video_file);
  EXPECT_EQ(source->info().size, cv::Size(320, 240));
  EXPECT_DOUBLE_EQ(source->info().fps, 30.0);
  EXPECT_EQ(source->info().frame_count, video_.frames);
  const auto frames = read_all(*source);
  ASSERT_EQ(static_cast<int>(frames.size()), video_.frames);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].seq, i);
    EXPECT_NEAR(frames[i].t_ms, i * 1000.0 / 30.0, 1e-6);
  }
}

TEST_F(VideoSourceTest, RealtimeAlsoDeliversEveryFrame) {
  SourceOptions o;
  o.spec = video_.path.string();
  o.playback = PlaybackMode::realtime;
  auto source = open_source(o);
  EXPECT_EQ(static_cast<int>(read_all(*source).size()), video_.frames);
}

TEST_F(VideoSourceTest, MirrorFlipsHorizontally) {
  SourceOptions o;
  o.spec = video_.path.string();
  o.playback = PlaybackMode::as_fast_as_possible;
  auto plain = read_all(*open_source(o), 1);
  o.mirror = true;
  auto mirrored = read_all(*open_source(o), 1);
  ASSERT_EQ(plain.size(), 1u);
  ASSERT_EQ(mirrored.size(), 1u);
  cv::Mat flipped;
  cv::flip(plain[0].image, flipped, 1);
  EXPECT_EQ(cv::norm(flipped, mirrored[0].image, cv::NORM_INF), 0.0);
  EXPECT_GT(cv::norm(plain[0].image, mirrored[0].image, cv::NORM_INF), 0.0);
}

TEST_F(VideoSourceTest, LoopRestartsAndKeepsNumbering) {
  SourceOptions o;
  o.spec = video_.path.string();
  o.playback = PlaybackMode::as_fast_as_possible;
  o.loop = true;
  auto source = open_source(o);
  const auto frames = read_all(*source, static_cast<std::size_t>(video_.frames) * 2 + 3);
  ASSERT_EQ(frames.size(), static_cast<std::size_t>(video_.frames) * 2 + 3);
  EXPECT_EQ(frames.back().seq, frames.size() - 1);
  EXPECT_GT(frames.back().t_ms, frames[static_cast<std::size_t>(video_.frames)].t_ms);
}

TEST_F(VideoSourceTest, StopInterruptsRealtimePacing) {
  SourceOptions o;
  o.spec = video_.path.string();
  o.playback = PlaybackMode::realtime;
  o.loop = true;
  auto source = open_source(o);
  // An image folder at 0.01 fps would wait 100 s for its second frame; a video at 30 fps is
  // enough to show that the wait ends on stop: request stop, then read.
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(source->read(stop.get_token()).status, FrameSource::ReadStatus::stopped);
}

TEST(ImageFolder, StopEndsALongPacingWait) {
  LOOKALIKE_REQUIRE_SHARED();
  SourceOptions o;
  o.spec = (test::shared_data("faces/lfw10") / "Hugo_Chavez").string();
  o.playback = PlaybackMode::realtime;
  o.folder_fps = 0.01;  // 100 s between frames
  auto source = open_source(o);
  std::stop_source first_stop;
  ASSERT_EQ(source->read(first_stop.get_token()).status, FrameSource::ReadStatus::frame);
  FrameSource::ReadStatus second = FrameSource::ReadStatus::frame;
  std::jthread reader([&](std::stop_token st) { second = source->read(st).status; });
  reader.request_stop();  // wakes the condition-variable wait, whenever it started
  reader.join();
  EXPECT_EQ(second, FrameSource::ReadStatus::stopped);
}

}  // namespace
}  // namespace lookalike

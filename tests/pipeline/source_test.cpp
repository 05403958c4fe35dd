// Frame sources: spec parsing (hostile specs too), clear errors, numbering, pacing modes,
// mirror, loop, stop, the hardened image loader.
// Videos and folders are written by the tests from the shared photos.
#include <gtest/gtest.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <thread>

#include "lookalike/pipeline/frame_source.hpp"
#include "test_support.hpp"
#include "video_fixture.hpp"

namespace lookalike {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

void write_image(const fs::path& path, int width, int height) {
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(40, 120, 200));
  ASSERT_TRUE(cv::imwrite(path.string(), image)) << path;
}

// Collects what is logged (the sources report skipped files through spdlog) while alive.
class LogCapture {
 public:
  LogCapture() : sink_(std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_)) {
    spdlog::default_logger()->sinks().push_back(sink_);
  }
  ~LogCapture() {
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;
  std::string text() {
    sink_->flush();
    return stream_.str();
  }

 private:
  std::ostringstream stream_;
  std::shared_ptr<spdlog::sinks::ostream_sink_mt> sink_;
};

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

// A wait that is really in progress when stop arrives: the second frame is due in 30 s; the
// read must still be blocked after a grace period (it is waiting, not finished), and must
// return `stopped` promptly once stop is requested (a timed future wait, not a sleep).
TEST(ImageFolder, StopInterruptsAWaitInProgress) {
  TempDir dir;
  write_image(dir / "a.png", 8, 8);
  write_image(dir / "b.png", 8, 8);
  SourceOptions o;
  o.spec = dir.path().string();
  o.playback = PlaybackMode::realtime;
  o.folder_fps = 1.0 / 30;  // 30 s between frames
  auto source = open_source(o);
  std::stop_source first_stop;
  ASSERT_EQ(source->read(first_stop.get_token()).status, FrameSource::ReadStatus::frame);
  std::promise<FrameSource::ReadStatus> second;
  auto second_status = second.get_future();
  std::jthread reader([&](std::stop_token st) { second.set_value(source->read(st).status); });
  ASSERT_EQ(second_status.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout)
      << "the second read returned before its frame was due: it never waited";
  const auto stop_requested = std::chrono::steady_clock::now();
  reader.request_stop();
  ASSERT_EQ(second_status.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "stop did not interrupt the pacing wait";
  EXPECT_EQ(second_status.get(), FrameSource::ReadStatus::stopped);
  EXPECT_LT(std::chrono::steady_clock::now() - stop_requested, std::chrono::seconds(5));
}

// Source specs are user text. Each of these is refused with a message that names the spec and
// says what a sequence pattern looks like; none is ever used as a printf format (%n would
// write memory, %s read it: the asan build runs this test).
TEST(SourceSpec, HostileSequencePatternsAreClearErrors) {
  TempDir dir;
  write_image(dir / "img_0.png", 8, 8);
  for (const std::string name :
       {"img_%s.png", "img_%n.png", "img_%999999d.png", "img_%0999999d.png", "img_%010d.png",
        "img_%d_%d.png", "img_%x.png", "img_%-3d.png", "img_%5d.png", "img_%ld.png", "img_%",
        "img_%.png", "img_%%.png", "%%%s%%", "img_%0d.png"}) {
    SourceOptions o;
    o.spec = (dir / name).string();
    o.playback = PlaybackMode::as_fast_as_possible;
    ASSERT_EQ(classify_source_spec(o.spec), SourceKind::image_folder) << name;
    try {
      open_source(o);
      ADD_FAILURE() << name << ": expected SourceError";
    } catch (const SourceError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find(o.spec), std::string::npos) << message;
      EXPECT_NE(message.find("%0Nd"), std::string::npos) << message;
    }
  }
}

TEST(SourceSpec, SequencePatternFindsTheNumberedFilesInOrder) {
  TempDir dir;
  // Numbered from 1 (OpenCV's other convention); 0005 is past a gap and is not part of it.
  for (int i = 1; i <= 3; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "img_%04d.png", i);  // the test's own, fixed format
    write_image(dir / name, 10 + i, 8);
  }
  write_image(dir / "img_0005.png", 99, 8);
  SourceOptions o;
  o.spec = (dir / "img_%04d.png").string();
  o.playback = PlaybackMode::as_fast_as_possible;
  auto source = open_source(o);
  EXPECT_EQ(source->info().frame_count, 3);
  EXPECT_EQ(source->info().size, cv::Size(11, 8));
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(frames[i].image.cols, 11 + i) << "frame " << i;

  // %% is a literal percent sign; %d numbers from 0 without padding.
  write_image(dir / "100%_0.png", 5, 5);
  write_image(dir / "100%_1.png", 6, 5);
  o.spec = (dir / "100%%_%d.png").string();
  const auto literal = read_all(*open_source(o));
  ASSERT_EQ(literal.size(), 2u);
  EXPECT_EQ(literal[1].image.cols, 6);
}

TEST(SourceSpec, UnbalancedBracketsAndBadWildcardsAreLiteralOrClearErrors) {
  TempDir dir;
  write_image(dir / "[a.png", 7, 7);
  write_image(dir / "b.png", 9, 9);
  std::ofstream(dir / "notes.txt") << "not an image";
  SourceOptions o;
  o.playback = PlaybackMode::as_fast_as_possible;
  // Without a wildcard a spec is a (missing) video file: the error says so.
  for (const char* name : {"img[.png", "img(.png", "img{.png", "img].png"}) {
    o.spec = (dir / name).string();
    try {
      open_source(o);
      ADD_FAILURE() << name;
    } catch (const SourceError& e) {
      EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
    }
  }
  // Brackets are literal in wildcard patterns: "[*" matches "[a.png" only.
  o.spec = (dir / "[*.png").string();
  auto bracket = read_all(*open_source(o));
  ASSERT_EQ(bracket.size(), 1u);
  EXPECT_EQ(bracket[0].image.cols, 7);
  o.spec = (dir / "*.png").string();
  EXPECT_EQ(read_all(*open_source(o)).size(), 2u) << "every image, not the .txt";
  for (const char* name : {"(*.png", "{*.png", "?"}) {
    o.spec = (dir / name).string();
    try {
      open_source(o);
      ADD_FAILURE() << name;
    } catch (const SourceError& e) {
      EXPECT_NE(std::string(e.what()).find("no images found"), std::string::npos) << e.what();
    }
  }
  // A folder that does not exist is named as such (cv::glob's exception used to become
  // "no images found"), and wildcards in folder names are refused, not guessed at.
  o.spec = (dir / "missing" / "*.png").string();
  try {
    open_source(o);
    FAIL();
  } catch (const SourceError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  o.spec = (dir / "*" / "b.png").string();
  EXPECT_THROW(open_source(o), SourceError);
}

// Every decode goes through the hardened loader: a decompression bomb (a PNG header claiming
// 20000 x 20000 pixels) and an image over the configured limit are reported by name and
// skipped, never decoded; the good images still play.
TEST(ImageFolder, RefusesBombsAndOversizedImagesByName) {
  TempDir dir;
  write_image(dir / "a.png", 8, 8);
  std::ofstream(dir / "b_bomb.png", std::ios::binary) << test::bomb_png_header();
  write_image(dir / "c_big.png", 64, 64);  // 4096 pixels: over the limit set below
  write_image(dir / "d.png", 9, 8);
  SourceOptions o;
  o.spec = dir.path().string();
  o.playback = PlaybackMode::as_fast_as_possible;
  o.image_limits.max_pixels = 1000;
  LogCapture log;
  auto source = open_source(o);
  EXPECT_EQ(source->info().frame_count, 4);
  const auto frames = read_all(*source);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].image.cols, 8);
  EXPECT_EQ(frames[1].image.cols, 9);
  const std::string text = log.text();
  for (const char* needle : {"b_bomb.png: image is too large to decode (20000x20000",
                             "c_big.png: image is too large to decode (64x64"})
    EXPECT_NE(text.find(needle), std::string::npos) << needle << " not in:\n" << text;
}

TEST(ImageFolder, AFolderOfOnlyBadImagesEndsEvenWhenLooping) {
  TempDir dir;
  std::ofstream(dir / "a.png", std::ios::binary) << test::bomb_png_header();
  std::ofstream(dir / "b.jpg") << "not a jpeg";
  SourceOptions o;
  o.spec = dir.path().string();
  o.playback = PlaybackMode::as_fast_as_possible;
  o.loop = true;
  LogCapture log;
  auto source = open_source(o);
  std::stop_source never;
  EXPECT_EQ(source->read(never.get_token()).status, FrameSource::ReadStatus::ended);
}

}  // namespace
}  // namespace lookalike

// A network camera that goes away and comes back, for real: an MJPEG stream served over HTTP by
// a server this test starts on 127.0.0.1, read through OpenCV's FFmpeg backend as
// `--source http://...` reads it. The server drops the connection mid-stream (the camera is
// lost), answers 503 for a while (it is still gone), then serves again (it is back).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "http_test_server.hpp"
#include "lookalike/pipeline/frame_source.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// 4 s of 320x240 MJPEG at 25 fps, as a raw stream (what IP cameras send).
std::string mjpeg_stream(const fs::path& dir) {
  const fs::path path = dir / "camera.mjpeg";
  const auto made = test::run_command(
      "ffmpeg -loglevel error -y -f lavfi -i testsrc=size=320x240:rate=25 -t 4 -f mjpeg -q:v 5 '" +
      path.string() + "'");
  EXPECT_EQ(made.exit_code, 0) << made.err;
  return test::read_file_text(path);
}

int frames_until_lost(FrameSource& source, std::stop_token stop) {
  int frames = 0;
  for (;;) {
    const auto r = source.read(stop);
    if (r.status != FrameSource::ReadStatus::frame) {
      EXPECT_EQ(r.status, FrameSource::ReadStatus::lost);
      return frames;
    }
    ++frames;
  }
}

TEST(StreamSource, LostMidStreamRetriesWhileDownAndFlowsAgainWhenBack) {
  test::TempDir dir;
  const std::string stream = mjpeg_stream(dir.path());
  ASSERT_GT(stream.size(), 10000u);
  test::HttpTestServer server;
  // Paced like a live camera; the connection drops after about a third of the stream.
  server.route(
      "/camera.mjpeg",
      {.body = stream, .cut_at = stream.size() / 3, .chunk_bytes = 8 << 10, .chunk_delay = 20ms});
  SourceOptions options;
  options.spec = server.url("/camera.mjpeg");
  options.reconnect_interval = 250ms;
  auto source = open_source(options);
  EXPECT_EQ(source->info().kind, SourceKind::stream);
  std::stop_source stop;
  const int before = frames_until_lost(*source, stop.get_token());
  EXPECT_GT(before, 5) << "frames flowed before the loss";

  // Still gone: every reopen gets 503 until the camera returns 1.5 s later.
  server.route("/camera.mjpeg", {.status = 503});
  const auto requests_when_lost = server.requests().size();
  std::thread comes_back([&] {
    std::this_thread::sleep_for(1500ms);
    server.route("/camera.mjpeg", {.body = stream, .chunk_bytes = 8 << 10, .chunk_delay = 20ms});
  });
  const auto t0 = std::chrono::steady_clock::now();
  const bool back = source->reconnect(stop.get_token());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  comes_back.join();
  ASSERT_TRUE(back);
  const auto attempts = server.requests().size() - requests_when_lost;
  EXPECT_GE(attempts, 3u) << "it kept trying while the camera was gone";
  std::printf("reconnected after %.2f s (camera away 1.5 s), %zu attempts\n", seconds, attempts);

  const auto frame = source->read(stop.get_token());
  ASSERT_EQ(frame.status, FrameSource::ReadStatus::frame) << "frames flow again";
  EXPECT_EQ(frame.frame.image.size(), cv::Size(320, 240));
  // A stop request ends the retry loop at once, even while the camera stays away.
  server.route("/camera.mjpeg", {.status = 503});
  std::stop_source quit;
  std::thread stopper([&] {
    std::this_thread::sleep_for(300ms);
    quit.request_stop();
  });
  EXPECT_FALSE(source->reconnect(quit.get_token()));
  stopper.join();
}

}  // namespace
}  // namespace lookalike

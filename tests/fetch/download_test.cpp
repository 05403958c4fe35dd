// download(): real transfers from an in-process HTTP server on 127.0.0.1 — checksums, resume
// with Range, servers that ignore or refuse ranges, dropped and hung connections, HTTP errors,
// redirects, refused protocols, cancelling.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <random>
#include <stop_token>
#include <string>
#include <thread>

#include "fetch_errors.hpp"
#include "http_test_server.hpp"
#include "lookalike/fetch/download.hpp"
#include "lookalike/file_util.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::fetch {
using test::error_of;
using test::HttpTestServer;
using test::Route;
using test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

std::string sha256(const std::string& s) {
  return sha256_hex({reinterpret_cast<const std::byte*>(s.data()), s.size()});
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

fs::path part_of(const fs::path& dest) {
  return fs::path(dest.string() + ".part");
}

DownloadRequest request_for(const std::string& url, const fs::path& dest, const std::string& body) {
  DownloadRequest r;
  r.url = url;
  r.destination = dest;
  r.expected_size = body.size();
  r.expected_checksum = Checksum::parse("sha256:" + sha256(body));
  return r;
}

}  // namespace

TEST(Checksum, ParsesAndPrints) {
  const std::string hex(64, 'a');
  EXPECT_EQ(Checksum::parse("sha256:" + hex).to_string(), "sha256:" + hex);
  EXPECT_EQ(Checksum::parse(hex).algorithm, "sha256");  // bare hex means sha256
  EXPECT_EQ(Checksum::parse("SHA256:" + std::string(64, 'A')).to_string(), "sha256:" + hex);
  EXPECT_EQ(Checksum::parse("md5:" + std::string(32, '0')).algorithm, "md5");
  EXPECT_TRUE(Checksum::parse("").empty());
  EXPECT_THROW(Checksum::parse("sha256:abc"), FetchError);
  EXPECT_THROW(Checksum::parse("md5:" + hex), FetchError);
  EXPECT_THROW(Checksum::parse("sha1:" + std::string(40, '0')), FetchError);
  EXPECT_THROW(Checksum::parse("sha256:" + std::string(63, 'a') + "g"), FetchError);
}

TEST(Checksum, FileDigestMatchesKnownVectors) {
  TempDir tmp;
  write_all(tmp / "abc", "abc");
  EXPECT_EQ(file_digest(tmp / "abc", "sha256"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(file_digest(tmp / "abc", "md5"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_THROW(file_digest(tmp / "missing", "sha256"), FetchError);
  EXPECT_THROW(file_digest(tmp / "abc", "sha1"), FetchError);
}

// Every download test has a loopback server and a temporary folder of its own.
class Download : public ::testing::Test {
 protected:
  HttpTestServer server;
  TempDir tmp;
};

TEST_F(Download, FullFileWithChecksumAndThrottledProgress) {
  const std::string body = random_bytes(1 << 20, 1);
  // 64 chunks, 8 ms apart: long enough for the progress throttle to matter.
  server.route("/model.dat", {.body = body, .chunk_delay = std::chrono::milliseconds(8)});
  const fs::path dest = tmp / "sub" / "model.dat";

  int calls = 0;
  TransferProgress last;
  const auto start = Clock::now();
  EXPECT_EQ(download(request_for(server.url("/model.dat"), dest, body), {},
                     [&](const TransferProgress& p) {
                       ++calls;
                       last = p;
                     }),
            dest);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  EXPECT_EQ(read_all(dest), body);
  EXPECT_FALSE(fs::exists(part_of(dest)));
  EXPECT_EQ(last.received, body.size());
  EXPECT_EQ(last.total, body.size());
  EXPECT_GT(last.bytes_per_second, 0);
  EXPECT_GE(calls, 1);
  EXPECT_LE(calls, 10 * seconds + 2) << "progress not throttled to 10 per second";
}

TEST_F(Download, Md5ChecksumAndNoExpectations) {
  const std::string body = "hello, world\n";
  server.route("/hello.txt", {.body = body});
  DownloadRequest r;
  r.url = server.url("/hello.txt");
  r.destination = tmp / "hello.txt";
  r.expected_checksum = Checksum::parse("md5:22c3683b094136c3398391ae71b20f04");
  download(r);
  EXPECT_EQ(read_all(r.destination), body);

  r.destination = tmp / "again.txt";
  r.expected_checksum = {};
  download(r);
  EXPECT_EQ(read_all(r.destination), body);
}

TEST_F(Download, WrongChecksumNamesBothValuesAndDeletesThePart) {
  const std::string body = random_bytes(100'000, 2);
  server.route("/f", {.body = body});
  const fs::path dest = tmp / "f";
  auto r = request_for(server.url("/f"), dest, body);
  const std::string wrong = sha256("something else");
  r.expected_checksum = Checksum::parse(wrong);

  const std::string message = error_of([&] { download(r); });
  EXPECT_NE(message.find(wrong), std::string::npos) << message;
  EXPECT_NE(message.find(sha256(body)), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dest));
  EXPECT_FALSE(fs::exists(part_of(dest)));
}

TEST_F(Download, WrongSizeDeletesThePart) {
  const std::string body = random_bytes(5000, 3);
  server.route("/f", {.body = body});
  auto r = request_for(server.url("/f"), tmp / "f", body);
  r.expected_size = body.size() + 1;
  r.expected_checksum = {};
  const std::string message = error_of([&] { download(r); });
  EXPECT_NE(message.find("expected 5001"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(r.destination));
  EXPECT_FALSE(fs::exists(part_of(r.destination)));
}

TEST_F(Download, ResumesAfterTheServerDropsTheConnection) {
  const std::string body = random_bytes(600'000, 4);
  const std::size_t half = body.size() / 2;
  server.route("/big", {.body = body, .cut_at = half});
  const fs::path dest = tmp / "big";
  const auto r = request_for(server.url("/big"), dest, body);

  const std::string message = error_of([&] { download(r); });
  EXPECT_NE(message.find(r.url), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dest));
  ASSERT_TRUE(fs::exists(part_of(dest)));
  EXPECT_EQ(read_all(part_of(dest)), body.substr(0, half));

  server.route("/big", {.body = body});
  int calls = 0;
  std::uint64_t first_received = 0;
  download(r, {}, [&](const TransferProgress& p) {
    if (calls++ == 0) first_received = p.received;
  });
  EXPECT_EQ(read_all(dest), body);
  EXPECT_FALSE(fs::exists(part_of(dest)));
  EXPECT_GE(first_received, half) << "progress counts the resumed part";
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].range, "");
  EXPECT_EQ(seen[1].range, "bytes=" + std::to_string(half) + "-");
}

TEST_F(Download, ServerIgnoringRangeRestartsTheFile) {
  const std::string body = random_bytes(200'000, 5);
  server.route("/f", {.body = body, .honour_range = false});
  const fs::path dest = tmp / "f";
  write_all(part_of(dest), std::string(1000, 'x'));  // wrong bytes: kept they would corrupt it
  download(request_for(server.url("/f"), dest, body));
  EXPECT_EQ(read_all(dest), body);
  EXPECT_EQ(server.requests().at(0).range, "bytes=1000-");
}

TEST_F(Download, CompletePartIsVerifiedAfterA416) {
  const std::string body = random_bytes(50'000, 6);
  server.route("/f", {.body = body});
  const fs::path dest = tmp / "f";
  write_all(part_of(dest), body);
  download(request_for(server.url("/f"), dest, body));
  EXPECT_EQ(read_all(dest), body);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);  // 416 "nothing after that": nothing downloaded again
}

TEST_F(Download, PartLongerThanTheFileStartsOver) {
  const std::string body = random_bytes(10'000, 7);
  server.route("/f", {.body = body});
  const fs::path dest = tmp / "f";
  write_all(part_of(dest), random_bytes(20'000, 8));
  DownloadRequest r;
  r.url = server.url("/f");
  r.destination = dest;  // no expected size: only the server's 416 tells
  download(r);
  EXPECT_EQ(read_all(dest), body);
  const auto seen = server.requests();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].range, "");
}

TEST_F(Download, UnreachablePortFailsFast) {
  DownloadRequest r;
  r.url = "http://127.0.0.1:" + std::to_string(test::unused_port()) + "/f";
  r.destination = tmp / "f";
  r.connect_timeout = std::chrono::seconds(2);
  const auto start = Clock::now();
  const std::string message = error_of([&] { download(r); });
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_NE(message.find(r.url), std::string::npos) << message;
  EXPECT_NE(message.find("onnect"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(r.destination));
  EXPECT_FALSE(fs::exists(part_of(r.destination))) << "an empty .part is not left behind";
}

TEST_F(Download, HungServerFailsAfterTheStallTimeout) {
  test::SilentServer silent;
  DownloadRequest r;
  r.url = silent.url("/f");
  r.destination = tmp / "f";
  r.connect_timeout = std::chrono::seconds(2);
  r.stall_timeout = std::chrono::seconds(2);
  const auto start = Clock::now();
  const std::string message = error_of([&] { download(r); });
  const auto took = Clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(1500));
  EXPECT_LT(took, std::chrono::seconds(8));
  EXPECT_NE(message.find(r.url), std::string::npos) << message;
  EXPECT_NE(message.find("2 s"), std::string::npos) << message;
}

TEST_F(Download, StallMidFileFailsAndKeepsThePart) {
  const std::string body = random_bytes(64 << 10, 11);
  // The first 16 KiB at once, then nothing for longer than the stall timeout.
  server.route("/f", {.body = body, .chunk_delay = std::chrono::milliseconds(2500)});
  auto r = request_for(server.url("/f"), tmp / "f", body);
  r.stall_timeout = std::chrono::seconds(1);
  const auto start = Clock::now();
  const std::string message = error_of([&] { download(r); });
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_NE(message.find("stalled"), std::string::npos) << message;
  EXPECT_EQ(fs::file_size(part_of(r.destination)), 16u << 10);
}

TEST_F(Download, HttpErrorsNameTheUrlAndStatus) {
  server.route("/broken", {.status = 500});
  DownloadRequest r;
  r.url = server.url("/missing.dat");
  r.destination = tmp / "missing.dat";
  std::string message = error_of([&] { download(r); });
  EXPECT_NE(message.find(r.url), std::string::npos) << message;
  EXPECT_NE(message.find("404"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(r.destination));
  EXPECT_FALSE(fs::exists(part_of(r.destination)));

  r.url = server.url("/broken");
  message = error_of([&] { download(r); });
  EXPECT_NE(message.find("500"), std::string::npos) << message;
}

TEST_F(Download, FollowsRedirects) {
  const std::string body = random_bytes(30'000, 9);
  server.route("/old", {.redirect_to = "/new"});
  server.route("/new", {.body = body});
  download(request_for(server.url("/old"), tmp / "f", body));
  EXPECT_EQ(read_all(tmp / "f"), body);
}

TEST_F(Download, RefusesOtherProtocolsEvenThroughARedirect) {
  write_all(tmp / "secret", "secret");
  DownloadRequest r;
  r.url = "file://" + (tmp / "secret").string();
  r.destination = tmp / "copy";
  EXPECT_NE(error_of([&] { download(r); }).find("file://"), std::string::npos);
  EXPECT_FALSE(fs::exists(r.destination));

  server.route("/sneaky", {.redirect_to = "file://" + (tmp / "secret").string()});
  r.url = server.url("/sneaky");
  EXPECT_NE(error_of([&] { download(r); }).find(r.url), std::string::npos);
  EXPECT_FALSE(fs::exists(r.destination));
}

TEST_F(Download, CancelFromTheProgressCallbackKeepsThePart) {
  const std::string body = random_bytes(4 << 20, 10);
  // 256 chunks 5 ms apart: over a second, cancelled after about a tenth.
  server.route("/slow", {.body = body, .chunk_delay = std::chrono::milliseconds(5)});
  const fs::path dest = tmp / "slow";
  std::stop_source source;
  const auto r = request_for(server.url("/slow"), dest, body);
  EXPECT_THROW(download(r, source.get_token(),
                        [&](const TransferProgress& p) {
                          if (p.received >= (256u << 10)) source.request_stop();
                        }),
               FetchCancelled);
  EXPECT_FALSE(fs::exists(dest));
  ASSERT_TRUE(fs::exists(part_of(dest)));
  const auto kept = fs::file_size(part_of(dest));
  EXPECT_GE(kept, 256u << 10);
  EXPECT_LT(kept, body.size());
  EXPECT_EQ(read_all(part_of(dest)), body.substr(0, kept));
}

TEST_F(Download, SecondDownloadOfTheSameFileIsRefusedWhileTheFirstRuns) {
  const std::string body = random_bytes(2 << 20, 12);
  server.route("/slow", {.body = body, .chunk_delay = std::chrono::milliseconds(5)});
  const auto r = request_for(server.url("/slow"), tmp / "slow", body);
  std::stop_source stop_first;
  std::promise<void> receiving;
  std::atomic<bool> signalled{false};
  const auto signal = [&] {
    if (!signalled.exchange(true)) receiving.set_value();
  };
  std::string first_outcome;
  std::jthread first([&] {
    try {
      download(r, stop_first.get_token(), [&](const TransferProgress& p) {
        if (p.received > 0) signal();
      });
      first_outcome = "finished";
    } catch (const FetchCancelled&) {
      first_outcome = "cancelled";
    } catch (const FetchError& e) {
      first_outcome = e.what();
    }
    signal();
  });
  receiving.get_future().wait();
  const std::string message = error_of([&] { download(r); });
  EXPECT_NE(message.find("in progress"), std::string::npos) << message;
  stop_first.request_stop();
  first.join();
  EXPECT_EQ(first_outcome, "cancelled");
}

TEST_F(Download, CancelledBeforeStartDoesNothing) {
  server.route("/f", {.body = "x"});
  std::stop_source source;
  source.request_stop();
  DownloadRequest r;
  r.url = server.url("/f");
  r.destination = tmp / "f";
  EXPECT_THROW(download(r, source.get_token()), FetchCancelled);
  EXPECT_TRUE(server.requests().empty());
  EXPECT_FALSE(fs::exists(r.destination));
}

}  // namespace lookalike::fetch

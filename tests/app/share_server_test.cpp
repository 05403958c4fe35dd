// The kiosk's take-home share server, for real: a ShareServer on 127.0.0.1 and a real HTTP
// client (cpp-httplib's) or raw sockets for what a client library would never send. Time is a
// fake clock the tests move; nothing waits for wall-clock time.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "http_test_server.hpp"
#include "lookalike/app/share_server.hpp"
#include "test_support.hpp"

namespace lookalike::app {
namespace {

using namespace std::chrono_literals;
using test::http_get;
using test::http_request;

// A clock the test moves by hand; read from the server's threads.
class FakeClock {
 public:
  ShareClock function() {
    return [this] { return start_ + std::chrono::milliseconds(offset_ms_.load()); };
  }
  void advance(std::chrono::milliseconds by) { offset_ms_ += by.count(); }

 private:
  std::chrono::system_clock::time_point start_ = std::chrono::system_clock::now();
  std::atomic<long long> offset_ms_{0};
};

// A card-like picture: smooth gradients, a disc and text (JPEG keeps it close).
cv::Mat test_card(int seed = 0) {
  cv::Mat card(400, 320, CV_8UC3);
  for (int y = 0; y < card.rows; ++y)
    for (int x = 0; x < card.cols; ++x)
      card.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<uchar>(x * 255 / card.cols),
                    static_cast<uchar>(y * 255 / card.rows), static_cast<uchar>((seed * 37) % 256));
  cv::circle(card, {160, 200}, 80, {0, 0, 255}, cv::FILLED);
  cv::putText(card, "card " + std::to_string(seed), {40, 380}, cv::FONT_HERSHEY_DUPLEX, 1.5,
              {255, 255, 255}, 2);
  return card;
}

class ShareServerTest : public ::testing::Test {
 protected:
  ShareSettings settings() {
    ShareSettings s;
    s.enabled = true;
    s.clock = clock_.function();
    return s;
  }
  std::string base(const ShareServer& server) const {
    return "http://127.0.0.1:" + std::to_string(server.port());
  }
  FakeClock clock_;
};

TEST_F(ShareServerTest, PublishedCardIsServedAsPageAndImageWithStrictHeaders) {
  ShareServer server(settings());
  ASSERT_GT(server.port(), 0);
  const cv::Mat card = test_card();
  const PublishedCard published = server.publish(card);

  EXPECT_TRUE(
      std::regex_match(published.url, std::regex(R"(http://127\.0\.0\.1:\d+/c/[A-Za-z0-9_-]{22})")))
      << published.url;
  EXPECT_EQ(published.url, base(server) + "/c/" + published.token);
  EXPECT_EQ(published.expires_at - clock_.function()(), std::chrono::seconds(15 * 60));

  const test::HttpAnswer page = http_get(published.url);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<img src=\"/c/" + published.token + ".jpg\""), std::string::npos)
      << page.body;
  for (const test::HttpAnswer* answer : {&page}) {
    EXPECT_EQ(answer->header("Cache-Control"), "no-store");
    EXPECT_EQ(answer->header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(answer->header("Referrer-Policy"), "no-referrer");
    const std::string csp = answer->header("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
    EXPECT_NE(csp.find("img-src 'self'"), std::string::npos) << csp;
  }

  const test::HttpAnswer image = http_get(published.url + ".jpg");
  ASSERT_EQ(image.status, 200);
  EXPECT_EQ(image.header("Content-Type"), "image/jpeg");
  EXPECT_EQ(image.header("Cache-Control"), "no-store");
  const std::vector<unsigned char> expected = encode_share_image(card);
  EXPECT_EQ(image.body, std::string(expected.begin(), expected.end()));
  const cv::Mat decoded = cv::imdecode(
      std::vector<unsigned char>(image.body.begin(), image.body.end()), cv::IMREAD_COLOR);
  ASSERT_EQ(decoded.size(), card.size());
  EXPECT_LT(cv::norm(decoded, card, cv::NORM_L1) / card.total() / 3, 4.0);  // JPEG's loss

  // Each card its own token.
  std::set<std::string> tokens{published.token};
  for (int i = 0; i < 20; ++i) tokens.insert(server.publish(card).token);
  EXPECT_EQ(tokens.size(), 21u);
}

TEST_F(ShareServerTest, OtherPathsAndUnknownTokensAre404) {
  ShareServer server(settings());
  const PublishedCard published = server.publish(test_card());
  const std::string token = published.token;
  std::string other = token;
  other[0] = other[0] == 'A' ? 'B' : 'A';
  for (const std::string& path : std::vector<std::string>{
           "/", "/c", "/c/", "/index.html", "/favicon.ico", "/robots.txt", "/c/" + token + "/",
           "/c/" + token + ".png", "/c/" + token + ".jpg.jpg", "/C/" + token, "/c/" + other,
           "/c/" + other + ".jpg", "/c/" + token.substr(0, 21), "/c/" + token + "A",
           "/c/../c/" + token + "x", "/c/%2e%2e/", "/etc/passwd", "/c/" + token + "%00"}) {
    const test::HttpAnswer answer = http_get(base(server) + path);
    EXPECT_EQ(answer.status, 404) << path;
    EXPECT_EQ(answer.body.find(token), std::string::npos) << path;
    EXPECT_EQ(answer.header("Cache-Control"), "no-store") << path;
  }
  EXPECT_EQ(http_get(published.url).status, 200);
}

TEST_F(ShareServerTest, OnlyGetIsAllowed) {
  ShareServer server(settings());
  const PublishedCard published = server.publish(test_card());
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"}) {
    const test::HttpAnswer answer = http_request(method, published.url);
    EXPECT_EQ(answer.status, 405) << method;
    EXPECT_EQ(answer.header("Allow"), "GET") << method;
  }
  EXPECT_EQ(http_get(published.url).status, 200);
}

TEST_F(ShareServerTest, CardIsGoneAfterItsTimeToLive) {
  ShareSettings s = settings();
  s.ttl = 10min;
  ShareServer server(s);
  const PublishedCard published = server.publish(test_card());
  clock_.advance(10min - 1s);
  EXPECT_EQ(http_get(published.url).status, 200);
  EXPECT_EQ(server.cards_held(), 1u);
  clock_.advance(1s);
  EXPECT_EQ(http_get(published.url).status, 404);
  EXPECT_EQ(http_get(published.url + ".jpg").status, 404);
  EXPECT_EQ(server.cards_held(), 0u);
}

TEST_F(ShareServerTest, AThousandRandomTokensFindNothing) {
  ShareServer server(settings());
  std::vector<PublishedCard> published;
  for (int i = 0; i < 5; ++i) published.push_back(server.publish(test_card(i)));
  int found = 0;
  for (int i = 0; i < 1000; ++i) {
    if (i % 10 == 0) clock_.advance(1s);  // under the rate limit: this is not its test
    const std::string token = random_share_token();
    const test::HttpAnswer answer =
        http_get(base(server) + "/c/" + token + (i % 2 == 0 ? "" : ".jpg"));
    ASSERT_NE(answer.status, 429);
    found += answer.status == 404 ? 0 : 1;
  }
  EXPECT_EQ(found, 0);
  for (const PublishedCard& card : published) EXPECT_EQ(http_get(card.url).status, 200);
}

// The status code of a raw answer ("HTTP/1.1 414 ..."), 0 when none came.
int raw_status(const std::string& answer) {
  std::smatch match;
  if (!std::regex_search(answer, match, std::regex(R"(^HTTP/1\.[01] (\d{3}))"))) return 0;
  return std::stoi(match[1]);
}

TEST_F(ShareServerTest, OversizedAndMalformedRequestsAreRefusedAndServingGoesOn) {
  ShareSettings s = settings();
  s.requests_per_second = 1000;
  ShareServer server(s);
  const PublishedCard published = server.publish(test_card());
  const std::string path = "/c/" + published.token;
  const int port = server.port();
  struct Hostile {
    std::string what, bytes;
    int status;
  };
  std::string many_headers, big_headers;
  for (int i = 0; i < 100; ++i) many_headers += "X-" + std::to_string(i) + ": 1\r\n";
  for (int i = 0; i < 4; ++i)
    big_headers += "X-" + std::to_string(i) + ": " + std::string(4000, 'h') + "\r\n";
  const std::string get = "GET " + path + " HTTP/1.1\r\nHost: x\r\n";
  const std::vector<Hostile> requests = {
      {"long request line", "GET /c/" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
       414},
      {"long header line", get + "X-Big: " + std::string(20000, 'b') + "\r\n\r\n", 400},
      {"many headers", get + many_headers + "\r\n", 431},
      {"large headers", get + big_headers + "\r\n", 431},
      {"body over the limit on a POST",
       "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" +
           std::string(100000, 'c'),
       413},
      {"body over the limit on a GET",
       get + "Content-Length: 100000\r\n\r\n" + std::string(100000, 'c'), 413},
      {"chunked body", get + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 413},
      {"bad length", get + "Content-Length: -1\r\n\r\n", 413},
      {"huge length", get + "Content-Length: 99999999999999999999999\r\n\r\n", 413},
      {"garbage (a TLS hello)",
       std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n", 24), 400},
      {"no method", path + "\r\n\r\n", 400},
      {"bad version", "GET " + path + " HTTP/7.5\r\n\r\n", 400},
      {"lone line feeds", "GET\n\n\n\n", 400},
      {"unfinished", get, 400},  // after the server's 2 s read timeout
  };
  for (const Hostile& request : requests) {
    // 30 s: "unfinished" is answered when the server's own 2 s read timeout ends.
    const std::string answer = test::raw_http_exchange(port, request.bytes, 30s);
    EXPECT_EQ(raw_status(answer), request.status) << request.what << ":\n" << answer.substr(0, 300);
    EXPECT_EQ(answer.find("image/jpeg"), std::string::npos) << request.what;
    EXPECT_EQ(answer.find("text/html"), std::string::npos) << request.what;
    // The server keeps serving.
    EXPECT_EQ(http_get(published.url).status, 200) << "after " << request.what;
  }
}

// One request per connection: a second request pipelined after the first, or hidden in the
// unread body of the first, is never answered (the connection closes after one answer).
TEST_F(ShareServerTest, OneAnswerPerConnectionNothingSmuggled) {
  ShareSettings s = settings();
  s.requests_per_second = 1000;
  ShareServer server(s);
  const PublishedCard published = server.publish(test_card());
  const std::string card = "GET /c/" + published.token + ".jpg HTTP/1.1\r\nHost: x\r\n\r\n";
  const std::string not_found = "GET /nothing HTTP/1.1\r\nHost: x\r\n";
  for (const auto& [what, bytes] :
       {std::pair<std::string, std::string>{"pipelined", not_found + "\r\n" + card},
        {"in the body",
         not_found + "Content-Length: " + std::to_string(card.size()) + "\r\n\r\n" + card}}) {
    const std::string answer = test::raw_http_exchange(server.port(), bytes, 10s, true);
    EXPECT_EQ(raw_status(answer), 404) << what;
    std::size_t answers = 0;
    for (std::size_t at = answer.find("HTTP/1.1 "); at != std::string::npos;
         at = answer.find("HTTP/1.1 ", at + 1))
      ++answers;
    EXPECT_EQ(answers, 1u) << what << ":\n" << answer.substr(0, 400);
    EXPECT_EQ(answer.find("image/jpeg"), std::string::npos) << what;
    EXPECT_NE(answer.find("Connection: close"), std::string::npos) << what;
  }
  // Header limits count the client's headers only: 32 of them pass.
  std::string headers;
  for (int i = 0; i < 31; ++i) headers += "X-" + std::to_string(i) + ": 1\r\n";
  EXPECT_EQ(raw_status(test::raw_http_exchange(
                server.port(),
                "GET /c/" + published.token + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n")),
            200);
}

TEST_F(ShareServerTest, RateLimitAnswers429PerSecondWindow) {
  ShareSettings s = settings();
  s.requests_per_second = 5;
  ShareServer server(s);
  const PublishedCard published = server.publish(test_card());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(http_get(published.url).status, 200) << i;
  const test::HttpAnswer over = http_get(published.url);
  EXPECT_EQ(over.status, 429);
  EXPECT_EQ(over.header("Retry-After"), "1");
  EXPECT_EQ(http_get(base(server) + "/other").status, 429);  // every path counts
  clock_.advance(1s);
  EXPECT_EQ(http_get(published.url).status, 200);
}

TEST_F(ShareServerTest, AtMostMaxCardsHeldOldestDroppedFirst) {
  ShareSettings s = settings();
  s.max_cards = 3;
  ShareServer server(s);
  std::vector<PublishedCard> published;
  for (int i = 0; i < 5; ++i) {
    published.push_back(server.publish(test_card(i)));
    clock_.advance(1s);
  }
  EXPECT_EQ(server.cards_held(), 3u);
  EXPECT_EQ(http_get(published[0].url).status, 404);
  EXPECT_EQ(http_get(published[1].url).status, 404);
  for (int i = 2; i < 5; ++i) EXPECT_EQ(http_get(published[i].url).status, 200) << i;
}

// Every file below `dir` with its size and modification time.
std::map<std::string, std::pair<std::uintmax_t, long long>> snapshot(
    const std::filesystem::path& dir) {
  std::map<std::string, std::pair<std::uintmax_t, long long>> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const auto size = entry.is_regular_file() ? entry.file_size() : 0;
    files[entry.path().string()] = {size, entry.last_write_time().time_since_epoch().count()};
  }
  return files;
}

// Restores an environment variable on scope exit.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(ShareServerTest, NothingIsWrittenToDisk) {
  test::TempDir root;
  const std::filesystem::path config = root.path() / "config", data = root.path() / "data",
                              cache = root.path() / "cache", cwd = root.path() / "cwd";
  for (const auto& dir : {config, data, cache, cwd}) std::filesystem::create_directories(dir);
  const ScopedEnv xdg_config("XDG_CONFIG_HOME", config.string());
  const ScopedEnv xdg_data("XDG_DATA_HOME", data.string());
  const ScopedEnv xdg_cache("XDG_CACHE_HOME", cache.string());
  const std::filesystem::path old_cwd = std::filesystem::current_path();
  std::filesystem::current_path(cwd);
  const auto before = snapshot(root.path());
  {
    ShareSettings s = settings();
    s.max_cards = 2;
    ShareServer server(s);
    std::vector<PublishedCard> published;
    for (int i = 0; i < 4; ++i) published.push_back(server.publish(test_card(i)));
    EXPECT_EQ(http_get(published.back().url).status, 200);
    EXPECT_EQ(http_get(published.back().url + ".jpg").status, 200);
    EXPECT_EQ(http_get(base(server) + "/nothing").status, 404);
    clock_.advance(1h);
    EXPECT_EQ(http_get(published.back().url).status, 404);
  }
  const auto after = snapshot(root.path());
  std::filesystem::current_path(old_cwd);
  EXPECT_EQ(before, after);
  EXPECT_EQ(after.size(), 4u);  // the four empty folders
}

TEST_F(ShareServerTest, BusyPortAndBadAddressesAreClearErrors) {
  ShareServer first(settings());
  ShareSettings busy = settings();
  busy.port = first.port();
  try {
    ShareServer second(busy);
    FAIL() << "a second server listened on the same port";
  } catch (const ShareServerError& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(first.port())),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
  }
  ShareSettings malformed = settings();
  malformed.bind_address = "999.1.2.3";
  try {
    ShareServer server(malformed);
    FAIL() << "listened on 999.1.2.3";
  } catch (const ShareServerError& e) {
    EXPECT_NE(std::string(e.what()).find("999.1.2.3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a numeric"), std::string::npos) << e.what();
  }
  ShareSettings foreign = settings();
  foreign.bind_address = "192.0.2.1";  // TEST-NET-1: nobody's address
  try {
    ShareServer server(foreign);
    FAIL() << "listened on 192.0.2.1";
  } catch (const ShareServerError& e) {
    EXPECT_NE(std::string(e.what()).find("not one of this machine's"), std::string::npos)
        << e.what();
  }
  for (const std::string host : {"evil.example/x?", "user@host", "a b", "host#"}) {
    ShareSettings bad_host = settings();
    bad_host.public_host = host;
    EXPECT_THROW(ShareServer{bad_host}, ShareServerError) << host;
  }
  ShareSettings bad_limits = settings();
  bad_limits.max_cards = 0;
  EXPECT_THROW(ShareServer{bad_limits}, ShareServerError);
  EXPECT_EQ(http_get(first.publish(test_card()).url).status, 200);  // the first one serves on
}

TEST_F(ShareServerTest, OffByDefaultAndPublicHostInUrls) {
  ShareSettings off;
  EXPECT_FALSE(off.enabled);
  EXPECT_EQ(start_share_server(off), nullptr);

  ShareSettings s = settings();
  s.public_host = "192.168.1.50";
  const std::unique_ptr<ShareServer> server = start_share_server(s);
  ASSERT_NE(server, nullptr);
  const PublishedCard published = server->publish(test_card());
  EXPECT_EQ(published.url.rfind("http://192.168.1.50:" + std::to_string(server->port()) + "/c/", 0),
            0u)
      << published.url;
  // Served on the bound address whatever the public host says.
  EXPECT_EQ(http_get(base(*server) + "/c/" + published.token).status, 200);

  ShareSettings every = settings();
  every.bind_address = "0.0.0.0";
  ShareServer any(every);
  EXPECT_NE(any.public_host(), "0.0.0.0");
  EXPECT_EQ(http_get("http://127.0.0.1:" + std::to_string(any.port()) + "/c/" +
                     any.publish(test_card()).token)
                .status,
            200);
}

TEST_F(ShareServerTest, TokensAre128BitsUrlSafe) {
  std::set<std::string> tokens;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = random_share_token();
    ASSERT_TRUE(std::regex_match(token, std::regex("[A-Za-z0-9_-]{21}[AQgw]"))) << token;
    tokens.insert(token);
  }
  EXPECT_EQ(tokens.size(), 1000u);
}

// Publishing while clients fetch (the kiosk's thread vs the server's): run under tsan.
TEST_F(ShareServerTest, PublishWhileServing) {
  ShareSettings s = settings();
  s.max_cards = 4;
  s.requests_per_second = 100000;
  ShareServer server(s);
  std::vector<std::string> urls;
  std::mutex urls_mutex;
  urls.push_back(server.publish(test_card()).url);
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, served{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c)
    clients.emplace_back([&] {
      while (!done) {
        std::string url;
        {
          std::lock_guard lock(urls_mutex);
          url = urls.back();
        }
        const int status = http_get(url + ".jpg").status;
        if (status == 200)
          ++served;
        else if (status != 404)
          ++bad;
      }
    });
  for (int i = 0; i < 30; ++i) {
    const std::string url = server.publish(test_card(i)).url;
    std::lock_guard lock(urls_mutex);
    urls.push_back(url);
  }
  while (served < 20 && bad == 0) std::this_thread::yield();
  done = true;
  for (auto& client : clients) client.join();
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(server.cards_held(), 4u);
}

}  // namespace
}  // namespace lookalike::app

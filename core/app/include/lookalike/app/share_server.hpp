// Use case: the kiosk's take-home QR. A guest's card is served by a small HTTP server inside the
// app at http://HOST:PORT/c/TOKEN for a limited time, so a phone that scans the QR code on the
// kiosk card can keep it.
//
// Contract: ShareServer listens from construction (on settings.bind_address:settings.port; port
// 0 picks a free one, port() tells which) until destruction, which stops and joins its threads.
// publish() may be called from any thread while requests are served. Cards live in memory only
// (the image is encoded once, at publish): nothing is written to disk. The server answers only
// GET /c/TOKEN (a tiny HTML page that shows the card) and GET /c/TOKEN.jpg (the card itself);
// every other path and an unknown or expired token answer 404, other methods 405, a client over
// its request rate 429, requests over the size limits 413/414/431 and malformed ones 400. At most
// `max_cards` are held (publishing one more drops the oldest); a card expires `ttl` after its
// publication on the injected clock. Tokens are 128 random bits from OpenSSL's CSPRNG (22
// characters, base64url) and are logged at debug level only.
//
// The constructor throws ShareServerError naming the address and the reason when it cannot
// listen (port in use, not an address of this machine, a malformed address), and for settings
// out of range or a public_host that is not a host name or IP address.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace lookalike::app {

// Wall-clock time: expires_at is shown to guests ("available until 15:42").
using ShareClock = std::function<std::chrono::system_clock::time_point()>;

struct ShareSettings {
  bool enabled = false;                    // off by default: see start_share_server()
  std::string bind_address = "127.0.0.1";  // 0.0.0.0 for every interface
  int port = 0;                            // 0: any free port
  std::string public_host;  // the host in the URL (the LAN IP a phone reaches); empty: see below
  std::chrono::seconds ttl{15 * 60};
  std::size_t max_cards = 50;
  int requests_per_second = 20;  // per client address; over it: 429
  // Request limits beyond cpp-httplib's own (request line and each header line at most 8 KiB):
  std::size_t max_body_bytes = 1024;    // bodies are never read; a longer one: 413
  std::size_t max_header_count = 32;    // more: 431
  std::size_t max_header_bytes = 8192;  // names and values together; more: 431
  int worker_threads = 4;
  ShareClock clock;  // empty: system_clock::now; called from the server's threads
};

struct PublishedCard {
  std::string token;
  std::string url;  // http://HOST:PORT/c/TOKEN
  std::chrono::system_clock::time_point expires_at;
};

class ShareServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ShareServer {
 public:
  explicit ShareServer(ShareSettings settings);
  ~ShareServer();
  ShareServer(const ShareServer&) = delete;
  ShareServer& operator=(const ShareServer&) = delete;

  // Encodes `card` (BGR or grey, not empty; else std::invalid_argument) and serves it.
  PublishedCard publish(const cv::Mat& card);

  int port() const;
  // The host URLs name: public_host, else the bind address, else (bound to every interface)
  // the first non-loopback IPv4 address of this machine.
  const std::string& public_host() const;
  std::size_t cards_held() const;  // not yet expired

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A running server when settings.enabled, else nullptr (the kiosk's "share" is off).
std::unique_ptr<ShareServer> start_share_server(const ShareSettings& settings);

// The bytes a published card is served as (JPEG): exposed so tests can compare.
std::vector<unsigned char> encode_share_image(const cv::Mat& card);

// A new token: 128 bits from OpenSSL's RAND_bytes, base64url without padding (22 characters).
std::string random_share_token();

}  // namespace lookalike::app

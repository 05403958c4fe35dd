// Real HTTP servers on 127.0.0.1 for the download tests: cpp-httplib (Debian) behind a small
// interface, so that test files need none of httplib's compile flags.
//
// Contract: HttpTestServer listens on an ephemeral port from construction and serves the
// routes set with route() from its own threads; destruction stops and joins them. route() and
// requests() may be called from any thread while it runs. SilentServer accepts TCP
// connections (the kernel completes them) and never answers: a hung server.
//
// http_request() is a real HTTP client (cpp-httplib's) for tests of servers of our own;
// raw_http_exchange() sends any bytes (malformed requests) and returns what comes back.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lookalike::test {

struct Route {
  std::string body;
  int status = 200;                   // not 200: answers this status with a small error page
  bool honour_range = true;           // false: answers 200 with the whole file to a Range request
  std::optional<std::size_t> cut_at;  // drops the connection once the file up to here is sent
  std::size_t chunk_bytes = 16 << 10;
  std::chrono::milliseconds chunk_delay{0};  // between chunks: a slow network
  std::string redirect_to;                   // not empty: 302 to this location
};

struct SeenRequest {
  std::string path;
  std::string range;  // the Range header; empty when none
};

class HttpTestServer {
 public:
  HttpTestServer();
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  void route(const std::string& path, Route route);  // replaces an earlier one
  std::string url(const std::string& path) const;
  std::vector<SeenRequest> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class SilentServer {
 public:
  SilentServer();
  ~SilentServer();
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;
  std::string url(const std::string& path) const;

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A port on 127.0.0.1 nothing listens on (bound once, then released).
int unused_port();

struct HttpAnswer {
  int status = 0;  // 0: no answer (connection refused, closed or timed out)
  std::map<std::string, std::string> headers;  // the last value of each, names as sent
  std::string body;
  std::string header(const std::string& name) const;  // empty when absent
};

// METHOD url (http://host:port/path) with a 5 s timeout; no redirects are followed.
HttpAnswer http_request(const std::string& method, const std::string& url);
inline HttpAnswer http_get(const std::string& url) {
  return http_request("GET", url);
}

// Connects to 127.0.0.1:port, sends `bytes` and reads one answer (its head and Content-Length
// bytes), or until the server closes the connection or `timeout` passes; returns what was read
// (empty when nothing came). `until_closed`: reads everything until the server closes (or the
// timeout), however many answers come.
std::string raw_http_exchange(int port, const std::string& bytes,
                              std::chrono::milliseconds timeout = std::chrono::seconds(5),
                              bool until_closed = false);

}  // namespace lookalike::test

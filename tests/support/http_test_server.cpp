#include "http_test_server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sys/time.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace lookalike::test {
namespace {

// Binds a TCP socket to 127.0.0.1 on an ephemeral port; returns {fd, port}.
std::pair<int, int> bind_loopback() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind 127.0.0.1");
  }
  return {fd, ntohs(addr.sin_port)};
}

}  // namespace

struct HttpTestServer::Impl {
  httplib::Server server;
  int port = 0;
  std::thread thread;
  std::atomic<bool> finished{false};
  mutable std::mutex mutex;
  std::map<std::string, Route> routes;
  std::vector<SeenRequest> seen;

  void handle(const httplib::Request& req, httplib::Response& res) {
    Route r;
    bool found = false;
    {
      std::lock_guard lock(mutex);
      seen.push_back({req.path, req.get_header_value("Range")});
      if (auto it = routes.find(req.path); it != routes.end()) {
        r = it->second;
        found = true;
      }
    }
    if (!found) {
      res.status = 404;
      res.set_content("no such file", "text/plain");
      return;
    }
    if (!r.redirect_to.empty()) {
      res.set_redirect(r.redirect_to);
      return;
    }
    if (r.status != 200) {
      res.status = r.status;
      res.set_content("error page", "text/plain");
      return;
    }
    auto body = std::make_shared<const std::string>(std::move(r.body));
    std::size_t start = 0;
    const std::string range = req.get_header_value("Range");
    if (r.honour_range && range.rfind("bytes=", 0) == 0) {
      start = std::stoull(range.substr(6));
      if (start >= body->size()) {
        res.status = 416;
        res.set_header("Content-Range", "bytes */" + std::to_string(body->size()));
        return;
      }
      res.status = 206;
      res.set_header("Content-Range", "bytes " + std::to_string(start) + "-" +
                                          std::to_string(body->size() - 1) + "/" +
                                          std::to_string(body->size()));
    } else {
      res.status = 200;
    }
    // httplib applies Range itself to sized providers; a provider without a length and our
    // own headers keep every byte of the answer under the test's control.
    res.set_header("Content-Length", std::to_string(body->size() - start));
    const std::size_t end = r.cut_at ? std::min(*r.cut_at, body->size()) : body->size();
    res.set_content_provider("application/octet-stream",
                             [body, start, end, r](std::size_t offset, httplib::DataSink& sink) {
                               const std::size_t pos = start + offset;
                               if (pos >= end) {
                                 if (end < body->size())
                                   return false;  // drop the connection mid-file
                                 sink.done();
                                 return true;
                               }
                               if (offset > 0 && r.chunk_delay.count() > 0)
                                 std::this_thread::sleep_for(r.chunk_delay);
                               return sink.write(body->data() + pos,
                                                 std::min(r.chunk_bytes, end - pos));
                             });
  }
};

HttpTestServer::HttpTestServer() : impl_(std::make_unique<Impl>()) {
  impl_->server.set_keep_alive_timeout(1);
  impl_->server.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    impl_->handle(req, res);
  });
  // bind_to_any_port also listens: clients can connect before the accept loop runs.
  impl_->port = impl_->server.bind_to_any_port("127.0.0.1");
  if (impl_->port <= 0) throw std::runtime_error("cannot start the test HTTP server");
  impl_->thread = std::thread([this] {
    impl_->server.listen_after_bind();
    impl_->finished = true;
  });
  // stop() does nothing until the accept loop runs: wait for it (microseconds), or the
  // destructor could join a server that never stops.
  while (!impl_->server.is_running() && !impl_->finished) std::this_thread::yield();
}

HttpTestServer::~HttpTestServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

void HttpTestServer::route(const std::string& path, Route route) {
  std::lock_guard lock(impl_->mutex);
  impl_->routes[path] = std::move(route);
}

std::string HttpTestServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + path;
}

std::vector<SeenRequest> HttpTestServer::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->seen;
}

SilentServer::SilentServer() {
  std::tie(fd_, port_) = bind_loopback();
  if (::listen(fd_, 16) != 0) {
    ::close(fd_);
    throw std::runtime_error("listen() failed");
  }
}

SilentServer::~SilentServer() {
  ::close(fd_);
}

std::string SilentServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

int unused_port() {
  const auto [fd, port] = bind_loopback();
  ::close(fd);
  return port;
}

std::string HttpAnswer::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpAnswer http_request(const std::string& method, const std::string& url) {
  // libcpp-httplib (not built with TSan) parses answers with function-local static regexes whose
  // guards TSan cannot see, so their first use from two threads reads as a race. Requests wait
  // here until one has been answered; every later use is then ordered after the statics exist.
  static std::mutex first_answer_mutex;
  static bool first_answer_seen = false;  // guarded by first_answer_mutex
  std::unique_lock first_answer_lock(first_answer_mutex);
  if (first_answer_seen) first_answer_lock.unlock();
  const std::size_t path_start = url.find('/', url.find("://") + 3);
  httplib::Client client(url.substr(0, path_start));
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(5));
  httplib::Request request;
  request.method = method;
  request.path = path_start == std::string::npos ? "/" : url.substr(path_start);
  HttpAnswer answer;
  const httplib::Result result = client.send(request);
  if (!result) return answer;
  if (first_answer_lock.owns_lock()) {
    first_answer_seen = true;
    first_answer_lock.unlock();
  }
  answer.status = result->status;
  answer.body = result->body;
  for (const auto& [name, value] : result->headers) answer.headers[name] = value;
  return answer;
}

std::string raw_http_exchange(int port, const std::string& bytes, std::chrono::milliseconds timeout,
                              bool until_closed) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  std::string received;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    // The server may answer and close before everything is sent (a refused request): a failed
    // send ends sending, not the exchange.
    for (std::size_t sent = 0; sent < bytes.size();) {
      const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    // Reads one answer: its head, then Content-Length bytes (no half-close: httplib does not
    // answer a client that has shut its sending side).
    char buffer[4096];
    for (ssize_t n; (n = ::recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
      received.append(buffer, static_cast<std::size_t>(n));
      if (until_closed) continue;
      const std::size_t head_end = received.find("\r\n\r\n");
      if (head_end == std::string::npos) continue;
      std::size_t length = 0;
      const std::size_t field = received.find("\r\nContent-Length: ");
      if (field != std::string::npos && field < head_end)
        length = std::stoull(received.substr(field + 18, 20));
      if (received.size() >= head_end + 4 + length) break;
    }
  }
  ::close(fd);
  return received;
}

}  // namespace lookalike::test

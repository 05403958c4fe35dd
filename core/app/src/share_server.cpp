#include "lookalike/app/share_server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <ctime>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "lookalike/file_util.hpp"

namespace lookalike::app {
namespace {

using TimePoint = std::chrono::system_clock::time_point;

constexpr std::string_view kCardPrefix = "/c/";
constexpr std::string_view kImageSuffix = ".jpg";
constexpr std::size_t kTokenBytes = 16;
constexpr std::size_t kTokenChars = 22;  // base64url of 16 bytes, no padding
// Rate-limit windows of clients not seen for a while are forgotten past this many clients.
constexpr std::size_t kMaxTrackedClients = 1024;

// Sent with every answer, errors included: nothing is cached, sniffed, framed or referred, and
// the page may load its own image and nothing else (no scripts, styles, fonts or forms).
httplib::Headers strict_headers() {
  return {
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy",
       "default-src 'none'; img-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'"},
  };
}

bool is_token_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

struct CardRequest {
  std::string token;
  bool image = false;
};

// /c/TOKEN or /c/TOKEN.jpg with a well-formed token; anything else is no card.
std::optional<CardRequest> parse_card_path(std::string_view path) {
  if (!path.starts_with(kCardPrefix)) return std::nullopt;
  path.remove_prefix(kCardPrefix.size());
  CardRequest request;
  if (path.ends_with(kImageSuffix)) {
    request.image = true;
    path.remove_suffix(kImageSuffix.size());
  }
  if (path.size() != kTokenChars) return std::nullopt;
  for (char c : path)
    if (!is_token_char(c)) return std::nullopt;
  request.token = std::string(path);
  return request;
}

std::string local_clock_time(TimePoint t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  localtime_r(&seconds, &local);
  std::array<char, 16> text{};
  std::strftime(text.data(), text.size(), "%H:%M", &local);
  return text.data();
}

std::string card_page(const std::string& token, TimePoint expires_at) {
  // No styles (the CSP allows none): the image scales by its width attribute.
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         "<meta name=\"referrer\" content=\"no-referrer\"><title>Your look-alike</title></head>"
         "<body><p><img src=\"/c/" +
         token + std::string(kImageSuffix) +
         "\" alt=\"Your look-alike card\" width=\"100%\"></p>"
         "<p>Press and hold the picture to save it. This page is deleted at " +
         local_clock_time(expires_at) + ".</p></body></html>\n";
}

// Why `host:port` cannot be bound, for the error message: httplib only says that it failed,
// so a socket of our own repeats the attempt and keeps errno.
std::string why_not_bindable(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
  addrinfo* found = nullptr;
  if (const int error = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
      error != 0)
    return "not a numeric IPv4 or IPv6 address (" + std::string(::gai_strerror(error)) + ")";
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, ::freeaddrinfo);
  const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  if (fd < 0) return errno_text(errno);
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  std::string reason = "unknown reason";
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
    reason = errno == EADDRINUSE      ? "the port is in use"
             : errno == EADDRNOTAVAIL ? "the address is not one of this machine's"
                                      : errno_text(errno);
  } else if (::listen(fd, 1) != 0) {
    reason = errno == EADDRINUSE ? "the port is in use" : errno_text(errno);
  }
  ::close(fd);
  return reason;
}

bool binds_every_interface(const std::string& address) {
  return address == "0.0.0.0" || address == "::" || address.empty();
}

// The first non-loopback IPv4 address that is up: what a phone on the LAN can reach when the
// server listens on every interface.
std::optional<std::string> first_lan_ipv4() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  const std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owner(list, ::freeifaddrs);
  for (const ifaddrs* it = list; it != nullptr; it = it->ifa_next) {
    if (it->ifa_addr == nullptr || it->ifa_addr->sa_family != AF_INET) continue;
    const auto* address = reinterpret_cast<const sockaddr_in*>(it->ifa_addr);
    if ((ntohl(address->sin_addr.s_addr) >> 24) == 127) continue;
    std::array<char, INET_ADDRSTRLEN> text{};
    if (::inet_ntop(AF_INET, &address->sin_addr, text.data(), text.size()) != nullptr)
      return std::string(text.data());
  }
  return std::nullopt;
}

std::string url_host(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;  // IPv6 literal
}

}  // namespace

std::string random_share_token() {
  std::array<unsigned char, kTokenBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("share server: the system's random generator failed");
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  // base64url by hand: OpenSSL's EVP_EncodeBlock writes the standard alphabet with padding.
  std::string token;
  std::uint32_t bits = 0;
  int count = 0;
  for (unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= 6) {
      count -= 6;
      token += kAlphabet[(bits >> count) & 0x3f];
    }
  }
  if (count > 0) token += kAlphabet[(bits << (6 - count)) & 0x3f];
  return token;
}

std::vector<unsigned char> encode_share_image(const cv::Mat& card) {
  if (card.empty() || card.depth() != CV_8U ||
      (card.channels() != 1 && card.channels() != 3 && card.channels() != 4))
    throw std::invalid_argument("share server: the card must be a non-empty 8-bit image");
  cv::Mat bgr = card;
  if (card.channels() == 4) cv::cvtColor(card, bgr, cv::COLOR_BGRA2BGR);
  std::vector<unsigned char> bytes;
  if (!cv::imencode(".jpg", bgr, bytes, {cv::IMWRITE_JPEG_QUALITY, 92}))
    throw std::runtime_error("share server: the card could not be encoded as JPEG");
  return bytes;
}

struct ShareServer::Impl {
  struct Card {
    std::string token;
    TimePoint expires_at;
    std::shared_ptr<const std::string> page, image;
  };
  struct Window {
    TimePoint start;
    int requests = 0;
  };

  ShareSettings settings;
  httplib::Server server;
  int port = 0;
  std::string public_host;
  std::thread thread;
  std::atomic<bool> finished{false};

  mutable std::mutex mutex;  // guards cards and windows
  std::deque<Card> cards;    // oldest first
  std::unordered_map<std::string, Window> windows;

  TimePoint now() const {
    return settings.clock ? settings.clock() : std::chrono::system_clock::now();
  }

  void drop_expired(TimePoint t) {
    std::erase_if(cards, [t](const Card& card) { return card.expires_at <= t; });
  }

  // One more request from `client` in the current one-second window: false when over the limit.
  bool admit(const std::string& client, TimePoint t) {
    if (windows.size() >= kMaxTrackedClients && !windows.contains(client)) {
      std::erase_if(windows, [t](const auto& entry) {
        return t - entry.second.start >= std::chrono::seconds(1);
      });
      if (windows.size() >= kMaxTrackedClients) return false;  // that many clients this second
    }
    Window& window = windows[client];
    if (window.requests == 0 || t - window.start >= std::chrono::seconds(1) || t < window.start)
      window = {t, 0};
    return ++window.requests <= settings.requests_per_second;
  }

  // Looks at every held card with a constant-time comparison: answers take as long for a token
  // that shares a prefix with a real one as for any other.
  std::shared_ptr<const std::string> find(const CardRequest& request) const {
    std::shared_ptr<const std::string> found;
    for (const Card& card : cards)
      if (CRYPTO_memcmp(card.token.data(), request.token.data(), kTokenChars) == 0)
        found = request.image ? card.image : card.page;
    return found;
  }

  // Why the request is refused before routing (status and text), or 0 when it is not.
  std::pair<int, const char*> refusal(const httplib::Request& req) const {
    // httplib adds the connection's addresses to the headers itself: only the client's count.
    static const std::set<std::string, httplib::detail::ci> kAddedByHttplib = {
        "REMOTE_ADDR", "REMOTE_PORT", "LOCAL_ADDR", "LOCAL_PORT"};
    std::size_t header_count = 0, header_bytes = 0;
    for (const auto& [name, value] : req.headers) {
      if (kAddedByHttplib.contains(name)) continue;
      ++header_count;
      header_bytes += name.size() + value.size();
    }
    if (header_count > settings.max_header_count || header_bytes > settings.max_header_bytes)
      return {431, "Request header fields too large\n"};
    // Bodies are never read (one request per connection: the connection closes after the
    // answer, so no body is parsed as a next request); one that is announced too long, or of
    // unknown length, is refused.
    const std::string length = req.get_header_value("Content-Length");
    if (req.has_header("Transfer-Encoding") ||
        (!length.empty() &&
         (length.size() > 18 || length.find_first_not_of("0123456789") != std::string::npos ||
          std::stoull(length) > settings.max_body_bytes)))
      return {413, "Payload too large\n"};
    return {0, nullptr};
  }

  // Every request: the rate limit first (refused requests count too), then the size limits,
  // the method and the path.
  httplib::Server::HandlerResponse handle(const httplib::Request& req, httplib::Response& res) {
    const auto [refused_status, refused_text] = refusal(req);
    const std::optional<CardRequest> card = parse_card_path(req.path);
    const bool get = req.method == "GET";
    bool admitted = false;
    std::shared_ptr<const std::string> body;
    {
      std::lock_guard lock(mutex);
      const TimePoint t = now();
      admitted = admit(req.remote_addr, t);
      drop_expired(t);
      if (admitted && refused_status == 0 && get && card) body = find(*card);
    }
    // Every connection serves one request (set_keep_alive_max_count(1)): a refused request's
    // body, if any, is never read.
    const auto refuse = [&res](int status, const char* text) {
      res.status = status;
      res.set_header("Connection", "close");
      res.set_content(text, "text/plain");
    };
    if (!admitted) {
      refuse(429, "Too many requests\n");
      res.set_header("Retry-After", "1");
    } else if (refused_status != 0) {
      refuse(refused_status, refused_text);
    } else if (!get) {
      refuse(405, "Method not allowed\n");
      res.set_header("Allow", "GET");
    } else if (!body) {
      res.status = 404;
      res.set_content("Not found\n", "text/plain");
    } else {
      res.status = 200;
      res.set_content(*body, card->image ? "image/jpeg" : "text/html; charset=utf-8");
    }
    spdlog::debug("share server: {} {} from {}: {}", req.method, req.path, req.remote_addr,
                  res.status);
    return httplib::Server::HandlerResponse::Handled;
  }
};

ShareServer::ShareServer(ShareSettings settings) : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  if (settings.max_cards == 0 || settings.requests_per_second <= 0 ||
      settings.worker_threads <= 0 || settings.ttl <= std::chrono::seconds(0) ||
      settings.port < 0 || settings.port > 65535)
    throw ShareServerError(
        "share server: max_cards, requests_per_second, worker_threads and ttl must be positive "
        "and the port in 0-65535");
  // The host goes into URLs and QR codes verbatim: a name or an address, nothing that could
  // add a path, a port or a user to them.
  if (settings.public_host.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789.-:") != std::string::npos)
    throw ShareServerError("share server: public host '" + settings.public_host +
                           "' is not a host name or IP address");
  impl.settings = std::move(settings);
  const ShareSettings& s = impl.settings;

  const std::size_t threads = static_cast<std::size_t>(s.worker_threads);
  impl.server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  impl.server.set_default_headers(strict_headers());
  impl.server.set_payload_max_length(s.max_body_bytes);
  impl.server.set_read_timeout(std::chrono::seconds(2));  // a slow client holds a worker briefly
  impl.server.set_write_timeout(std::chrono::seconds(5));
  // One request per connection: httplib closes a connection only when the request asks for it
  // or the count runs out, and the body of a request is not read here, so a second request on
  // the same connection could be smuggled in that body. A phone fetches the page and the image:
  // two short connections.
  impl.server.set_keep_alive_max_count(1);
  // httplib's default also sets SO_REUSEPORT, with which a second server (another app, another
  // user's process) could bind the same port and receive half the requests.
  impl.server.set_socket_options([](socket_t socket) {
    const int yes = 1;
    ::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // Every request is answered here, before httplib's own routing (no file mounts, no methods).
  impl.server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    return impl_->handle(req, res);
  });
  // Requests httplib refuses itself (malformed, URI or body too long): a short plain answer.
  impl.server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) res.set_content("Bad request\n", "text/plain");
  });

  const bool any_port = s.port == 0;
  impl.port = any_port ? impl.server.bind_to_any_port(s.bind_address)
                       : (impl.server.bind_to_port(s.bind_address, s.port) ? s.port : -1);
  if (impl.port <= 0)
    throw ShareServerError("share server: cannot listen on " + url_host(s.bind_address) + ":" +
                           std::to_string(s.port) + ": " +
                           why_not_bindable(s.bind_address, s.port));

  impl.public_host = s.public_host;
  if (impl.public_host.empty())
    impl.public_host = binds_every_interface(s.bind_address)
                           ? first_lan_ipv4().value_or("127.0.0.1")
                           : s.bind_address;

  impl.thread = std::thread([&impl] {
    impl.server.listen_after_bind();
    impl.finished = true;
  });
  // stop() does nothing until the accept loop runs: wait for it, or the destructor could join a
  // server that never stops.
  while (!impl.server.is_running() && !impl.finished) std::this_thread::yield();
  spdlog::info("share server: listening on {}:{}, cards at http://{}:{}/c/…, kept {} s",
               url_host(s.bind_address), impl.port, url_host(impl.public_host), impl.port,
               s.ttl.count());
}

ShareServer::~ShareServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

PublishedCard ShareServer::publish(const cv::Mat& card) {
  Impl& impl = *impl_;
  const std::vector<unsigned char> jpeg = encode_share_image(card);  // outside the lock
  auto image = std::make_shared<const std::string>(jpeg.begin(), jpeg.end());
  PublishedCard published;
  published.token = random_share_token();
  published.url = "http://" + url_host(impl.public_host) + ":" + std::to_string(impl.port) +
                  std::string(kCardPrefix) + published.token;
  std::size_t held = 0;
  {
    std::lock_guard lock(impl.mutex);
    const TimePoint t = impl.now();
    published.expires_at = t + impl.settings.ttl;
    impl.drop_expired(t);
    while (impl.cards.size() >= impl.settings.max_cards) impl.cards.pop_front();
    impl.cards.push_back(
        {published.token, published.expires_at,
         std::make_shared<const std::string>(card_page(published.token, published.expires_at)),
         std::move(image)});
    held = impl.cards.size();
  }
  spdlog::info("share server: a card of {} bytes published ({} held)", jpeg.size(), held);
  spdlog::debug("share server: card at {}", published.url);
  return published;
}

int ShareServer::port() const {
  return impl_->port;
}

const std::string& ShareServer::public_host() const {
  return impl_->public_host;
}

std::size_t ShareServer::cards_held() const {
  std::lock_guard lock(impl_->mutex);
  const TimePoint t = impl_->now();
  std::size_t held = 0;
  for (const auto& card : impl_->cards) held += card.expires_at > t ? 1 : 0;
  return held;
}

std::unique_ptr<ShareServer> start_share_server(const ShareSettings& settings) {
  if (!settings.enabled) return nullptr;
  return std::make_unique<ShareServer>(settings);
}

}  // namespace lookalike::app

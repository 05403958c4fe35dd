#include "lookalike/fetch/download.hpp"
#include "lookalike/file_util.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

#include "../common/file_descriptor.hpp"
#include "lookalike/build_config.hpp"

namespace fs = std::filesystem;

namespace lookalike::fetch {
namespace {

using Clock = std::chrono::steady_clock;

// Progress reaches the caller at most this often (plus once at the end).
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
// Redirect chains longer than this are a loop or an attack.
constexpr long kMaxRedirects = 10;
// Only web downloads: no file://, ftp://, scp:// ... even through a redirect.
constexpr const char* kProtocols = "http,https";

using detail::FileDescriptor;

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct DigestDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

FetchError io_error(const fs::path& path, const std::string& what) {
  return FetchError(path.string() + ": " + what + ": " + std::strerror(errno));
}

void global_init() {
  // curl_global_init is not thread-safe: run it once per process, before any handle exists.
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
      throw FetchError("libcurl initialisation failed");
  });
}

const EVP_MD* digest_for(const std::string& algorithm) {
  if (algorithm == "sha256") return EVP_sha256();
  if (algorithm == "md5") return EVP_md5();
  throw FetchError("unsupported checksum algorithm '" + algorithm + "' (use sha256 or md5)");
}

std::uint64_t file_size(int fd, const fs::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw io_error(path, "cannot stat");
  return static_cast<std::uint64_t>(st.st_size);
}

void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(first, last - first + 1));
}

// An empty .part left by a failure is clutter, not progress: removed on the way out.
class EmptyPartRemover {
 public:
  EmptyPartRemover(fs::path part, int fd) : part_(std::move(part)), fd_(fd) {}
  ~EmptyPartRemover() {
    struct stat st {};
    if (fd_ >= 0 && ::fstat(fd_, &st) == 0 && st.st_size == 0) remove_quietly(part_);
  }
  EmptyPartRemover(const EmptyPartRemover&) = delete;
  EmptyPartRemover& operator=(const EmptyPartRemover&) = delete;
  void dismiss() { fd_ = -1; }

 private:
  fs::path part_;
  int fd_;
};

// One transfer attempt, shared with libcurl's C callbacks through a void*. Callbacks must not
// throw through libcurl: they park the exception here and ask libcurl to abort.
struct Transfer {
  const DownloadRequest* request = nullptr;
  CURL* curl = nullptr;
  fs::path part;
  int fd = -1;
  std::stop_token stop;
  const ProgressFn* progress = nullptr;

  std::uint64_t offset = 0;    // bytes of the .part present when this attempt started
  std::uint64_t received = 0;  // bytes of the whole file present now
  std::uint64_t total = 0;     // whole file size; 0 when unknown
  bool body_started = false;
  long status = 0;
  std::string status_line;    // of the last response
  std::string content_range;  // of the last response
  std::exception_ptr error;
  bool cancelled = false;
  bool stalled = false;
  Clock::time_point last_data = Clock::now();  // of the last body byte, or of connecting

  Clock::time_point session_start = Clock::now();
  Clock::time_point last_report{};
  std::uint64_t session_bytes = 0;
  double rate = 0;  // smoothed bytes per second of this session

  void report(bool force) {
    const auto now = Clock::now();
    if (!force && now - last_report < kProgressInterval) return;
    last_report = now;
    const double elapsed = std::chrono::duration<double>(now - session_start).count();
    if (elapsed > 0) {
      const double average = static_cast<double>(session_bytes) / elapsed;
      // Smooth so that one burst or pause does not make the ETA jump around.
      rate = rate == 0 ? average : 0.7 * rate + 0.3 * average;
    }
    if (progress == nullptr || !*progress) return;
    TransferProgress p;
    p.received = received;
    p.total = total;
    p.bytes_per_second = rate;
    if (total > 0 && rate > 0 && received <= total)
      p.eta_seconds = static_cast<double>(total - received) / rate;
    (*progress)(p);
  }
};

// "bytes 100-199/200" -> 100; "bytes */200" or garbage -> nullopt.
std::optional<std::uint64_t> content_range_start(const std::string& value) {
  const auto space = value.find(' ');
  const auto dash = value.find('-');
  if (space == std::string::npos || dash == std::string::npos || dash < space) return {};
  try {
    return std::stoull(value.substr(space + 1, dash - space - 1));
  } catch (const std::exception&) {
    return {};
  }
}

// "bytes 100-199/200" or "bytes */200" -> 200.
std::optional<std::uint64_t> content_range_total(const std::string& value) {
  const auto slash = value.rfind('/');
  if (slash == std::string::npos || slash + 1 >= value.size() || value[slash + 1] == '*') return {};
  try {
    return std::stoull(value.substr(slash + 1));
  } catch (const std::exception&) {
    return {};
  }
}

// The first body byte of the final response: headers are complete. Decides whether the bytes
// continue the .part (206) or replace it (200). Returns false for a response that is not the
// file (an error page): nothing of it is written.
bool start_body(Transfer& t) {
  t.body_started = true;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &t.status);
  if (t.status != 200 && t.status != 206) return false;
  curl_off_t length = -1;
  curl_easy_getinfo(t.curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if (t.status == 206) {
    if (content_range_start(t.content_range) != t.offset)
      throw FetchError(fmt::format("{}: server answered a request from byte {} with range '{}'",
                                   t.request->url, t.offset, t.content_range));
  } else if (t.offset > 0) {
    // A 200 to a Range request is the whole file: start the .part over.
    spdlog::info("{}: server ignored the resume request; downloading from the start",
                 t.request->url);
    if (::ftruncate(t.fd, 0) != 0 || ::lseek(t.fd, 0, SEEK_SET) != 0)
      throw io_error(t.part, "cannot empty");
    t.offset = 0;
    t.received = 0;
  }
  if (length >= 0) t.total = t.offset + static_cast<std::uint64_t>(length);
  return true;
}

void write_all(Transfer& t, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(t.fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOSPC || errno == EDQUOT)
        throw FetchError(fmt::format("disk full while writing {} (downloading {})", t.part.string(),
                                     t.request->url));
      throw io_error(t.part, "write failed");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  // Every response of a redirect chain starts with its status line: forget earlier headers.
  t.last_data = Clock::now();
  if (line.starts_with("HTTP/")) {
    t.status_line = trim(line);
    t.content_range.clear();
  }
  constexpr std::string_view kName = "content-range:";
  if (line.size() > kName.size()) {
    std::string head(line.substr(0, kName.size()));
    std::transform(head.begin(), head.end(), head.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (head == kName) t.content_range = trim(line.substr(kName.size()));
  }
  return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  try {
    if (t.stop.stop_requested()) {
      t.cancelled = true;
      return CURL_WRITEFUNC_ERROR;
    }
    if (!t.body_started && !start_body(t)) return CURL_WRITEFUNC_ERROR;
    write_all(t, data, n);
    t.last_data = Clock::now();
    t.received += n;
    t.session_bytes += n;
    return n;
  } catch (...) {
    t.error = std::current_exception();
    return CURL_WRITEFUNC_ERROR;
  }
}

// Also called about once a second while nothing arrives, so a cancel is seen during a stall.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto& t = *static_cast<Transfer*>(user);
  // libcurl's LOW_SPEED check averages over several seconds, so a trickle after a burst goes
  // unnoticed for long; this watch counts time since the last byte, once connected (the
  // connect timeout covers connecting).
  curl_off_t connected = 0;
  curl_easy_getinfo(t.curl, CURLINFO_CONNECT_TIME_T, &connected);
  const auto now = Clock::now();
  if (connected == 0) {
    t.last_data = now;
  } else if (now - t.last_data > t.request->stall_timeout) {
    t.stalled = true;
    return 1;
  }
  try {
    if (!t.stop.stop_requested()) t.report(false);
  } catch (...) {
    t.error = std::current_exception();
    return 1;
  }
  if (t.stop.stop_requested()) {
    t.cancelled = true;
    return 1;
  }
  return 0;
}

template <typename T>
void set_option(CURL* curl, CURLoption option, T value) {
  if (const CURLcode rc = curl_easy_setopt(curl, option, value); rc != CURLE_OK)
    throw FetchError(std::string("libcurl option refused: ") + curl_easy_strerror(rc));
}

// What a failed transfer leaves behind, for the end of error messages.
std::string kept_note(const Transfer& t) {
  if (t.received == 0) return "";
  return fmt::format("; {} bytes kept in {} for the next try", t.received, t.part.string());
}

// Runs one HTTP request. Returns the final status: 200/206 (the .part now holds the whole
// file) or 416 (the server has nothing after t.offset). Throws for everything else.
long perform(Transfer& t) {
  const DownloadRequest& r = *t.request;
  std::unique_ptr<CURL, CurlDeleter> handle(curl_easy_init());
  if (!handle) throw FetchError(r.url + ": cannot create a libcurl handle");
  t.curl = handle.get();
  t.last_data = Clock::now();
  t.stalled = false;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  const std::string range = std::to_string(t.offset) + "-";
  const std::string agent = "lookalike/" LOOKALIKE_VERSION;

  set_option(t.curl, CURLOPT_URL, r.url.c_str());
  set_option(t.curl, CURLOPT_PROTOCOLS_STR, kProtocols);
  set_option(t.curl, CURLOPT_REDIR_PROTOCOLS_STR, kProtocols);
  set_option(t.curl, CURLOPT_FOLLOWLOCATION, 1L);
  set_option(t.curl, CURLOPT_MAXREDIRS, kMaxRedirects);
  set_option(t.curl, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM in a multi-threaded program
  set_option(t.curl, CURLOPT_USERAGENT, agent.c_str());
  set_option(t.curl, CURLOPT_ERRORBUFFER, error_buffer.data());
  set_option(t.curl, CURLOPT_CONNECTTIMEOUT, static_cast<long>(r.connect_timeout.count()));
  set_option(t.curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  set_option(t.curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(r.stall_timeout.count()));
  // CURLOPT_RANGE, not CURLOPT_RESUME_FROM: the latter fails on a 200 instead of letting us
  // restart the file.
  if (t.offset > 0) set_option(t.curl, CURLOPT_RANGE, range.c_str());
  set_option(t.curl, CURLOPT_HEADERFUNCTION, &on_header);
  set_option(t.curl, CURLOPT_HEADERDATA, static_cast<void*>(&t));
  set_option(t.curl, CURLOPT_WRITEFUNCTION, &on_body);
  set_option(t.curl, CURLOPT_WRITEDATA, static_cast<void*>(&t));
  set_option(t.curl, CURLOPT_NOPROGRESS, 0L);
  set_option(t.curl, CURLOPT_XFERINFOFUNCTION, &on_progress);
  set_option(t.curl, CURLOPT_XFERINFODATA, static_cast<void*>(&t));

  const CURLcode rc = curl_easy_perform(t.curl);
  if (t.error) std::rethrow_exception(t.error);
  if (t.cancelled || (rc != CURLE_OK && t.stop.stop_requested()))
    throw FetchCancelled(fmt::format("{}: download cancelled{}", r.url, kept_note(t)));

  if (!t.body_started) curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &t.status);
  char* final_url = nullptr;
  curl_easy_getinfo(t.curl, CURLINFO_EFFECTIVE_URL, &final_url);
  const std::string where = final_url != nullptr && r.url != final_url
                                ? fmt::format("{} (redirected to {})", r.url, final_url)
                                : r.url;
  curl_off_t connected = 0;
  curl_easy_getinfo(t.curl, CURLINFO_CONNECT_TIME_T, &connected);
  if (rc == CURLE_OPERATION_TIMEDOUT && connected == 0)
    throw FetchError(
        fmt::format("{}: cannot connect within {} s", where, r.connect_timeout.count()));
  if (t.stalled || rc == CURLE_OPERATION_TIMEDOUT) {
    const std::string what =
        t.status_line.empty()
            ? fmt::format("connected, but no answer for {} s", r.stall_timeout.count())
            : fmt::format("stalled: no data for {} s", r.stall_timeout.count());
    throw FetchError(fmt::format("{}: download failed: {}{}", where, what, kept_note(t)));
  }
  if (t.status == 416 && t.offset > 0) return 416;
  // CURLE_WRITE_ERROR with an error status: on_body refused to store an error page.
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t.status >= 300)) {
    const std::string what = error_buffer[0] != '\0' ? error_buffer.data() : curl_easy_strerror(rc);
    throw FetchError(fmt::format("{}: download failed: {}{}", where, what, kept_note(t)));
  }
  if (t.status >= 300) {
    // The status line carries the reason ("HTTP/1.1 404 Not Found").
    std::string reason = t.status_line;
    if (const auto space = reason.find(' '); space != std::string::npos)
      reason = reason.substr(space + 1);
    throw FetchError(fmt::format("{}: server answered HTTP {}{}", where,
                                 reason.empty() ? std::to_string(t.status) : reason, kept_note(t)));
  }
  if (t.status != 200 && t.status != 206)
    throw FetchError(fmt::format("{}: unexpected answer HTTP {}", r.url, t.status));
  if (t.total > 0 && t.received != t.total)
    throw FetchError(fmt::format("{}: transfer ended at byte {} of {}{}", r.url, t.received,
                                 t.total, kept_note(t)));
  t.report(true);
  return t.status;
}

}  // namespace

Checksum Checksum::parse(const std::string& text) {
  const std::string value = trim(text);
  Checksum sum;
  if (value.empty()) return sum;
  std::string hex = value;
  if (const auto colon = value.find(':'); colon != std::string::npos) {
    sum.algorithm = value.substr(0, colon);
    std::transform(sum.algorithm.begin(), sum.algorithm.end(), sum.algorithm.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    hex = value.substr(colon + 1);
  } else {
    sum.algorithm = "sha256";
  }
  std::size_t digits = 0;
  if (sum.algorithm == "sha256")
    digits = 64;
  else if (sum.algorithm == "md5")
    digits = 32;
  else
    throw FetchError("checksum '" + text + "': unknown algorithm (use sha256:HEX or md5:HEX)");
  const bool all_hex =
      std::all_of(hex.begin(), hex.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
  if (hex.size() != digits || !all_hex)
    throw FetchError(
        fmt::format("checksum '{}': expected {} hex digits for {}", text, digits, sum.algorithm));
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  sum.hex = std::move(hex);
  return sum;
}

std::string Checksum::to_string() const {
  if (empty()) return "";
  return algorithm + ":" + hex;
}

std::string file_digest(const fs::path& file, const std::string& algorithm) {
  const EVP_MD* md = digest_for(algorithm);
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw io_error(file, "cannot open");
  std::unique_ptr<EVP_MD_CTX, DigestDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1)
    throw FetchError(file.string() + ": cannot start " + algorithm);
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error(file, "read failed");
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<std::size_t>(n));
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1)
    throw FetchError(file.string() + ": " + algorithm + " failed");
  return to_hex(std::span<const unsigned char>(digest.data(), length));
}

fs::path download(const DownloadRequest& request, std::stop_token stop,
                  const ProgressFn& progress) {
  if (request.url.empty()) throw FetchError("download: no URL given");
  if (request.destination.empty()) throw FetchError(request.url + ": no destination given");
  if (stop.stop_requested())
    throw FetchCancelled(request.url + ": download cancelled before it started");
  if (!request.expected_checksum.empty()) digest_for(request.expected_checksum.algorithm);
  global_init();

  const fs::path& destination = request.destination;
  fs::path part = destination;
  part += ".part";
  if (destination.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(destination.parent_path(), ec);
    if (ec)
      throw FetchError(destination.parent_path().string() + ": cannot create: " + ec.message());
  }
  FileDescriptor fd(::open(part.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw io_error(part, "cannot open");
  // Two processes appending to one .part would interleave garbage.
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0)
    throw FetchError(part.string() + ": another download of this file is in progress");
  EmptyPartRemover empty_part{part, fd.get()};

  Transfer t;
  t.request = &request;
  t.part = part;
  t.fd = fd.get();
  t.stop = stop;
  t.progress = &progress;
  t.offset = file_size(fd.get(), part);
  if (request.expected_size && t.offset > *request.expected_size) {
    spdlog::warn("{}: longer than the expected {} bytes; starting over", part.string(),
                 *request.expected_size);
    if (::ftruncate(fd.get(), 0) != 0) throw io_error(part, "cannot empty");
    t.offset = 0;
  }
  if (::lseek(fd.get(), 0, SEEK_END) < 0) throw io_error(part, "cannot seek");
  if (t.offset > 0) spdlog::info("{}: resuming from byte {}", request.url, t.offset);

  for (bool retried = false;;) {
    t.received = t.offset;
    t.total = request.expected_size.value_or(0);
    t.body_started = false;
    t.status = 0;
    if (perform(t) != 416) break;
    // Nothing after our offset: the .part is complete already, or it is longer than the file.
    const auto total = content_range_total(t.content_range);
    if ((total && *total == t.offset) || (!total && request.expected_size == t.offset)) break;
    if (retried)
      throw FetchError(
          fmt::format("{}: server refuses the range request ({})", request.url, t.status_line));
    spdlog::warn("{}: the server has no bytes after {}; starting over", part.string(), t.offset);
    if (::ftruncate(fd.get(), 0) != 0 || ::lseek(fd.get(), 0, SEEK_SET) != 0)
      throw io_error(part, "cannot empty");
    t.offset = 0;
    retried = true;
  }

  if (::fsync(fd.get()) != 0) {
    if (errno == ENOSPC || errno == EDQUOT)
      throw FetchError("disk full while writing " + part.string());
    throw io_error(part, "fsync failed");
  }
  const std::uint64_t size = file_size(fd.get(), part);
  if (request.expected_size && size != *request.expected_size) {
    remove_quietly(part);
    throw FetchError(fmt::format("{}: got {} bytes, expected {}; deleted {}", request.url, size,
                                 *request.expected_size, part.string()));
  }
  if (!request.expected_checksum.empty()) {
    const std::string& algorithm = request.expected_checksum.algorithm;
    const std::string got = file_digest(part, algorithm);
    if (got != request.expected_checksum.hex) {
      remove_quietly(part);
      throw FetchError(
          fmt::format("{}: checksum mismatch for {}: expected {}:{}, got {}:{}; "
                      "deleted {}",
                      request.url, destination.string(), algorithm, request.expected_checksum.hex,
                      algorithm, got, part.string()));
    }
  }
  if (::rename(part.c_str(), destination.c_str()) != 0)
    throw io_error(destination, "rename failed");
  empty_part.dismiss();
  const fs::path dir = destination.has_parent_path() ? destination.parent_path() : fs::path(".");
  FileDescriptor dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());  // best effort: make the rename durable
  spdlog::info("{}: downloaded {} bytes to {}", request.url, size, destination.string());
  return destination;
}

}  // namespace lookalike::fetch

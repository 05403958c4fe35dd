#include "checkpoint.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "checksum.hpp"
#include "lookalike/file_util.hpp"

namespace fs = std::filesystem;

namespace lookalike::detail {
namespace {

constexpr char kMagic[8] = {'L', 'K', 'C', 'K', 'P', 'T', '0', '1'};

class Writer {
 public:
  template <typename T>
  void pod(const T& v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  void text(const std::string& s) {
    pod(static_cast<std::uint32_t>(s.size()));
    const auto* p = reinterpret_cast<const std::byte*>(s.data());
    bytes.insert(bytes.end(), p, p + s.size());
  }
  std::vector<std::byte> bytes;
};

class Reader {
 public:
  Reader(const std::byte* p, std::size_t n) : p_(p), end_(p + n) {}
  template <typename T>
  bool pod(T& v) {
    if (static_cast<std::size_t>(end_ - p_) < sizeof(T)) return false;
    std::memcpy(&v, p_, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  bool text(std::string& s) {
    std::uint32_t n;
    if (!pod(n) || static_cast<std::size_t>(end_ - p_) < n) return false;
    s.assign(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return true;
  }
  bool done() const { return p_ == end_; }

 private:
  const std::byte* p_;
  const std::byte* end_;
};

std::vector<std::byte> encode(const PhotoResult& r) {
  Writer w;
  w.text(r.source);
  w.pod(static_cast<std::uint8_t>(r.ok));
  if (r.ok) {
    w.pod(r.embedding);
    w.pod(r.quality);
    w.text(std::string(r.thumbnail_jpeg.begin(), r.thumbnail_jpeg.end()));
    w.pod(static_cast<std::uint8_t>(r.pose.has_value()));
    const HeadPose pose = r.pose.value_or(HeadPose{});
    w.pod(pose.yaw);
    w.pod(pose.pitch);
    w.pod(static_cast<std::uint8_t>(r.estimate.gender));
    w.pod(r.estimate.gender_confidence);
    w.pod(r.estimate.age);
  } else {
    w.text(r.reason);
  }
  return std::move(w.bytes);
}

bool decode(const std::byte* p, std::size_t n, PhotoResult& r) {
  Reader in(p, n);
  std::uint8_t ok;
  if (!in.text(r.source) || !in.pod(ok)) return false;
  r.ok = ok != 0;
  if (r.ok) {
    std::string jpeg;
    if (!in.pod(r.embedding) || !in.pod(r.quality) || !in.text(jpeg)) return false;
    r.thumbnail_jpeg.assign(jpeg.begin(), jpeg.end());
    if (!in.done()) {  // records written before poses were kept end here
      std::uint8_t has_pose;
      HeadPose pose;
      if (!in.pod(has_pose) || !in.pod(pose.yaw) || !in.pod(pose.pitch)) return false;
      if (has_pose) r.pose = pose;
    }
    if (!in.done()) {  // records written before gender/age estimates were kept end here
      std::uint8_t gender;
      if (!in.pod(gender) || !in.pod(r.estimate.gender_confidence) || !in.pod(r.estimate.age))
        return false;
      r.estimate.gender = gender <= 2 ? static_cast<Gender>(gender) : Gender::unknown;
    }
  } else if (!in.text(r.reason)) {
    return false;
  }
  return in.done();
}

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw std::runtime_error(path.string() + ": " + what + ": " + errno_text(errno));
}

void write_all(int fd, const std::byte* p, std::size_t n, const fs::path& path) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot write checkpoint");
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

}  // namespace

Checkpoint::Checkpoint(const fs::path& path, const std::string& model_sha256,
                       std::vector<PhotoResult>& existing)
    : path_(path) {
  Writer header;
  header.pod(kMagic);
  header.text(model_sha256);
  std::size_t keep = 0;
  std::error_code ec;
  if (fs::exists(path, ec)) {
    const auto bytes = read_file_bytes(path);
    if (bytes.size() >= header.bytes.size() &&
        std::memcmp(bytes.data(), header.bytes.data(), header.bytes.size()) == 0) {
      std::size_t pos = header.bytes.size();
      keep = pos;
      while (pos + 4 <= bytes.size()) {
        std::uint32_t len;
        std::memcpy(&len, bytes.data() + pos, 4);
        if (bytes.size() - pos - 4 < std::size_t{len} + 8) break;
        std::uint64_t sum;
        std::memcpy(&sum, bytes.data() + pos + 4 + len, 8);
        PhotoResult r;
        if (xxh64({bytes.data() + pos + 4, len}) != sum || !decode(bytes.data() + pos + 4, len, r))
          break;
        existing.push_back(std::move(r));
        pos += 4 + std::size_t{len} + 8;
        keep = pos;
      }
      if (keep < bytes.size())
        spdlog::warn("{}: cutting a damaged checkpoint tail ({} bytes)", path.string(),
                     bytes.size() - keep);
    } else {
      spdlog::warn("{}: checkpoint of another model, jitter or format; starting over",
                   path.string());
    }
  }
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path, "cannot open checkpoint");
  if (::ftruncate(fd_, static_cast<off_t>(keep)) != 0) fail(path, "cannot truncate checkpoint");
  if (::lseek(fd_, static_cast<off_t>(keep), SEEK_SET) < 0) fail(path, "cannot seek checkpoint");
  if (keep == 0) write_all(fd_, header.bytes.data(), header.bytes.size(), path_);
}

Checkpoint::~Checkpoint() {
  if (fd_ >= 0) {
    ::fdatasync(fd_);
    ::close(fd_);
  }
}

void Checkpoint::append(const PhotoResult& result) {
  const auto payload = encode(result);
  Writer record;
  record.pod(static_cast<std::uint32_t>(payload.size()));
  record.bytes.insert(record.bytes.end(), payload.begin(), payload.end());
  record.pod(xxh64(payload));
  write_all(fd_, record.bytes.data(), record.bytes.size(), path_);
}

void Checkpoint::sync() {
  if (::fdatasync(fd_) != 0) fail(path_, "cannot sync checkpoint");
}

}  // namespace lookalike::detail

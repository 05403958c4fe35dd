#include "lookalike/file_util.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <utility>
#include "file_descriptor.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

std::runtime_error io_error(const fs::path& path, const std::string& what) {
  return std::runtime_error(path.string() + ": " + what + ": " + errno_text(errno));
}

using detail::FileDescriptor;

void write_all(int fd, std::span<const std::byte> bytes, const fs::path& path) {
  const std::byte* p = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error(path, "write failed");
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string errno_text(int error) {
  if (error == ENOSPC || error == EDQUOT)
    return std::string("the disk is full (") + std::strerror(error) + ")";
  if (error == EFBIG)
    return std::string("the file size limit was reached (") + std::strerror(error) + ")";
  return std::strerror(error);
}

void write_file_atomically(const fs::path& path,
                           const std::function<void(const ByteSink&)>& produce) {
  static std::atomic<unsigned> counter{0};
  fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  fs::path tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw io_error(tmp, "cannot create temporary file");
  try {
    produce([&](std::span<const std::byte> bytes) { write_all(fd.get(), bytes, tmp); });
    if (::fsync(fd.get()) != 0) throw io_error(tmp, "fsync failed");
    if (::close(fd.release()) != 0) throw io_error(tmp, "close failed");
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw io_error(path, "rename failed");
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  FileDescriptor dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());  // best effort: make the rename durable
}

std::optional<std::string> why_not_writable(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return dir.string() + ": cannot create the folder: " + ec.message();
  const fs::path probe = dir / (".write-probe-" + std::to_string(::getpid()));
  FileDescriptor fd(::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return dir.string() + ": " + errno_text(errno);
  fs::remove(probe, ec);
  return std::nullopt;
}

void write_file_atomically(const fs::path& path, std::span<const std::byte> bytes) {
  write_file_atomically(path, [&](const ByteSink& sink) { sink(bytes); });
}

std::vector<std::byte> read_file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw io_error(path, "cannot open");
  in.seekg(0, std::ios::end);
  auto size = static_cast<std::size_t>(in.tellg());
  in.seekg(0);
  std::vector<std::byte> bytes(size);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size)))
    throw io_error(path, "read failed");
  return bytes;
}

std::string sha256_hex(std::span<const std::byte> bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return to_hex(std::span<const unsigned char>(digest, length));
}

std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (const unsigned char b : bytes) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

std::string sha256_file_hex(const fs::path& path) {
  return sha256_hex(read_file_bytes(path));
}

}  // namespace lookalike

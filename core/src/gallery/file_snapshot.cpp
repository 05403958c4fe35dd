#include "file_snapshot.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "../common/file_descriptor.hpp"
#include "lookalike/file_util.hpp"
#include "lookalike/gallery/gallery_error.hpp"

namespace lookalike::detail {
namespace {
[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw GalleryError(GalleryError::Kind::io,
                     path.string() + ": " + what + ": " + errno_text(errno));
}
}  // namespace

std::vector<std::byte> read_file_snapshot(const std::filesystem::path& path) {
  const FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail(path, "cannot open gallery file");
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail(path, "cannot stat gallery file");
  if (S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    fail(path, "expected a gallery file");
  }
  std::vector<std::byte> bytes(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        ::pread(fd.get(), bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path, "cannot read gallery file");
    if (n == 0)
      throw GalleryError(GalleryError::Kind::io,
                         path.string() +
                             ": the file shrank while being read (truncated or "
                             "rewritten by another program?)");
    done += static_cast<std::size_t>(n);
  }
  return bytes;
}

}  // namespace lookalike::detail

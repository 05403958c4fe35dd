#include "lookalike/fetch/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <utility>
#include "../common/file_descriptor.hpp"

namespace fs = std::filesystem;

namespace lookalike::fetch {
namespace {

// Bytes libarchive reads from the file at a time.
constexpr std::size_t kReadBlock = 1 << 16;

using detail::FileDescriptor;

[[noreturn]] void refuse(const fs::path& archive, const std::string& member,
                         const std::string& why) {
  throw FetchError(
      fmt::format("{}: refusing the archive: member '{}': {}", archive.string(), member, why));
}

// Removes what an extraction created unless it completed.
class CleanupOnFailure {
 public:
  explicit CleanupOnFailure(std::function<void()> cleanup) : cleanup_(std::move(cleanup)) {}
  ~CleanupOnFailure() {
    if (cleanup_) cleanup_();
  }
  CleanupOnFailure(const CleanupOnFailure&) = delete;
  CleanupOnFailure& operator=(const CleanupOnFailure&) = delete;
  void dismiss() { cleanup_ = nullptr; }

 private:
  std::function<void()> cleanup_;
};

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

class Reader {
 public:
  explicit Reader(const fs::path& path) : path_(path), archive_(archive_read_new()) {
    if (!archive_) throw FetchError(path.string() + ": cannot create a libarchive reader");
    archive_read_support_filter_all(archive_.get());
    // Every archive format but mtree, which is not an archive but a file list: libarchive
    // reads the listed files' contents from this machine's disk.
    for (auto* support : {archive_read_support_format_tar, archive_read_support_format_zip,
                          archive_read_support_format_7zip, archive_read_support_format_cpio,
                          archive_read_support_format_rar, archive_read_support_format_rar5,
                          archive_read_support_format_xar, archive_read_support_format_cab,
                          archive_read_support_format_lha, archive_read_support_format_iso9660,
                          archive_read_support_format_ar, archive_read_support_format_empty})
      support(archive_.get());
    if (archive_read_open_filename(archive_.get(), path.c_str(), kReadBlock) != ARCHIVE_OK)
      fail("cannot open the archive");
  }

  // The next member's header; nullptr at the end of the archive.
  archive_entry* next() {
    archive_entry* entry = nullptr;
    const int rc = archive_read_next_header(archive_.get(), &entry);
    if (rc == ARCHIVE_EOF) return nullptr;
    if (rc == ARCHIVE_WARN)
      spdlog::warn("{}: {}", path_.string(), error_text());
    else if (rc != ARCHIVE_OK)
      fail("damaged or not an archive");
    return entry;
  }

  archive* get() const { return archive_.get(); }
  const fs::path& path() const { return path_; }

  [[noreturn]] void fail(const std::string& what) const {
    const std::string detail = error_text();
    throw FetchError(path_.string() + ": " + what + (detail.empty() ? "" : ": " + detail));
  }

 private:
  std::string error_text() const {
    const char* text = archive_error_string(archive_.get());
    return text != nullptr ? text : "";
  }

  fs::path path_;
  std::unique_ptr<archive, ReadDeleter> archive_;
};

// Counts members and bytes against the limits for one archive.
struct Budget {
  const ExtractLimits& limits;
  const fs::path& archive;
  std::uint64_t members = 0;
  std::uint64_t bytes = 0;  // of completed members: max(header size, data written)

  void count_member(const std::string& name) {
    if (++members > limits.max_members)
      refuse(archive, name, fmt::format("more than {} members", limits.max_members));
  }
  // `size`: what the member would occupy so far (header size or end of the data seen).
  void check(const std::string& name, std::uint64_t size) const {
    if (size > limits.max_member_bytes)
      refuse(archive, name,
             fmt::format("{} bytes, over the limit of {} per file", size, limits.max_member_bytes));
    if (size > limits.max_total_bytes || bytes > limits.max_total_bytes - size)
      refuse(
          archive, name,
          fmt::format("the files total more than the limit of {} bytes", limits.max_total_bytes));
  }
};

std::string member_name(archive_entry* entry) {
  const char* name = archive_entry_pathname(entry);
  if (name == nullptr) name = archive_entry_pathname_utf8(entry);
  return name != nullptr ? name : "";
}

// The member's path split into components, without "." and empty ones; refuses absolute
// paths and "..". Empty for the archive's root ("./").
std::vector<std::string> safe_components(const fs::path& archive, const std::string& name) {
  if (name.empty()) refuse(archive, name, "no name");
  if (name.front() == '/') refuse(archive, name, "absolute path");
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('/', start);
    if (end == std::string::npos) end = name.size();
    std::string part = name.substr(start, end - start);
    if (part == "..") refuse(archive, name, "'..' in the path");
    if (!part.empty() && part != ".") parts.push_back(std::move(part));
    start = end + 1;
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

// Only plain files and folders are ever created.
void check_type(const fs::path& archive, const std::string& name, archive_entry* entry) {
  if (const char* target = archive_entry_hardlink(entry))
    refuse(archive, name, fmt::format("hard link to '{}'", target));
  switch (archive_entry_filetype(entry)) {
    case AE_IFREG:
    case AE_IFDIR:
      return;
    case AE_IFLNK: {
      const char* target = archive_entry_symlink(entry);
      refuse(archive, name, fmt::format("symbolic link to '{}'", target ? target : ""));
    }
    case AE_IFCHR:
    case AE_IFBLK:
      refuse(archive, name, "device file");
    case AE_IFIFO:
      refuse(archive, name, "FIFO");
    default:
      refuse(archive, name, "not a regular file or folder");
  }
}

std::uint64_t header_size(archive_entry* entry) {
  if (!archive_entry_size_is_set(entry)) return 0;
  const la_int64_t size = archive_entry_size(entry);
  return size > 0 ? static_cast<std::uint64_t>(size) : 0;
}

// Opens (creating when missing) the folder `parts[0..count)` below `root`, one component at a
// time and never following a symlink, so nothing can lead outside the destination.
FileDescriptor open_dir(int root, const fs::path& archive, const std::string& name,
                        const std::vector<std::string>& parts, std::size_t count) {
  FileDescriptor dir(::openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0)
    refuse(archive, name, std::string("cannot open folder: ") + std::strerror(errno));
  for (std::size_t i = 0; i < count; ++i) {
    if (::mkdirat(dir.get(), parts[i].c_str(), 0755) != 0 && errno != EEXIST)
      refuse(archive, name, std::string("cannot create folder: ") + std::strerror(errno));
    FileDescriptor next(
        ::openat(dir.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (next.get() < 0)
      refuse(archive, name,
             fmt::format("'{}' is not a folder: {}", parts[i], std::strerror(errno)));
    dir = std::move(next);
  }
  return dir;
}

// Creates a new file; refuses to replace or follow anything that exists.
FileDescriptor create_file(int dir, const std::string& leaf, mode_t mode, const fs::path& archive,
                           const std::string& name) {
  FileDescriptor fd(
      ::openat(dir, leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (fd.get() < 0) {
    if (errno == EEXIST) refuse(archive, name, "appears more than once");
    refuse(archive, name, std::string("cannot create: ") + std::strerror(errno));
  }
  return fd;
}

void pwrite_all(int fd, const char* p, std::size_t n, std::uint64_t offset,
                const std::string& shown) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == ENOSPC || errno == EDQUOT) throw FetchError("disk full while writing " + shown);
      throw FetchError(shown + ": write failed: " + std::strerror(errno));
    }
    p += w;
    n -= static_cast<std::size_t>(w);
    offset += static_cast<std::uint64_t>(w);
  }
}

// Copies the current member's data into `fd`, holes staying holes. Checks the limits on every
// block before writing it. Returns the member's size.
std::uint64_t copy_data(Reader& reader, int fd, const std::string& name, const std::string& shown,
                        std::uint64_t declared, Budget& budget, const std::stop_token& stop) {
  std::uint64_t end = 0;
  for (;;) {
    if (stop.stop_requested())
      throw FetchCancelled(reader.path().string() + ": extraction cancelled");
    const void* data = nullptr;
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int rc = archive_read_data_block(reader.get(), &data, &size, &offset);
    if (rc == ARCHIVE_EOF) break;
    if (rc == ARCHIVE_WARN)
      spdlog::warn("{}: {}", reader.path().string(), name);
    else if (rc != ARCHIVE_OK)
      reader.fail(fmt::format("cannot read member '{}'", name));
    if (offset < 0) reader.fail(fmt::format("member '{}': negative offset", name));
    const auto block_end = static_cast<std::uint64_t>(offset) + size;
    budget.check(name, std::max(declared, block_end));
    pwrite_all(fd, static_cast<const char*>(data), size, static_cast<std::uint64_t>(offset), shown);
    end = std::max(end, block_end);
  }
  // A sparse file may end in a hole: extend without writing.
  if (declared > end) {
    if (::ftruncate(fd, static_cast<off_t>(declared)) != 0)
      throw FetchError(shown + ": cannot set size: " + std::strerror(errno));
    end = declared;
  }
  return end;
}

mode_t file_mode(archive_entry* entry) {
  return (archive_entry_perm(entry) & 0111) != 0 ? 0755 : 0644;
}

// Refuses a destination that holds anything: extraction never mixes with existing files.
void prepare_destination(const fs::path& destination) {
  std::error_code ec;
  const auto status = fs::symlink_status(destination, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status))
      throw FetchError(destination.string() + ": exists and is not a folder");
    if (!fs::is_empty(destination, ec))
      throw FetchError(destination.string() + ": exists and is not empty");
  }
  fs::create_directories(destination, ec);
  if (ec) throw FetchError(destination.string() + ": cannot create: " + ec.message());
}

FileDescriptor open_root(const fs::path& destination) {
  FileDescriptor root(::open(destination.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (root.get() < 0)
    throw FetchError(destination.string() + ": cannot open: " + std::strerror(errno));
  return root;
}

}  // namespace

ExtractSummary extract_archive(const fs::path& archive, const fs::path& destination,
                               const ExtractLimits& limits, std::stop_token stop,
                               const ExtractProgressFn& progress) {
  Reader reader(archive);  // before touching the destination: a missing archive changes nothing
  prepare_destination(destination);
  CleanupOnFailure cleanup([&] {
    std::error_code ec;
    fs::remove_all(destination, ec);
  });
  const FileDescriptor root = open_root(destination);
  Budget budget{limits, archive};
  ExtractSummary summary;
  while (archive_entry* entry = reader.next()) {
    if (stop.stop_requested()) throw FetchCancelled(archive.string() + ": extraction cancelled");
    const std::string name = member_name(entry);
    budget.count_member(name);
    const auto parts = safe_components(archive, name);
    check_type(archive, name, entry);
    if (archive_entry_filetype(entry) == AE_IFDIR) {
      open_dir(root.get(), archive, name, parts, parts.size());
      ++summary.directories;
    } else {
      if (parts.empty()) refuse(archive, name, "a file without a name");
      const std::uint64_t declared = header_size(entry);
      budget.check(name, declared);
      const FileDescriptor dir = open_dir(root.get(), archive, name, parts, parts.size() - 1);
      const FileDescriptor fd =
          create_file(dir.get(), parts.back(), file_mode(entry), archive, name);
      const std::string shown = (destination / join(parts)).string();
      budget.bytes += copy_data(reader, fd.get(), name, shown, declared, budget, stop);
      ++summary.files;
    }
    if (progress) progress(budget.members, budget.bytes);
  }
  if (budget.members == 0) spdlog::warn("{}: the archive is empty", archive.string());
  summary.bytes = budget.bytes;
  cleanup.dismiss();
  spdlog::info("{}: extracted {} files, {} folders, {} bytes into {}", archive.string(),
               summary.files, summary.directories, summary.bytes, destination.string());
  return summary;
}

void extract_members(const fs::path& archive, const std::vector<std::string>& members,
                     const fs::path& destination, const ExtractLimits& limits) {
  // Wanted members by normalised path; each lands at destination/<file name>.
  struct Wanted {
    std::string file_name;
    std::string temporary;  // written here first, renamed when every member is in
    bool found = false;
  };
  std::map<std::string, Wanted> wanted;
  std::map<std::string, std::string> by_file_name;
  for (const auto& member : members) {
    const auto parts = safe_components(archive, member);
    if (parts.empty()) throw FetchError(archive.string() + ": '" + member + "' is not a file");
    const std::string key = join(parts);
    if (wanted.contains(key)) continue;
    if (auto [it, added] = by_file_name.emplace(parts.back(), key); !added)
      throw FetchError(fmt::format("{}: '{}' and '{}' would both become {}", archive.string(),
                                   it->second, key, (destination / parts.back()).string()));
    wanted[key] = {parts.back(), "." + parts.back() + ".extract-" + std::to_string(::getpid())};
  }

  Reader reader(archive);
  std::error_code ec;
  fs::create_directories(destination, ec);
  if (ec) throw FetchError(destination.string() + ": cannot create: " + ec.message());
  const FileDescriptor root = open_root(destination);
  CleanupOnFailure cleanup([&] {
    for (const auto& [key, w] : wanted) ::unlinkat(root.get(), w.temporary.c_str(), 0);
  });
  for (const auto& [key, w] : wanted) ::unlinkat(root.get(), w.temporary.c_str(), 0);  // stale

  Budget budget{limits, archive};
  std::size_t left = wanted.size();
  while (left > 0) {
    archive_entry* entry = reader.next();
    if (entry == nullptr) break;
    const std::string name = member_name(entry);
    budget.count_member(name);
    if (name.empty() || name.front() == '/') continue;  // cannot be one we asked for
    std::string key;
    try {
      key = join(safe_components(archive, name));
    } catch (const FetchError&) {
      continue;  // a ".." path is never one we asked for, and nothing of it is written
    }
    const auto it = wanted.find(key);
    if (it == wanted.end()) continue;
    Wanted& w = it->second;
    check_type(archive, name, entry);
    if (archive_entry_filetype(entry) == AE_IFDIR) refuse(archive, name, "is a folder");
    if (w.found) refuse(archive, name, "appears more than once");
    const std::uint64_t declared = header_size(entry);
    budget.check(name, declared);
    const FileDescriptor fd = create_file(root.get(), w.temporary, 0644, archive, name);
    const std::string shown = (destination / w.file_name).string();
    budget.bytes += copy_data(reader, fd.get(), name, shown, declared, budget, {});
    if (::fsync(fd.get()) != 0) throw FetchError(shown + ": fsync failed: " + std::strerror(errno));
    w.found = true;
    --left;
  }
  std::string missing;
  for (const auto& [key, w] : wanted)
    if (!w.found) missing += (missing.empty() ? "'" : ", '") + key + "'";
  if (!missing.empty())
    throw FetchError(fmt::format("{}: no member {} in the archive", archive.string(), missing));
  for (const auto& [key, w] : wanted)
    if (::renameat(root.get(), w.temporary.c_str(), root.get(), w.file_name.c_str()) != 0)
      throw FetchError(fmt::format("{}: cannot rename into place: {}",
                                   (destination / w.file_name).string(), std::strerror(errno)));
  cleanup.dismiss();
  ::fsync(root.get());  // best effort: make the renames durable
}

}  // namespace lookalike::fetch

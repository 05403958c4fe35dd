// extract_archive() / extract_members() on archives built here with libarchive's writer:
// hostile members (escaping paths, links, devices, lying and sparse sizes, too many members)
// are refused with nothing written outside the destination; good archives extract exactly.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include "fetch_errors.hpp"
#include "lookalike/fetch/archive.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::fetch {
using test::error_of;
using test::TempDir;

namespace {

struct Member {
  std::string name;
  std::string data;
  unsigned type = AE_IFREG;
  std::string symlink;                     // for AE_IFLNK
  std::string hardlink;                    // not empty: a hard link to this
  std::optional<std::int64_t> size;        // the header's size when it should lie
  std::optional<std::int64_t> sparse_end;  // a sparse file: `data` at 0, then a hole to here
};

enum class Format { tar, tar_gz, zip };

// Writes `members` with libarchive into `path`. Output past `cap` bytes is refused, which
// stops the writer from padding a lying 10 GB member with zeros: the archive then ends there.
void write_archive(const fs::path& path, const std::vector<Member>& members,
                   Format format = Format::tar, std::size_t cap = 8 << 20) {
  struct Sink {
    std::string bytes;
    std::size_t cap;
  } sink{{}, cap};
  archive* a = archive_write_new();
  if (format == Format::zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_pax(a);
    if (format == Format::tar_gz) archive_write_add_filter_gzip(a);
  }
  archive_write_set_bytes_in_last_block(a, 1);
  const auto write = [](archive*, void* user, const void* buffer, std::size_t n) -> la_ssize_t {
    auto& s = *static_cast<Sink*>(user);
    if (s.bytes.size() + n > s.cap) return -1;
    s.bytes.append(static_cast<const char*>(buffer), n);
    return static_cast<la_ssize_t>(n);
  };
  ASSERT_EQ(archive_write_open(a, &sink, nullptr, write, nullptr), ARCHIVE_OK);
  for (const auto& m : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    archive_entry_set_filetype(e, m.type);
    archive_entry_set_perm(e, m.type == AE_IFDIR ? 0755 : 0644);
    if (!m.symlink.empty()) archive_entry_set_symlink(e, m.symlink.c_str());
    if (!m.hardlink.empty()) archive_entry_set_hardlink(e, m.hardlink.c_str());
    std::int64_t size = m.type == AE_IFREG ? static_cast<std::int64_t>(m.data.size()) : 0;
    if (m.sparse_end) {
      archive_entry_sparse_add_entry(e, 0, static_cast<la_int64_t>(m.data.size()));
      size = *m.sparse_end;
    }
    archive_entry_set_size(e, m.size.value_or(size));
    if (archive_write_header(a, e) == ARCHIVE_OK && !m.data.empty())
      archive_write_data(a, m.data.data(), m.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  std::ofstream(path, std::ios::binary) << sink.bytes;
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

// "f<i>", built by appending: GCC 12 at -O3 warns falsely on "f" + std::to_string(i).
std::string member_name(int i) {
  std::string name = "f";
  name += std::to_string(i);
  return name;
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::set<std::string> listing(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    names.insert(fs::relative(entry.path(), dir).string());
  return names;
}

// A temporary folder holding the archive; the destination is <tmp>/out.
class ArchiveTest : public ::testing::Test {
 protected:
  fs::path archive() const { return tmp_ / "test.tar"; }
  fs::path dest() const { return tmp_ / "out"; }

  // Extracting `members` is refused with a message naming the archive and `member`, nothing
  // lands outside the destination and the destination is gone.
  void expect_refused(const std::vector<Member>& members, const std::string& member,
                      const ExtractLimits& limits = {}) {
    write_archive(archive(), members);
    const auto before = listing(tmp_.path());
    const std::string message = error_of([&] { extract_archive(archive(), dest(), limits); });
    EXPECT_NE(message.find(archive().string()), std::string::npos) << message;
    EXPECT_NE(message.find(member), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(dest()));
    EXPECT_EQ(listing(tmp_.path()), before);
  }

  TempDir tmp_;
};

}  // namespace

TEST_F(ArchiveTest, RefusesParentEscape) {
  expect_refused({{.name = "ok.txt", .data = "fine"}, {.name = "../evil", .data = "pwned"}},
                 "../evil");
  EXPECT_FALSE(fs::exists(tmp_ / "evil"));
  expect_refused({{.name = "a/../../evil", .data = "pwned"}}, "a/../../evil");
}

TEST_F(ArchiveTest, RefusesAbsolutePaths) {
  const std::string target = (tmp_ / "abs-evil").string();
  expect_refused({{.name = target, .data = "pwned"}}, target);
  EXPECT_FALSE(fs::exists(target));
}

TEST_F(ArchiveTest, RefusesSymlinksAndWritesThroughThem) {
  expect_refused(
      {{.name = "link", .type = AE_IFLNK, .symlink = ".."}, {.name = "link/evil", .data = "pwned"}},
      "link");
  EXPECT_FALSE(fs::exists(tmp_ / "evil"));
}

TEST_F(ArchiveTest, RefusesHardlinks) {
  expect_refused({{.name = "passwd", .hardlink = "/etc/passwd"}}, "passwd");
}

TEST_F(ArchiveTest, RefusesFifosAndDevices) {
  expect_refused({{.name = "fifo", .type = AE_IFIFO}}, "fifo");
  expect_refused({{.name = "null", .type = AE_IFCHR}}, "null");
}

TEST_F(ArchiveTest, RefusesAHeaderThatPromises10GB) {
  // The archive holds 100 bytes of a member whose header says 10 GB.
  expect_refused({{.name = "huge.bin", .data = std::string(100, 'z'), .size = 10ll << 30}},
                 "huge.bin");
}

TEST_F(ArchiveTest, RefusesASparse10GBMemberWithoutWritingIt) {
  const Member sparse{
      .name = "sparse.bin", .data = std::string(4096, 's'), .sparse_end = 10ll << 30};
  expect_refused({sparse}, "sparse.bin");
  // Also when the per-file limit allows it: the total limit still counts the hole.
  ExtractLimits limits;
  limits.max_member_bytes = 20ll << 30;
  limits.max_total_bytes = 1 << 30;
  expect_refused({sparse}, "sparse.bin", limits);
}

TEST_F(ArchiveTest, RefusesTooManyMembersAndTooManyBytes) {
  std::vector<Member> many;
  for (int i = 0; i < 10; ++i) many.push_back({.name = member_name(i), .data = "x"});
  ExtractLimits limits;
  limits.max_members = 5;
  expect_refused(many, "f5", limits);

  limits = {};
  limits.max_total_bytes = 1000;
  expect_refused(
      {{.name = "a", .data = std::string(600, 'a')}, {.name = "b", .data = std::string(600, 'b')}},
      "'b'", limits);
  limits = {};
  limits.max_member_bytes = 500;
  expect_refused({{.name = "a", .data = std::string(600, 'a')}}, "'a'", limits);
}

TEST_F(ArchiveTest, RefusesDuplicateMembers) {
  expect_refused({{.name = "same", .data = "1"}, {.name = "same", .data = "2"}}, "same");
}

TEST_F(ArchiveTest, ExtractsANestedTarGz) {
  const std::string big = random_bytes(300'000, 1);
  const fs::path tgz = tmp_ / "good.tar.gz";
  write_archive(tgz,
                {{.name = "top/", .type = AE_IFDIR},
                 {.name = "top/sub/", .type = AE_IFDIR},
                 {.name = "top/sub/deep.txt", .data = "deep\n"},
                 {.name = "top/big.bin", .data = big},
                 {.name = "./top/dot.txt", .data = "dot"},
                 {.name = "implicit/folder/file.txt", .data = "made its own folders"},
                 {.name = "empty.txt", .data = ""}},
                Format::tar_gz);
  std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
  const auto summary = extract_archive(tgz, dest(), {}, {}, [&](auto members, auto bytes) {
    progress.emplace_back(members, bytes);
  });
  EXPECT_EQ(summary.files, 5u);
  EXPECT_EQ(summary.directories, 2u);
  EXPECT_EQ(summary.bytes, 5 + big.size() + 3 + 20);
  EXPECT_EQ(read_all(dest() / "top/sub/deep.txt"), "deep\n");
  EXPECT_EQ(read_all(dest() / "top/big.bin"), big);
  EXPECT_EQ(read_all(dest() / "top/dot.txt"), "dot");
  EXPECT_EQ(read_all(dest() / "implicit/folder/file.txt"), "made its own folders");
  EXPECT_TRUE(fs::is_regular_file(dest() / "empty.txt"));
  EXPECT_EQ(listing(dest()).size(), 9u);
  ASSERT_EQ(progress.size(), 7u);
  EXPECT_EQ(progress.back().first, 7u);
  EXPECT_EQ(progress.back().second, summary.bytes);
}

TEST_F(ArchiveTest, ExtractsASparseFileWithinTheLimits) {
  write_archive(archive(),
                {{.name = "sparse.bin", .data = std::string(4096, 's'), .sparse_end = 1 << 20}});
  const auto summary = extract_archive(archive(), dest());
  EXPECT_EQ(summary.bytes, 1u << 20);
  const std::string content = read_all(dest() / "sparse.bin");
  ASSERT_EQ(content.size(), 1u << 20);
  EXPECT_EQ(content.substr(0, 4096), std::string(4096, 's'));
  EXPECT_EQ(content.find_first_not_of('\0', 4096), std::string::npos);
}

TEST_F(ArchiveTest, RefusesAnMtreeFileList) {
  // mtree "archives" make libarchive read the listed files from this machine's disk.
  std::ofstream(archive()) << "#mtree\n./passwd type=file contents=/etc/passwd\n";
  const std::string message = error_of([&] { extract_archive(archive(), dest()); });
  EXPECT_NE(message.find(archive().string()), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dest()));
}

TEST_F(ArchiveTest, ExtractsAZip) {
  const fs::path zip = tmp_ / "good.zip";
  write_archive(zip, {{.name = "dir/a.txt", .data = "alpha"}, {.name = "b.txt", .data = "beta"}},
                Format::zip);
  extract_archive(zip, dest());
  EXPECT_EQ(read_all(dest() / "dir/a.txt"), "alpha");
  EXPECT_EQ(read_all(dest() / "b.txt"), "beta");
}

TEST_F(ArchiveTest, RefusesANonEmptyDestinationAndLeavesIt) {
  write_archive(archive(), {{.name = "a", .data = "a"}});
  fs::create_directories(dest());
  std::ofstream(dest() / "mine.txt") << "mine";
  const std::string message = error_of([&] { extract_archive(archive(), dest()); });
  EXPECT_NE(message.find("not empty"), std::string::npos) << message;
  EXPECT_EQ(read_all(dest() / "mine.txt"), "mine");
}

TEST_F(ArchiveTest, ExtractMembersPicksNamedFiles) {
  const fs::path tgz = tmp_ / "models.tar.gz";
  const std::string weights = random_bytes(100'000, 2);
  write_archive(tgz,
                {{.name = "pkg/README", .data = "read me"},
                 {.name = "pkg/link", .type = AE_IFLNK, .symlink = "/etc/passwd"},
                 {.name = "pkg/models/weights.dat", .data = weights},
                 {.name = "pkg/models/config.txt", .data = "config"}},
                Format::tar_gz);
  fs::create_directories(dest());
  std::ofstream(dest() / "keep.txt") << "keep";
  std::ofstream(dest() / "weights.dat") << "old version";
  extract_members(tgz, {"pkg/models/weights.dat", "./pkg/models/config.txt"}, dest());
  EXPECT_EQ(read_all(dest() / "weights.dat"), weights);
  EXPECT_EQ(read_all(dest() / "config.txt"), "config");
  EXPECT_EQ(read_all(dest() / "keep.txt"), "keep");
  EXPECT_EQ(listing(dest()), (std::set<std::string>{"keep.txt", "weights.dat", "config.txt"}));

  const std::string message = error_of([&] {
    extract_members(tgz, {"pkg/README", "pkg/nothing"}, dest());
  });
  EXPECT_NE(message.find("pkg/nothing"), std::string::npos) << message;
  EXPECT_EQ(listing(dest()), (std::set<std::string>{"keep.txt", "weights.dat", "config.txt"}))
      << "a failed extraction leaves no file behind";

  const std::string link = error_of([&] { extract_members(tgz, {"pkg/link"}, dest()); });
  EXPECT_NE(link.find("symbolic link"), std::string::npos) << link;
}

TEST_F(ArchiveTest, CorruptAndTruncatedArchivesNameTheArchive) {
  const fs::path garbage = tmp_ / "garbage.tar";
  std::ofstream(garbage, std::ios::binary) << random_bytes(10'000, 3);
  std::string message = error_of([&] { extract_archive(garbage, dest()); });
  EXPECT_NE(message.find(garbage.string()), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dest()));

  const fs::path tgz = tmp_ / "cut.tar.gz";
  write_archive(tgz, {{.name = "a.bin", .data = random_bytes(200'000, 4)}}, Format::tar_gz);
  fs::resize_file(tgz, fs::file_size(tgz) / 2);
  message = error_of([&] { extract_archive(tgz, dest()); });
  EXPECT_NE(message.find(tgz.string()), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dest()));

  const fs::path tar = tmp_ / "cut.tar";
  write_archive(tar, {{.name = "a.bin", .data = random_bytes(200'000, 5)}});
  fs::resize_file(tar, 100'000);
  message = error_of([&] { extract_archive(tar, dest()); });
  EXPECT_NE(message.find(tar.string()), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dest()));

  message = error_of([&] { extract_archive(tmp_ / "missing.tar", dest()); });
  EXPECT_NE(message.find("missing.tar"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(dest()));
}

TEST_F(ArchiveTest, StopTokenCancelsAndRemovesTheDestination) {
  std::vector<Member> members;
  for (int i = 0; i < 5; ++i) members.push_back({.name = member_name(i), .data = "x"});
  write_archive(archive(), members);
  std::stop_source source;
  EXPECT_THROW(extract_archive(archive(), dest(), {}, source.get_token(),
                               [&](std::uint64_t done, std::uint64_t) {
                                 if (done == 2) source.request_stop();
                               }),
               FetchCancelled);
  EXPECT_FALSE(fs::exists(dest()));
}

}  // namespace lookalike::fetch

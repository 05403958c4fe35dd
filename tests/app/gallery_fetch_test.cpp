// `lookalike-cli gallery fetch` as a user runs it, against a real HTTP server on 127.0.0.1
// serving an archive in LFW's layout made from ../shared/data/faces/lfw10: installed gallery,
// display names, default gallery used by `match`; wrong checksum; resume after a server died
// mid-file; unreachable URL; `gallery sources`.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "http_test_server.hpp"
#include "lookalike/file_util.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lookalike::test {
namespace {

std::string cli() {
  return (build_dir() / "app" / "lookalike-cli").string();
}

// A user's home: XDG data and cache folders of their own.
struct Home {
  TempDir dir;
  fs::path data() const { return dir.path() / "data"; }
  fs::path cache() const { return dir.path() / "cache"; }
  fs::path galleries() const { return data() / "lookalike" / "galleries"; }
  std::string env() const {
    return "XDG_DATA_HOME=" + data().string() + " XDG_CACHE_HOME=" + cache().string() + " ";
  }
  CommandResult run(const std::string& args) const {
    return run_command(env() + cli() + " " + args);
  }
};

class GalleryFetchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!shared_dir()) return;
    work_ = new TempDir();
    const fs::path tgz = write_lfw_archive(work_->path());
    archive_ = new std::string(read_file_text(tgz));
    sha256_ = new std::string(sha256_file_hex(tgz));
  }
  static void TearDownTestSuite() {
    delete archive_;
    delete sha256_;
    delete work_;
  }
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    server_.route("/lfw.tgz", {.body = *archive_});
  }
  std::string fetch_args(const std::string& sha) const {
    return "gallery fetch lfw --url " + server_.url("/lfw.tgz") + " --sha256 " + sha;
  }

  static inline TempDir* work_ = nullptr;
  static inline std::string* archive_ = nullptr;
  static inline std::string* sha256_ = nullptr;
  HttpTestServer server_;
};

TEST_F(GalleryFetchTest, InstallsTheGalleryAndMatchUsesItByDefault) {
  Home home;
  const auto fetched = home.run(fetch_args(*sha256_));
  ASSERT_EQ(fetched.exit_code, 0) << fetched.err;
  EXPECT_NE(fetched.err.find("licence"), std::string::npos) << "licence shown before download";
  const fs::path gallery = home.galleries() / "lfw.lkg";
  ASSERT_TRUE(fs::is_regular_file(gallery)) << fetched.out << fetched.err;
  EXPECT_NE(fetched.out.find("now the default gallery"), std::string::npos) << fetched.out;

  const auto info = home.run("gallery info --json " + gallery.string());
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const json j = json::parse(info.out);
  EXPECT_EQ(j["identities"], 10);
  std::set<std::string> names;
  for (const auto& id : j["identity_list"]) names.insert(id["name"].get<std::string>());
  EXPECT_TRUE(names.count("George W Bush")) << info.out;  // folder name, underscores as spaces
  EXPECT_TRUE(names.count("Colin Powell")) << info.out;

  // The default gallery record names the installed file; match needs no --gallery.
  EXPECT_EQ(read_file_text(home.galleries() / "default"), fs::absolute(gallery).string() + "\n");
  const fs::path probe = shared_data("faces/lfw10/Colin_Powell/Colin_Powell_0001.jpg");
  const auto matched = home.run("match --json --top 1 " + probe.string());
  ASSERT_EQ(matched.exit_code, 0) << matched.err;
  const json m = json::parse(matched.out);
  ASSERT_FALSE(m["faces"].empty()) << matched.out;
  EXPECT_EQ(m["faces"][0]["matches"][0]["name"], "Colin Powell") << matched.out;

  // The download and the unpacked photos are gone; nothing is left half-done.
  EXPECT_FALSE(fs::exists(home.cache() / "lookalike/downloads/lfw/unpacked"));
  EXPECT_FALSE(fs::exists(home.cache() / "lookalike/downloads/lfw/lfw.tgz"));
}

TEST_F(GalleryFetchTest, WrongChecksumNamesBothValuesAndInstallsNothing) {
  Home home;
  const std::string wrong(64, 'a');
  const auto r = home.run(fetch_args(wrong));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(wrong), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(*sha256_), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(home.galleries() / "lfw.lkg"));
  EXPECT_FALSE(fs::exists(home.galleries() / "default"));
  EXPECT_FALSE(fs::exists(home.cache() / "lookalike/downloads/lfw/unpacked"));
}

TEST_F(GalleryFetchTest, ResumesWithARangeRequestAfterTheServerDiedMidFile) {
  Home home;
  const std::size_t cut = archive_->size() / 2;
  server_.route("/lfw.tgz", {.body = *archive_, .cut_at = cut});
  const auto first = home.run(fetch_args(*sha256_));
  EXPECT_NE(first.exit_code, 0);
  const fs::path part = home.cache() / "lookalike/downloads/lfw/lfw.tgz.part";
  ASSERT_TRUE(fs::exists(part)) << first.err;
  EXPECT_GT(fs::file_size(part), 0u);
  EXPECT_LE(fs::file_size(part), cut);
  EXPECT_FALSE(fs::exists(home.galleries() / "lfw.lkg"));

  server_.route("/lfw.tgz", {.body = *archive_});
  const std::uintmax_t had = fs::file_size(part);
  const auto second = home.run(fetch_args(*sha256_));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(fs::is_regular_file(home.galleries() / "lfw.lkg"));
  const auto seen = server_.requests();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().range, "bytes=" + std::to_string(had) + "-");
}

TEST_F(GalleryFetchTest, UnreachableServerFailsWithAClearMessage) {
  Home home;
  const int closed_port = unused_port();
  const auto r =
      home.run("gallery fetch lfw --url http://127.0.0.1:" + std::to_string(closed_port) +
               "/lfw.tgz --sha256 " + *sha256_);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("127.0.0.1:" + std::to_string(closed_port)), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(home.galleries() / "lfw.lkg"));
}

TEST_F(GalleryFetchTest, SourcesListNamesSizesAndLicences) {
  Home home;
  const auto r = home.run("gallery sources --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  std::map<std::string, json> by_name;
  for (const auto& s : j) by_name[s["name"]] = s;
  ASSERT_TRUE(by_name.count("lfw")) << r.out;
  EXPECT_EQ(by_name["lfw"]["size"], 180566744);
  EXPECT_NE(by_name["lfw"]["licence"].get<std::string>().find("research"), std::string::npos);
  EXPECT_TRUE(by_name.count("imdb-wiki")) << r.out;
  const auto unknown = home.run("gallery fetch no-such-source");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("lfw"), std::string::npos) << "lists the known names: " << unknown.err;
}

TEST_F(GalleryFetchTest, MatchWithoutAnyGallerySaysHowToGetOne) {
  Home home;
  const auto r =
      home.run("match " + shared_data("faces/lfw10/Colin_Powell/Colin_Powell_0001.jpg").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("gallery fetch lfw"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lookalike::test

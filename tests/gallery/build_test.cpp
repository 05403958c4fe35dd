// The builder with the real engine on the shared photos: leave-one-out identification,
// resume after interruption, aliases, IMDB-WIKI boxes and metadata, the CLI end to end, and
// format version 2's extras (pose thumbnails, resemblance quantiles; `gallery add` ends where
// building everything at once ends).
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "imdb_writer.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/file_util.hpp"
#include "lookalike/gallery/builder.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/imdb_import.hpp"
#include "lookalike/gallery/resemblance.hpp"
#include "synthetic.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;
using test::shared_data;

namespace {

BuildOptions two_workers() {
  BuildOptions o;
  o.threads = 2;
  return o;
}

std::string describe(const std::vector<SkippedPhoto>& skipped) {
  std::string s;
  for (const auto& p : skipped) s += "\n  " + p.source + ": " + p.reason;
  return s;
}

// Every photo, removed from the gallery, is identified (rank 1) as its own identity.
void expect_leave_one_out_perfect(const GalleryData& data) {
  int wrong = 0;
  for (std::size_t i = 0; i < data.photos.size(); ++i) {
    GalleryData rest = data;
    rest.photos.erase(rest.photos.begin() + static_cast<std::ptrdiff_t>(i));
    auto g = Gallery::from_data(rest);
    SearchOptions options;
    options.top_k = 1;
    auto hits = g->match(data.photos[i].embedding, options);
    ASSERT_EQ(hits.size(), 1u);
    const auto& expected = data.identities[data.photos[i].identity].name;
    if (hits[0].name != expected) {
      ++wrong;
      ADD_FAILURE() << data.photos[i].source << " identified as " << hits[0].name << " ("
                    << hits[0].distance << "), expected " << expected;
    }
  }
  EXPECT_EQ(wrong, 0) << "rank-1 = "
                      << 100.0 * static_cast<double>(data.photos.size() - wrong) /
                             static_cast<double>(data.photos.size())
                      << " %";
}

// A tiny IMDB-WIKI crop folder from lfw10 photos: imdb.mat (the dataset's layout) with six
// rows: Powell x2, Chavez alone, Chavez beside Powell (the box names Chavez), an unreadable
// file and a low face_score row.
void write_small_imdb(const fs::path& root) {
  const auto lfw = shared_data("faces/lfw10");
  fs::create_directories(root / "01");
  auto copy_as_jpeg = [&](const fs::path& from, const std::string& to) {
    cv::imwrite((root / to).string(), load_image(from));
  };
  copy_as_jpeg(lfw / "Colin_Powell/Colin_Powell_0001.jpg", "01/powell1.jpg");
  copy_as_jpeg(lfw / "Colin_Powell/Colin_Powell_0002.jpg", "01/powell2.jpg");
  copy_as_jpeg(lfw / "Hugo_Chavez/Hugo_Chavez_0001.jpg", "01/chavez1.jpg");
  // Two people side by side; the dataset box names the right-hand one (Chavez).
  cv::Mat pair;
  cv::hconcat(load_image(lfw / "Colin_Powell/Colin_Powell_0003.jpg"),
              load_image(lfw / "Hugo_Chavez/Hugo_Chavez_0002.jpg"), pair);
  cv::imwrite((root / "01/pair.jpg").string(), pair);
  std::ofstream(root / "01/broken.jpg") << "\xff\xd8\xff garbage";

  using test::ImdbRow;
  const double dob_powell = test::datenum_of_year(1937) + 95;
  const double dob_chavez = test::datenum_of_year(1954) + 208;
  const std::array<double, 4> centre{71, 71, 180, 180};  // 1-based, LFW's centred face
  const std::array<double, 4> right{250 + 71, 71, 250 + 180, 180};
  test::write_imdb_mat(
      root / "imdb.mat",
      {{dob_powell, 2001, "01/powell1.jpg", 1, "Colin Powell", centre, 4.2, NAN, 1},
       {dob_powell, 2003, "01/powell2.jpg", 1, "Colin Powell", centre, 3.9, NAN, 1},
       {dob_chavez, 2002, "01/chavez1.jpg", 1, "Hugo Chavez", centre, 4.8, NAN, 2},
       {dob_chavez, 2004, "01/pair.jpg", 1, "Hugo Chavez", right, 4.1, NAN, 2},
       {dob_chavez, 2004, "01/broken.jpg", 1, "Hugo Chavez", centre, 4.1, NAN, 2},
       {dob_chavez, 2004, "01/low.jpg", 1, "Hugo Chavez", centre, 1.0, NAN, 2}},
      {"Colin Powell", "Hugo Chavez"});
}

std::vector<PhotoSource> lfw10_people(std::initializer_list<const char*> names) {
  std::vector<PhotoSource> sources;
  for (const char* name : names) {
    auto found = scan_identity_folders(shared_data(std::string("faces/lfw10/") + name));
    sources.insert(sources.end(), found.begin(), found.end());
  }
  return sources;
}

}  // namespace

TEST(GalleryBuild, LeaveOneOutRank1IsPerfectOnBbt) {
  LOOKALIKE_REQUIRE_SHARED();
  auto sources = scan_identity_folders(shared_data("faces/bbt"));  // `_group` is ignored
  ASSERT_EQ(sources.size(), 40u);
  auto result = build_gallery(sources, two_workers());
  ASSERT_TRUE(result.completed);
  EXPECT_EQ(result.data.identities.size(), 8u);
  EXPECT_EQ(result.data.photos.size(), 40u) << describe(result.data.skipped);
  for (const auto& id : result.data.identities)
    EXPECT_FALSE(id.thumbnail_jpeg.empty()) << id.name << " has no thumbnail";
  auto thumb = cv::imdecode(result.data.identities[0].thumbnail_jpeg, cv::IMREAD_COLOR);
  EXPECT_EQ(thumb.size(), cv::Size(112, 112));
  expect_leave_one_out_perfect(result.data);
}

TEST(GalleryBuild, LeaveOneOutRank1IsPerfectOnLfw10) {
  LOOKALIKE_REQUIRE_SHARED();
  auto sources = scan_identity_folders(shared_data("faces/lfw10"));
  ASSERT_EQ(sources.size(), 100u);
  auto result = build_gallery(sources, two_workers());
  ASSERT_TRUE(result.completed);
  EXPECT_EQ(result.data.identities.size(), 10u);
  EXPECT_EQ(result.data.identities[4].name, "George W Bush");
  EXPECT_GE(result.data.photos.size(), 98u) << describe(result.data.skipped);
  expect_leave_one_out_perfect(result.data);
}

TEST(GalleryBuild, InterruptedBuildResumesToTheSameGallery) {
  LOOKALIKE_REQUIRE_SHARED();
  const auto sources = lfw10_people({"Ariel_Sharon", "Hugo_Chavez", "Tony_Blair"});
  test::TempDir dir;
  // Uninterrupted reference.
  auto reference = build_gallery_file(dir / "ref.lkg", sources, two_workers());
  ASSERT_TRUE(reference.completed);
  EXPECT_FALSE(fs::exists(checkpoint_path_for(dir / "ref.lkg")));

  // A previous gallery at the target path must survive the interruption untouched.
  write_gallery(dir / "g.lkg", test::synthetic_gallery(3, 2));
  const auto previous = read_file_bytes(dir / "g.lkg");
  std::stop_source stop;
  auto first = build_gallery_file(dir / "g.lkg", sources, two_workers(), stop.get_token(),
                                  [&](const BuildProgress& p) {
                                    if (p.done - p.resumed >= 8) stop.request_stop();
                                  });
  EXPECT_FALSE(first.completed);
  EXPECT_GE(first.processed, 8u);
  EXPECT_LT(first.processed, sources.size());
  EXPECT_EQ(read_file_bytes(dir / "g.lkg"), previous);
  EXPECT_TRUE(fs::exists(checkpoint_path_for(dir / "g.lkg")));

  auto second = build_gallery_file(dir / "g.lkg", sources, two_workers());
  ASSERT_TRUE(second.completed);
  EXPECT_EQ(second.resumed, first.processed);
  EXPECT_EQ(second.resumed + second.processed, sources.size());
  EXPECT_FALSE(fs::exists(checkpoint_path_for(dir / "g.lkg")));
  EXPECT_EQ(read_file_bytes(dir / "g.lkg"), read_file_bytes(dir / "ref.lkg"))
      << "resumed gallery differs from the uninterrupted one";
}

TEST(GalleryBuild, AliasFileMergesFoldersOfOnePerson) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const auto blair = shared_data("faces/lfw10/Tony_Blair");
  fs::create_directories(dir / "root/Tony_Blair");
  fs::create_directories(dir / "root/pins_blair");
  for (int i = 1; i <= 6; ++i) {
    const auto name = fmt::format("Tony_Blair_{:04}.jpg", i);
    fs::create_symlink(blair / name,
                       dir / (i <= 3 ? "root/Tony_Blair/" : "root/pins_blair/") / name);
  }
  std::ofstream(dir / "aliases.txt") << "Tony Blair: blair\n";
  auto sources = scan_identity_folders(dir / "root", AliasMap::load(dir / "aliases.txt"));
  auto result = build_gallery(sources, two_workers());
  ASSERT_TRUE(result.completed);
  ASSERT_EQ(result.data.identities.size(), 1u);
  EXPECT_EQ(result.data.identities[0].name, "Tony Blair");
  EXPECT_EQ(result.data.identities[0].aliases, std::vector<std::string>{"blair"});
  EXPECT_EQ(result.data.photos.size(), 6u) << describe(result.data.skipped);
}

TEST(GalleryBuild, ImdbBoxesPickTheRightFaceAndMetadataIsKept) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  write_small_imdb(dir / "imdb");
  ImdbReport report;
  auto sources = import_imdb(find_imdb_mat(dir / "imdb"), {}, {}, &report);
  EXPECT_EQ(report.low_score, 1u);
  ASSERT_EQ(sources.size(), 5u);
  auto result = build_gallery(sources, two_workers());
  ASSERT_TRUE(result.completed);
  const auto& d = result.data;
  ASSERT_EQ(d.identities.size(), 2u);
  EXPECT_EQ(d.photos.size(), 4u) << describe(d.skipped);
  ASSERT_EQ(d.skipped.size(), 1u);
  EXPECT_NE(d.skipped[0].reason.find("unreadable"), std::string::npos) << d.skipped[0].reason;
  const int chavez = d.find_identity("Hugo Chavez");
  ASSERT_GE(chavez, 0);
  EXPECT_EQ(d.identities[chavez].gender, Gender::male);
  EXPECT_EQ(d.identities[chavez].birth_year, 1954);
  EXPECT_EQ(d.identities[d.find_identity("Colin Powell")].birth_year, 1937);
  // The pair photo's embedding is Chavez's face, not Powell's.
  const PhotoEntry* pair_photo = nullptr;
  for (const auto& p : d.photos)
    if (p.source.ends_with("pair.jpg")) pair_photo = &p;
  ASSERT_NE(pair_photo, nullptr);
  EXPECT_EQ(pair_photo->photo_year, 2004);
  EXPECT_EQ(pair_photo->identity, static_cast<std::uint32_t>(chavez));
  auto g = Gallery::from_data(d);
  SearchOptions options;
  options.top_k = 1;
  GalleryData without_pair = d;
  std::erase_if(without_pair.photos,
                [](const PhotoEntry& p) { return p.source.ends_with("pair.jpg"); });
  auto hits = Gallery::from_data(without_pair)->match(pair_photo->embedding, options);
  EXPECT_EQ(hits[0].name, "Hugo Chavez");
}

TEST(GalleryCli, BuildInfoMatchRemove) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const std::string cli = (test::build_dir() / "app/lookalike-cli").string();
  const auto gallery = (dir / "bbt.lkg").string();
  auto built = test::run_command(cli + " gallery build " + shared_data("faces/bbt").string() +
                                 " -o " + gallery + " --threads 2 -q");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_NE(built.out.find("8 identities, 40 photos"), std::string::npos) << built.out;

  auto info = test::run_command(cli + " gallery info --json " + gallery);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto info_json = nlohmann::json::parse(info.out);
  EXPECT_EQ(info_json["identities"], 8);
  EXPECT_EQ(info_json["photos"], 40);
  EXPECT_EQ(info_json["model"]["detector"], "hog");
  EXPECT_TRUE(info_json["skipped"].is_array());

  const auto group = shared_data("faces/bbt/_group/bbt1.jpg").string();
  auto match = test::run_command(cli + " match --gallery " + gallery + " --top 2 --json " + group +
                                 " " + (dir / "missing.jpg").string());
  EXPECT_EQ(match.exit_code, 1) << "a failed input must give exit code 1";
  std::istringstream lines(match.out);
  std::string line;
  std::vector<nlohmann::json> objects;
  while (std::getline(lines, line)) objects.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(objects.size(), 2u) << match.out;
  EXPECT_EQ(objects[0]["image"], group);
  ASSERT_GE(objects[0]["faces"].size(), 2u);
  for (const auto& face : objects[0]["faces"]) {
    ASSERT_EQ(face["box"].size(), 4u);
    ASSERT_EQ(face["matches"].size(), 2u);
    const auto& m = face["matches"][0];
    EXPECT_TRUE(m["name"].is_string());
    EXPECT_TRUE(m["similarity"].is_number());
    EXPECT_TRUE(m["distance"].is_number());
    EXPECT_TRUE(m["same_person"].is_boolean());
    EXPECT_NE(m["photo"].get<std::string>().find("bbt"), std::string::npos);
    EXPECT_LE(m["distance"].get<double>(), face["matches"][1]["distance"].get<double>());
  }
  EXPECT_TRUE(objects[1].contains("error"));
  EXPECT_NE(objects[1]["error"].get<std::string>().find("missing.jpg"), std::string::npos);

  auto removed = test::run_command(cli + " gallery remove " + gallery + " penny");
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_EQ(Gallery::load(gallery)->identity_count(), 7u);
  auto again = test::run_command(cli + " gallery remove " + gallery + " penny");
  EXPECT_EQ(again.exit_code, 1);

  // `gallery add` brings her back from a folder of identity folders.
  fs::create_directories(dir / "more");
  fs::copy(shared_data("faces/bbt/penny"), dir / "more/penny");
  auto added = test::run_command(cli + " gallery add " + gallery + " " + (dir / "more").string() +
                                 " --threads 2 -q");
  ASSERT_EQ(added.exit_code, 0) << added.err;
  {
    auto g = Gallery::load(gallery);
    EXPECT_EQ(g->identity_count(), 8u);
    EXPECT_EQ(g->photo_count(), 40u);
  }

  // A damaged gallery is refused by `match` with the gallery's own message.
  fs::resize_file(gallery, fs::file_size(gallery) / 2);
  auto refused = test::run_command(cli + " match --gallery " + gallery + " " + group);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("truncated"), std::string::npos) << refused.err;
}

// Ctrl-C / SIGTERM during `gallery build`: exit 130, the output untouched, the message says how
// to resume, and the rerun resumes from the checkpoint.
TEST(GalleryCli, SignalStopsTheBuildAndTheRerunResumes) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const std::string cli = (test::build_dir() / "app/lookalike-cli").string();
  const auto gallery = (dir / "lfw10.lkg").string();
  const std::string build =
      cli + " gallery build " + shared_data("faces/lfw10").string() + " -o " + gallery;
  const std::string checkpoint = gallery + ".checkpoint";
  // SIGTERM once the checkpoint holds a photo (its header is 76 bytes).
  auto stopped =
      test::run_and_signal_when(build + " --threads 1", "[ $(stat -c %s " + checkpoint +
                                                            " 2>/dev/null || echo 0) -ge 1000 ]");
  ASSERT_EQ(stopped.exit_code, 130) << stopped.err;
  EXPECT_NE(stopped.err.find(gallery + " is unchanged"), std::string::npos) << stopped.err;
  EXPECT_FALSE(fs::exists(gallery));
  ASSERT_TRUE(fs::exists(checkpoint));

  auto resumed = test::run_command(build + " --threads 2 -q");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("10 identities"), std::string::npos) << resumed.out;
  EXPECT_EQ(resumed.out.find(" 0 resumed from the checkpoint"), std::string::npos) << resumed.out;
  EXPECT_FALSE(fs::exists(checkpoint));
}

// Three of lfw10's identities as a folder of their own (symlinks to the shared photos).
fs::path three_identities(const fs::path& dir) {
  const fs::path three = dir / "three";
  fs::create_directories(three);
  int n = 0;
  for (const auto& person : fs::directory_iterator(shared_data("faces/lfw10")))
    if (person.is_directory() && n++ < 3)
      fs::create_directory_symlink(person.path(), three / person.path().filename());
  return three;
}

int identities_in(const std::string& cli, const std::string& gallery) {
  const auto info = test::run_command(cli + " gallery info --json " + gallery);
  if (info.exit_code != 0) return -1;
  return nlohmann::json::parse(info.out)["identities"].get<int>();
}

// kill -9 in the middle of a rebuild: no handler runs, yet the gallery the user had is intact
// (the new one is only ever renamed over it when complete) and the rerun resumes from the
// checkpoint the killed build had written.
TEST(GalleryCli, KillDashNineKeepsThePreviousGalleryAndTheRerunResumes) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const std::string cli = (test::build_dir() / "app/lookalike-cli").string();
  const std::string gallery = (dir / "g.lkg").string();
  ASSERT_EQ(test::run_command(cli + " gallery build " + three_identities(dir.path()).string() +
                              " -o " + gallery + " -q")
                .exit_code,
            0);
  ASSERT_EQ(identities_in(cli, gallery), 3);
  const auto before = read_file_bytes(gallery);

  const std::string rebuild =
      cli + " gallery build " + shared_data("faces/lfw10").string() + " -o " + gallery;
  const std::string checkpoint = gallery + ".checkpoint";
  auto killed = test::run_and_signal_when(
      rebuild + " --threads 1",
      "[ $(stat -c %s " + checkpoint + " 2>/dev/null || echo 0) -ge 20000 ]", "KILL");
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;
  EXPECT_EQ(read_file_bytes(gallery), before) << "the previous gallery is byte for byte intact";
  EXPECT_EQ(identities_in(cli, gallery), 3);
  ASSERT_TRUE(fs::exists(checkpoint));

  auto resumed = test::run_command(rebuild + " --threads 2 -q");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("10 identities"), std::string::npos) << resumed.out;
  EXPECT_NE(resumed.out.find(" resumed from the checkpoint"), std::string::npos) << resumed.out;
  EXPECT_EQ(resumed.out.find(" 0 resumed from the checkpoint"), std::string::npos) << resumed.out;
  EXPECT_EQ(identities_in(cli, gallery), 10);
}

// A disk that fills up (a real tmpfs of a few kilobytes more than the old gallery) while the
// checkpoint grows, while the gallery itself is written, and while a PNG is written (the one
// writer of result cards, face maps and morph strips): each time the previous file is intact,
// no temporary file is left, and the message says the disk is full and names the file.
TEST(GalleryCli, AFullDiskLeavesThePreviousFilesAndSaysTheDiskIsFull) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const std::string cli = (test::build_dir() / "app/lookalike-cli").string();
  const fs::path old_gallery = dir / "old.lkg";
  ASSERT_EQ(test::run_command(cli + " gallery build " + three_identities(dir.path()).string() +
                              " -o " + old_gallery.string() + " -q")
                .exit_code,
            0);
  cv::imwrite((dir / "old-card.png").string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)));
  const fs::path small = dir / "small";
  const std::string d = dir.path().string(), s = small.string();
  const std::string lfw = shared_data("faces/lfw10").string();
  const std::string build = cli + " gallery build " + lfw + " -o " + s + "/g.lkg -q --threads 2";
  const std::string script = fmt::format(
      "cp {d}/old.lkg {s}/g.lkg; cp {d}/old-card.png {s}/card.png\n"
      // 1: the checkpoint fills the disk.
      "{build} >{d}/1.out 2>{d}/1.err; echo $? >{d}/1.rc\n"
      "cmp -s {d}/old.lkg {s}/g.lkg && echo intact >{d}/1.same\n"
      // 2: the checkpoint elsewhere (a symlink off the small disk): the gallery fills it.
      "rm -f {s}/g.lkg.checkpoint; ln -s {d}/elsewhere.checkpoint {s}/g.lkg.checkpoint\n"
      "{build} >{d}/2.out 2>{d}/2.err; echo $? >{d}/2.rc\n"
      "cmp -s {d}/old.lkg {s}/g.lkg && echo intact >{d}/2.same\n"
      // 3: a PNG over the old one (the face map of the old gallery).
      "{cli} map --gallery {d}/old.lkg -o {s}/card.png >{d}/3.out 2>{d}/3.err; echo $? >{d}/3.rc\n"
      "cmp -s {d}/old-card.png {s}/card.png && echo intact >{d}/3.same\n"
      "ls -A {s} >{d}/left.txt\n",
      fmt::arg("d", d), fmt::arg("s", s), fmt::arg("build", build), fmt::arg("cli", cli));
  const std::size_t kilobytes = fs::file_size(old_gallery) / 1024 + 24;
  const auto run = test::run_with_small_disk(small, kilobytes, script);
  if (!run) GTEST_SKIP() << "no mount namespace here (needs root or user namespaces)";
  ASSERT_EQ(run->exit_code, 0) << run->err;
  for (const std::string step : {"1", "2", "3"}) {
    SCOPED_TRACE("step " + step);
    EXPECT_NE(test::read_file_text(dir / (step + ".rc")), "0\n") << "the write failed";
    const std::string err = test::read_file_text(dir / (step + ".err"));
    EXPECT_NE(err.find("the disk is full"), std::string::npos) << err;
    EXPECT_NE(err.find(s + "/"), std::string::npos) << "names the file: " << err;
    EXPECT_EQ(test::read_file_text(dir / (step + ".same")), "intact\n");
  }
  EXPECT_NE(test::read_file_text(dir / "1.err").find("checkpoint"), std::string::npos);
  EXPECT_NE(test::read_file_text(dir / "2.err").find("g.lkg"), std::string::npos);
  const std::string left = test::read_file_text(dir / "left.txt");
  EXPECT_EQ(left.find(".tmp-"), std::string::npos) << "temporary files left behind:\n" << left;
}

TEST(GalleryCli, ImportImdbKeepsTheFilteredPhotosAndTheirMetadata) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  write_small_imdb(dir / "imdb_crop");
  const std::string cli = (test::build_dir() / "app/lookalike-cli").string();
  const auto gallery = (dir / "imdb.lkg").string();
  auto built = test::run_command(cli + " gallery import-imdb " + (dir / "imdb_crop").string() +
                                 " -o " + gallery + " --threads 2 -q");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_NE(built.out.find("2 identities, 4 photos"), std::string::npos) << built.out;

  auto info = test::run_command(cli + " gallery info --json " + gallery);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const auto json = nlohmann::json::parse(info.out);
  EXPECT_EQ(json["identities"], 2);
  EXPECT_EQ(json["photos"], 4);
  ASSERT_EQ(json["skipped"].size(), 1u) << info.out;
  EXPECT_NE(json["skipped"][0]["source"].get<std::string>().find("broken.jpg"), std::string::npos);
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& id : json["identity_list"]) by_name[id["name"]] = id;
  ASSERT_TRUE(by_name.contains("Hugo Chavez")) << info.out;
  EXPECT_EQ(by_name["Hugo Chavez"]["birth_year"], 1954);
  EXPECT_EQ(by_name["Hugo Chavez"]["gender"], "male");
  EXPECT_EQ(by_name["Hugo Chavez"]["photos"], 2);
  EXPECT_EQ(by_name["Colin Powell"]["photos"], 2);

  // A missing folder is one clear line, not a crash.
  auto missing = test::run_command(cli + " gallery import-imdb " + (dir / "nope").string() +
                                   " -o " + (dir / "x.lkg").string());
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(dir / "x.lkg"));
}

// Format version 2's extras from real photos: every identity gets pose thumbnails (each in its own
// bin, a decodable 112 px crop) and resemblance quantiles; a rebuild from scratch writes the same
// bytes; a gallery photo of X ranks very high for X.
TEST(GalleryExtrasBuild, PoseThumbnailsAndQuantilesFromRealPhotosRebuildIdentically) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const auto sources = lfw10_people({"Ariel_Sharon", "Colin_Powell", "Hugo_Chavez"});
  ASSERT_TRUE(build_gallery_file(dir / "a.lkg", sources, two_workers()).completed);
  ASSERT_TRUE(build_gallery_file(dir / "b.lkg", sources, two_workers()).completed);
  EXPECT_EQ(read_file_bytes(dir / "a.lkg"), read_file_bytes(dir / "b.lkg"))
      << "a rebuild from scratch differs";

  const auto g = Gallery::load(dir / "a.lkg");
  ASSERT_EQ(g->identity_count(), 3u);
  ASSERT_TRUE(g->has_resemblance());
  std::size_t bins = 0;
  for (std::uint32_t i = 0; i < g->identity_count(); ++i) {
    const auto thumbnails = g->pose_thumbnails(i);
    // Ten photos each, turned both ways (lfw10's poses): at least two bins per person.
    EXPECT_GE(thumbnails.size(), 2u) << g->identity_name(i);
    bins += thumbnails.size();
    for (const auto& t : thumbnails) {
      EXPECT_EQ(pose_bin(t.pose), t.bin) << g->identity_name(i) << " " << to_string(t.bin);
      const cv::Mat crop = g->pose_thumbnail(i, t.pose);
      EXPECT_EQ(crop.size(), cv::Size(112, 112)) << g->identity_name(i);
    }
    // Every photo of X is closer to X's centre than nearly all photos of the others.
    const auto [first, end] = g->photo_range(i);
    for (auto p = first; p < end; ++p) {
      Embedding e;
      std::copy_n(g->embeddings().data() + std::size_t{p} * kEmbeddingDim, kEmbeddingDim,
                  e.begin());
      const auto percentile = g->percentile_of(i, e);
      ASSERT_TRUE(percentile.has_value());
      EXPECT_GE(*percentile, 90.f) << g->photo_source(p);
    }
  }
  EXPECT_GE(bins, 7u);
}

// `gallery add` (a base gallery extended by new photos) ends where building everything at once
// ends: the same bytes, so the same quantiles and pose thumbnails.
TEST(GalleryExtrasBuild, AddingAPersonGivesWhatBuildingAllAtOnceGives) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const auto all = lfw10_people({"Colin_Powell", "Hugo_Chavez", "Tony_Blair"});
  ASSERT_TRUE(build_gallery_file(dir / "all.lkg", all, two_workers()).completed);
  ASSERT_TRUE(build_gallery_file(dir / "part.lkg", lfw10_people({"Colin_Powell", "Hugo_Chavez"}),
                                 two_workers())
                  .completed);
  const auto base = Gallery::load(dir / "part.lkg")->to_data();
  ASSERT_TRUE(build_gallery_file(dir / "part.lkg", lfw10_people({"Tony_Blair"}), two_workers(), {},
                                 {}, &base)
                  .completed);
  const auto added = Gallery::load(dir / "part.lkg");
  const auto whole = Gallery::load(dir / "all.lkg");
  ASSERT_EQ(added->identity_count(), whole->identity_count());
  for (std::uint32_t i = 0; i < whole->identity_count(); ++i) {
    EXPECT_EQ(added->identity_name(i), whole->identity_name(i));
    const auto a = added->resemblance_quantiles(i);
    const auto w = whole->resemblance_quantiles(i);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), w.begin(), w.end())) << whole->identity_name(i);
    const auto pa = added->pose_thumbnails(i);
    const auto pw = whole->pose_thumbnails(i);
    ASSERT_EQ(pa.size(), pw.size()) << whole->identity_name(i);
    for (std::size_t k = 0; k < pa.size(); ++k) {
      EXPECT_EQ(pa[k].bin, pw[k].bin);
      EXPECT_EQ(pa[k].jpeg, pw[k].jpeg) << whole->identity_name(i) << " " << to_string(pa[k].bin);
    }
  }
  EXPECT_EQ(read_file_bytes(dir / "part.lkg"), read_file_bytes(dir / "all.lkg"));
}

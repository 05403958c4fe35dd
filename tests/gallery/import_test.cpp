// Importers without the engine: folder names, aliases, and IMDB-WIKI .mat filtering.
#include <gtest/gtest.h>

#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "imdb_writer.hpp"
#include "lookalike/gallery/imdb_import.hpp"
#include "lookalike/gallery/importers.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;

namespace {
void touch_image(const fs::path& path) {
  fs::create_directories(path.parent_path());
  cv::imwrite(path.string(), cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)));
}
}  // namespace

TEST(IdentityNames, AreCleanedForDisplay) {
  EXPECT_EQ(clean_identity_name("George_W_Bush"), "George W Bush");
  EXPECT_EQ(clean_identity_name("pins_Selena_Gomez"), "Selena Gomez");
  EXPECT_EQ(clean_identity_name("PINS_adam  sandler_"), "adam sandler");
  EXPECT_EQ(clean_identity_name("  Amy "), "Amy");
  EXPECT_EQ(clean_identity_name("pins"), "pins");
}

TEST(FolderImport, OneIdentityPerFolderSkippingUnderscoreFolders) {
  test::TempDir dir;
  touch_image(dir / "root/George_W_Bush/b.jpg");
  touch_image(dir / "root/George_W_Bush/a.png");
  touch_image(dir / "root/pins_Selena_Gomez/1.jpg");
  touch_image(dir / "root/_group/g.jpg");
  touch_image(dir / "root/.hidden/h.jpg");
  std::ofstream(dir / "root/George_W_Bush/notes.txt") << "not a photo";
  auto photos = scan_identity_folders(dir / "root");
  ASSERT_EQ(photos.size(), 3u);
  EXPECT_EQ(photos[0].identity, "George W Bush");
  EXPECT_EQ(photos[0].path.filename(), "a.png");  // sorted
  EXPECT_EQ(photos[1].path.filename(), "b.jpg");
  EXPECT_EQ(photos[2].identity, "Selena Gomez");
  EXPECT_FALSE(photos[0].face.has_value());
  // A folder of one identity's photos.
  auto single = scan_identity_folders(dir / "root/George_W_Bush");
  ASSERT_EQ(single.size(), 2u);
  EXPECT_EQ(single[0].identity, "George W Bush");
  EXPECT_THROW(scan_identity_folders(dir / "missing"), std::runtime_error);
}

TEST(FolderImport, AliasFileMergesLabels) {
  test::TempDir dir;
  touch_image(dir / "root/Selena/1.jpg");
  touch_image(dir / "root/pins_Selena_Gomez/2.jpg");
  touch_image(dir / "root/selena_gomez/3.jpg");
  touch_image(dir / "root/Taylor_Swift/4.jpg");
  std::ofstream(dir / "aliases.txt") << "# merges\n"
                                        "Selena Gomez: Selena, selena_gomez  # same person\n"
                                        "\n";
  auto aliases = AliasMap::load(dir / "aliases.txt");
  auto photos = scan_identity_folders(dir / "root", aliases);
  ASSERT_EQ(photos.size(), 4u);
  int selena = 0, taylor = 0;
  for (const auto& p : photos) {
    selena += p.identity == "Selena Gomez";
    taylor += p.identity == "Taylor Swift";
  }
  EXPECT_EQ(selena, 3);
  EXPECT_EQ(taylor, 1);
  // The dataset's own labels are kept (they become aliases in the gallery).
  EXPECT_EQ(photos[0].label, "Selena");

  std::ofstream(dir / "bad.txt") << "Selena Gomez = Selena\n";
  try {
    AliasMap::load(dir / "bad.txt");
    FAIL() << "malformed alias file accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.txt:1"), std::string::npos) << e.what();
  }
}

TEST(ImdbImport, KeepsConfidentSingleFacePhotosWithMetadata) {
  test::TempDir dir;
  using test::ImdbRow;
  const double dob_1970 = test::datenum_of_year(1970) + 40;  // 10 Feb 1970
  std::vector<ImdbRow> rows = {
      // kept: good score, no second face
      {dob_1970, 2005, "01/a.jpg", 1.0, "Actor One", {11, 21, 110, 120}, 4.5, NAN, 1},
      // kept: female, name only via celeb_names
      {test::datenum_of_year(1985), 2010, "02/b.jpg", 0.0, "", {1, 1, 50, 60}, 3.0, NAN, 2},
      // no face
      {dob_1970, 2005, "01/c.jpg", 1.0, "Actor One", {1, 1, 1, 1}, -INFINITY, NAN, 1},
      // low score
      {dob_1970, 2005, "01/d.jpg", 1.0, "Actor One", {1, 1, 50, 50}, 2.9, NAN, 1},
      // second face
      {dob_1970, 2005, "01/e.jpg", 1.0, "Actor One", {1, 1, 50, 50}, 5.0, 2.1, 1},
      // unknown gender, no dob: kept with unknowns
      {NAN, NAN, "03/f.jpg", NAN, "Actor_Three", {5, 5, 60, 70}, 3.5, NAN, 3},
      // malformed box
      {dob_1970, 2005, "01/g.jpg", 1.0, "Actor One", {50, 50, 10, 10}, 5.0, NAN, 1},
  };
  test::write_imdb_mat(dir / "imdb.mat", rows, {"Actor One", "Actress Two", "Actor Three"});
  ImdbReport report;
  auto photos = import_imdb(find_imdb_mat(dir.path()), {}, {}, &report);
  EXPECT_EQ(report.total, 7u);
  EXPECT_EQ(report.kept, 3u);
  EXPECT_EQ(report.no_face, 1u);
  EXPECT_EQ(report.low_score, 1u);
  EXPECT_EQ(report.second_face, 1u);
  EXPECT_EQ(report.bad_record, 1u);
  ASSERT_EQ(photos.size(), 3u);
  EXPECT_EQ(photos[0].identity, "Actor One");
  EXPECT_EQ(photos[0].path, dir / "01/a.jpg");
  EXPECT_EQ(photos[0].gender, Gender::male);
  EXPECT_EQ(photos[0].birth_year, 1970);
  EXPECT_EQ(photos[0].photo_year, 2005);
  ASSERT_TRUE(photos[0].face.has_value());
  EXPECT_EQ(*photos[0].face, cv::Rect(10, 20, 99, 99));  // 1-based [x1 y1 x2 y2] -> Rect
  EXPECT_EQ(photos[1].identity, "Actress Two");
  EXPECT_EQ(photos[1].gender, Gender::female);
  EXPECT_EQ(photos[1].birth_year, 1985);
  EXPECT_EQ(photos[2].identity, "Actor Three");
  EXPECT_EQ(photos[2].gender, Gender::unknown);
  EXPECT_EQ(photos[2].birth_year, 0);

  // Options: a lower score threshold and allowing second faces keep more.
  ImdbOptions loose;
  loose.min_face_score = 2.0;
  loose.require_single_face = false;
  EXPECT_EQ(import_imdb(dir / "imdb.mat", loose).size(), 5u);
}

TEST(ImdbImport, WikiStructAndClearErrors) {
  test::TempDir dir;
  test::write_imdb_mat(dir / "wiki.mat",
                       {{test::datenum_of_year(1950),
                         1990,
                         "00/x.jpg",
                         1.0,
                         "Some One",
                         {1, 1, 9, 9},
                         4.0,
                         NAN,
                         NAN}},
                       {}, "wiki");
  EXPECT_EQ(import_imdb(find_imdb_mat(dir.path())).size(), 1u);
  try {
    find_imdb_mat(dir / "nothing");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("imdb.mat"), std::string::npos);
  }
  std::ofstream(dir / "fake.mat") << "not a mat file";
  try {
    import_imdb(dir / "fake.mat");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("fake.mat"), std::string::npos) << e.what();
  }
}

TEST(ImdbImport, DatenumToYear) {
  EXPECT_EQ(year_from_datenum(719529), 1970);  // 1970-01-01
  EXPECT_EQ(year_from_datenum(719529 - 1), 1969);
  EXPECT_EQ(year_from_datenum(test::datenum_of_year(2000) + 365), 2000);  // 31 Dec 2000 (leap)
  EXPECT_EQ(year_from_datenum(NAN), 0);
  EXPECT_EQ(year_from_datenum(5), 0);
}

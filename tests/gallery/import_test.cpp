// Importers without the engine: folder names, aliases, and IMDB-WIKI .mat filtering and its
// MAT-file pre-check.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>
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

TEST(ImdbImport, BoxesPastAMillionPixelsAreBadRecords) {
  test::TempDir dir;
  test::write_imdb_mat(dir / "imdb.mat",
                       {{NAN, NAN, "01/a.jpg", 1.0, "Big Box", {1, 1, 3e9, 3e9}, 4.0, NAN, NAN},
                        {NAN, NAN, "01/b.jpg", 1.0, "Big Box", {-3e9, 1, 10, 10}, 4.0, NAN, NAN}},
                       {});
  ImdbReport report;
  EXPECT_TRUE(import_imdb(dir / "imdb.mat", {}, {}, &report).empty());
  EXPECT_EQ(report.bad_record, 2u);
}

TEST(ImdbImport, DatenumToYear) {
  EXPECT_EQ(year_from_datenum(719529), 1970);  // 1970-01-01
  EXPECT_EQ(year_from_datenum(719529 - 1), 1969);
  EXPECT_EQ(year_from_datenum(test::datenum_of_year(2000) + 365), 2000);  // 31 Dec 2000 (leap)
  EXPECT_EQ(year_from_datenum(NAN), 0);
  EXPECT_EQ(year_from_datenum(-3.02693e+304), 0);  // fuzz: overflowed the cast to long long
  EXPECT_EQ(year_from_datenum(INFINITY), 0);
  EXPECT_EQ(year_from_datenum(5), 0);
}

// The MAT-file pre-check (core/src/gallery/mat_precheck.hpp) on real files written by matio,
// plain and zlib-compressed, then on copies with one size patched: each copy is refused with a
// message naming it before matio allocates what the patched size claims.
namespace {
using Bytes = std::string;

std::uint32_t word_at(const Bytes& b, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
void put_word(Bytes& b, std::size_t at, std::uint32_t v) {
  std::memcpy(b.data() + at, &v, 4);
}
Bytes words(std::initializer_list<std::uint32_t> ws) {
  Bytes out;
  for (std::uint32_t w : ws) out.append(reinterpret_cast<const char*>(&w), 4);
  return out;
}
// The message import_imdb refuses `file` with ("" when it imports it).
std::string refusal(const fs::path& file) {
  try {
    import_imdb(file);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

std::vector<test::ImdbRow> precheck_rows() {
  return {{test::datenum_of_year(1970),
           2005,
           "01/a.jpg",
           1.0,
           "Actor One",
           {11, 21, 110, 120},
           4.5,
           NAN,
           1},
          {test::datenum_of_year(1985), 2010, "02/b.jpg", 0.0, "", {1, 1, 50, 60}, 3.0, NAN, 2},
          {NAN, NAN, "03/c.jpg", NAN, "Actor Three", {5, 5, 60, 70}, 3.5, NAN, 3}};
}

// A MAT-file by hand in either byte order: one 1 x `cols` double named "x" holding 1.0.
Bytes tiny_mat(bool big_endian, std::uint32_t cols) {
  Bytes out = "MATLAB 5.0 MAT-file, written by import_test";
  out.resize(124, ' ');
  out += big_endian ? Bytes("\x01\x00MI", 4) : Bytes("\x00\x01IM", 4);
  auto ordered = [&](Bytes b) {
    if (big_endian) std::reverse(b.begin(), b.end());
    return b;
  };
  for (std::uint32_t w : {14u, 56u, 6u, 8u, 6u, 0u, 5u, 8u, 1u, cols, 1u << 16 | 1u})
    out += ordered(words({w}));
  out += Bytes("x\0\0\0", 4);  // the name, packed in a small element
  out += ordered(words({9})) + ordered(words({8}));
  const double one = 1.0;
  out += ordered(Bytes(reinterpret_cast<const char*>(&one), 8));
  return out;
}
}  // namespace

TEST(ImdbPrecheck, PassesPlainAndCompressedFilesFromMatio) {
  test::TempDir dir;
  const auto rows = precheck_rows();
  test::write_imdb_mat(dir / "zlib.mat", rows, {"Actor One", "Actress Two", "Actor Three"});
  test::write_imdb_mat(dir / "plain.mat", rows, {"Actor One", "Actress Two", "Actor Three"}, "imdb",
                       MAT_COMPRESSION_NONE);
  EXPECT_EQ(word_at(test::read_file_text(dir / "zlib.mat"), 128), 15u);   // miCOMPRESSED
  EXPECT_EQ(word_at(test::read_file_text(dir / "plain.mat"), 128), 14u);  // miMATRIX
  for (const char* name : {"zlib.mat", "plain.mat"}) {
    SCOPED_TRACE(name);
    ImdbReport report;
    const auto photos = import_imdb(dir / name, {}, {}, &report);
    EXPECT_EQ(report.total, 3u);
    ASSERT_EQ(photos.size(), 3u);
    EXPECT_EQ(photos[1].identity, "Actress Two");
    EXPECT_EQ(photos[2].path, dir / "03/c.jpg");
  }
}

TEST(ImdbPrecheck, RefusesPatchedSizesBeforeMatioAllocates) {
  test::TempDir dir;
  test::write_imdb_mat(dir / "plain.mat", precheck_rows(), {"A", "B"}, "imdb",
                       MAT_COMPRESSION_NONE);
  const Bytes plain = test::read_file_text(dir / "plain.mat");
  auto expect_refused = [&](const fs::path& file, const std::string& what) {
    const std::string message = refusal(file);
    EXPECT_NE(message.find(file.string() + ": damaged MAT-file: "), std::string::npos) << message;
    EXPECT_NE(message.find(what), std::string::npos) << message;
  };

  // The struct's field names (the fuzz finding): an miINT8 element claiming ~4 GB.
  Bytes names = plain;
  put_word(names, names.find("dob") - 4, 0xffffff71);
  expect_refused(test::write_file(dir / "names.mat", names),
                 "a data element claims 4294967153 bytes");

  // The first double row (dob, 1 x 3) and the first cell row (full_path, 1 x 3), by their
  // array flags and dimensions.
  const Bytes row = words({6, 8, 6, 0, 5, 8, 1, 3}), cells = words({6, 8, 1, 0, 5, 8, 1, 3});
  ASSERT_NE(plain.find(row), Bytes::npos);
  ASSERT_NE(plain.find(cells), Bytes::npos);
  Bytes dims = plain;
  put_word(dims, dims.find(row) + 28, 0x7fffffff);
  expect_refused(test::write_file(dir / "dims.mat", dims),
                 "an array of 2147483647 elements holds 24");
  Bytes cell = plain;
  put_word(cell, cell.find(cells) + 28, 0x10000000);
  expect_refused(test::write_file(dir / "cells.mat", cell),
                 "a cell array of 268435456 elements in");

  // Compressed: the same field-name patch inside the deflated variable, and a broken stream.
  test::write_imdb_mat(dir / "zlib.mat", precheck_rows(), {"A", "B"});
  const Bytes zlib = test::read_file_text(dir / "zlib.mat");
  const std::uint32_t packed = word_at(zlib, 132);
  Bytes inflated(1 << 16, '\0');
  uLongf inflated_size = inflated.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(inflated.data()), &inflated_size,
                       reinterpret_cast<const Bytef*>(zlib.data() + 136), packed),
            Z_OK);
  inflated.resize(inflated_size);
  put_word(inflated, inflated.find("dob") - 4, 0xffffff71);
  Bytes deflated(compressBound(inflated.size()), '\0');
  uLongf deflated_size = deflated.size();
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(deflated.data()), &deflated_size,
                     reinterpret_cast<const Bytef*>(inflated.data()), inflated.size()),
            Z_OK);
  deflated.resize(deflated_size);
  const Bytes repacked =
      zlib.substr(0, 128) + words({15, static_cast<std::uint32_t>(deflated.size())}) + deflated;
  expect_refused(test::write_file(dir / "zlib-names.mat", repacked),
                 "a data element claims 4294967153 bytes");
  Bytes broken = zlib;
  broken[137] = 0;  // the zlib header's check bits
  expect_refused(test::write_file(dir / "zlib-broken.mat", broken), "corrupt compressed data");
  Bytes cut = zlib;
  put_word(cut, 132, packed / 2);
  expect_refused(test::write_file(dir / "zlib-cut.mat", cut), "the compressed data ends early");

  // None of them got matio as far as allocating: this process never grew past 512 MB (the
  // field-name finding made matio touch over 2 GB).
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  EXPECT_LT(usage.ru_maxrss, 512 * 1024) << "peak RSS in KB";
}

TEST(ImdbPrecheck, ReadsBothByteOrdersAndRefusesOtherFiles) {
  test::TempDir dir;
  for (bool big_endian : {false, true}) {
    SCOPED_TRACE(big_endian ? "MI" : "IM");
    // Accepted by the check, read by matio: there is just no imdb struct.
    const auto ok = test::write_file(dir / "x.mat", tiny_mat(big_endian, 1));
    EXPECT_NE(refusal(ok).find("not in IMDB-WIKI layout: no struct named `imdb`"),
              std::string::npos)
        << refusal(ok);
    const auto big = test::write_file(dir / "big.mat", tiny_mat(big_endian, 0x40000000));
    EXPECT_NE(refusal(big).find("damaged MAT-file: an array of 1073741824 elements holds 8"),
              std::string::npos)
        << refusal(big);
  }
  Bytes v73 = tiny_mat(false, 1);
  v73[125] = 2;
  EXPECT_NE(
      refusal(test::write_file(dir / "v73.mat", v73)).find("not a MATLAB v5 MAT-file: version 7.3"),
      std::string::npos);

  // Cells nested 40 deep: past the walker's depth limit of 32.
  size_t dims[2] = {1, 1};
  matvar_t* deep = test::mat_text("deep");
  for (int i = 0; i < 40; ++i) {
    matvar_t* outer =
        Mat_VarCreate(i == 39 ? "imdb" : nullptr, MAT_C_CELL, MAT_T_CELL, 2, dims, nullptr, 0);
    Mat_VarSetCell(outer, 0, deep);
    deep = outer;
  }
  mat_t* mat = Mat_CreateVer((dir / "deep.mat").c_str(), nullptr, MAT_FT_MAT5);
  ASSERT_NE(mat, nullptr);
  Mat_VarWrite(mat, deep, MAT_COMPRESSION_NONE);
  Mat_VarFree(deep);
  Mat_Close(mat);
  EXPECT_NE(refusal(dir / "deep.mat").find("damaged MAT-file: arrays nest deeper than 32"),
            std::string::npos)
      << refusal(dir / "deep.mat");
}

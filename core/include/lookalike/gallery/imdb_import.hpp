// IMDB-WIKI importer (Rothe et al., "DEX", 2015): reads `imdb.mat` or `wiki.mat` with matio.
//
// Layout expected (as published): a 1x1 struct named `imdb` or `wiki` whose fields are 1xN
// rows: dob (MATLAB datenum), photo_taken (year), full_path (cell of char, relative to the
// .mat's folder), gender (0 female, 1 male, NaN unknown), name (cell of char), face_location
// (cell of 1x4 [x1 y1 x2 y2]), face_score (-Inf when no face), second_face_score (NaN when
// there is no second face), and for IMDB celeb_names (cell) + celeb_id (1-based index).
//
// Kept: a finite face_score >= min_face_score and (by default) no second face. Each kept photo
// carries gender, birth year (from dob), photo year and the dataset's face box, which the
// builder uses to pick the right face. Identity = `name` (falling back to
// celeb_names[celeb_id]), cleaned and aliased like folder names.
//
// Contract: pure function; thread-safe. A missing or malformed file throws
// std::runtime_error naming the file and the field.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

#include "lookalike/gallery/importers.hpp"

namespace lookalike {

struct ImdbOptions {
  double min_face_score = 3.0;      // DEX authors' cleaning threshold for face_score
  bool require_single_face = true;  // drop photos with a finite second_face_score
};

struct ImdbReport {
  std::size_t total = 0;
  std::size_t kept = 0;
  std::size_t no_face = 0;      // face_score -Inf / NaN
  std::size_t low_score = 0;    // finite but below min_face_score
  std::size_t second_face = 0;  // a second face was detected
  std::size_t no_name = 0;      // empty name
  std::size_t bad_record = 0;   // missing path / malformed face box
};

// `mat_file` is imdb.mat or wiki.mat; image paths resolve against its folder.
std::vector<PhotoSource> import_imdb(const std::filesystem::path& mat_file,
                                     const ImdbOptions& options = {}, const AliasMap& aliases = {},
                                     ImdbReport* report = nullptr);

// Finds imdb.mat or wiki.mat in `dir` (or accepts the .mat itself). Throws naming `dir`.
std::filesystem::path find_imdb_mat(const std::filesystem::path& dir);

// MATLAB datenum (days since year 0) to the proleptic Gregorian year; 0 for NaN / absurd.
int year_from_datenum(double datenum);

}  // namespace lookalike

// Writes a small .mat file in IMDB-WIKI's layout with matio (for the importer tests),
// zlib-compressed as MATLAB's default -v7 (MAT_COMPRESSION_NONE: the -v6 layout).
#pragma once

#include <matio.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace lookalike::test {

struct ImdbRow {
  double dob = NAN;  // MATLAB datenum
  double photo_taken = NAN;
  std::string full_path;
  double gender = NAN;
  std::string name;
  std::array<double, 4> face_location{};
  double face_score = -INFINITY;
  double second_face_score = NAN;
  double celeb_id = NAN;
};

inline matvar_t* mat_text(const std::string& s) {
  size_t dims[2] = {1, s.size()};
  return Mat_VarCreate(nullptr, MAT_C_CHAR, MAT_T_UTF8, 2, dims, const_cast<char*>(s.data()), 0);
}

inline matvar_t* mat_row(const std::vector<double>& values) {
  size_t dims[2] = {1, values.size()};
  return Mat_VarCreate(nullptr, MAT_C_DOUBLE, MAT_T_DOUBLE, 2, dims,
                       const_cast<double*>(values.data()), 0);
}

inline matvar_t* mat_cells(const std::vector<matvar_t*>& cells) {
  size_t dims[2] = {1, cells.size()};
  matvar_t* cell = Mat_VarCreate(nullptr, MAT_C_CELL, MAT_T_CELL, 2, dims, nullptr, 0);
  for (std::size_t i = 0; i < cells.size(); ++i)
    Mat_VarSetCell(cell, static_cast<int>(i), cells[i]);
  return cell;
}

inline void write_imdb_mat(const std::filesystem::path& path, const std::vector<ImdbRow>& rows,
                           const std::vector<std::string>& celeb_names,
                           const char* struct_name = "imdb",
                           matio_compression compression = MAT_COMPRESSION_ZLIB) {
  // wiki.mat has no celebrity list: without names, the celeb_* fields are left out (the null
  // ends matio's field list there).
  const bool celebs_listed = !celeb_names.empty();
  const char* fields[] = {"dob",
                          "photo_taken",
                          "full_path",
                          "gender",
                          "name",
                          "face_location",
                          "face_score",
                          "second_face_score",
                          celebs_listed ? "celeb_names" : nullptr,
                          "celeb_id",
                          nullptr};
  size_t dims[2] = {1, 1};
  matvar_t* root = Mat_VarCreateStruct2(struct_name, 2, dims, fields);
  std::vector<double> dob, taken, gender, score, second, id;
  std::vector<matvar_t*> paths, names, boxes, celebs;
  for (const auto& r : rows) {
    dob.push_back(r.dob);
    taken.push_back(r.photo_taken);
    gender.push_back(r.gender);
    score.push_back(r.face_score);
    second.push_back(r.second_face_score);
    id.push_back(r.celeb_id);
    paths.push_back(mat_text(r.full_path));
    names.push_back(mat_text(r.name));
    boxes.push_back(mat_row({r.face_location.begin(), r.face_location.end()}));
  }
  for (const auto& c : celeb_names) celebs.push_back(mat_text(c));
  Mat_VarSetStructFieldByName(root, "dob", 0, mat_row(dob));
  Mat_VarSetStructFieldByName(root, "photo_taken", 0, mat_row(taken));
  Mat_VarSetStructFieldByName(root, "full_path", 0, mat_cells(paths));
  Mat_VarSetStructFieldByName(root, "gender", 0, mat_row(gender));
  Mat_VarSetStructFieldByName(root, "name", 0, mat_cells(names));
  Mat_VarSetStructFieldByName(root, "face_location", 0, mat_cells(boxes));
  Mat_VarSetStructFieldByName(root, "face_score", 0, mat_row(score));
  Mat_VarSetStructFieldByName(root, "second_face_score", 0, mat_row(second));
  if (celebs_listed) {
    Mat_VarSetStructFieldByName(root, "celeb_names", 0, mat_cells(celebs));
    Mat_VarSetStructFieldByName(root, "celeb_id", 0, mat_row(id));
  }
  mat_t* mat = Mat_CreateVer(path.c_str(), nullptr, MAT_FT_MAT5);
  if (!mat) throw std::runtime_error("cannot create " + path.string());
  Mat_VarWrite(mat, root, compression);
  Mat_VarFree(root);
  Mat_Close(mat);
}

// datenum of 1 January of `year`.
inline double datenum_of_year(int year) {
  // days from 0000-01-01 (datenum 1) to year-01-01, proleptic Gregorian.
  auto leap = [](int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  double days = 1;
  for (int y = 0; y < year; ++y) days += leap(y) ? 366 : 365;
  return days;
}

}  // namespace lookalike::test

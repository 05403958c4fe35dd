#include "bench_imdb_import.hpp"

#include <fmt/format.h>
#include <matio.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "imdb_writer.hpp"
#include "lookalike/gallery/imdb_import.hpp"
#include "mat_precheck.hpp"  // core/src/gallery: internal to core

namespace fs = std::filesystem;

namespace lookalike::bench {
namespace {

// Rows shaped like IMDB-WIKI's: one photo per row, a name, a box, scores, a celebrity id.
std::vector<test::ImdbRow> synthetic_rows(std::size_t n) {
  std::vector<test::ImdbRow> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& r = rows[i];
    r.dob = test::datenum_of_year(1940 + static_cast<int>(i % 60));
    r.photo_taken = 1990 + static_cast<double>(i % 25);
    r.full_path = fmt::format("{:02}/nm{:07}_rm{:09}.jpg", i % 100, i / 20, i);
    r.gender = static_cast<double>(i % 2);
    r.name = fmt::format("Person {}", i / 20);
    r.face_location = {10.0 + i % 7, 12.0 + i % 5, 180.0 + i % 11, 190.0 + i % 13};
    r.face_score = 1.0 + static_cast<double>(i % 5);
    r.second_face_score = i % 9 == 0 ? 2.5 : NAN;
    r.celeb_id = static_cast<double>(i / 20 + 1);
  }
  return rows;
}

// Best of three (the file is in the page cache after the first pass).
double best_seconds(const std::function<void()>& run) {
  double best = 1e300;
  for (int k = 0; k < 3; ++k) {
    const auto t = std::chrono::steady_clock::now();
    run();
    best =
        std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
  }
  return best;
}

void matio_read(const fs::path& file) {
  const auto close = [](mat_t* m) { Mat_Close(m); };
  std::unique_ptr<mat_t, decltype(close)> mat(Mat_Open(file.c_str(), MAT_ACC_RDONLY), close);
  if (!mat) throw std::runtime_error(file.string() + ": matio cannot open it");
  matvar_t* root = Mat_VarRead(mat.get(), "imdb");
  if (!root) throw std::runtime_error(file.string() + ": matio cannot read `imdb`");
  Mat_VarFree(root);
}

}  // namespace

nlohmann::json bench_imdb_import(const fs::path& cache, std::size_t rows) {
  const auto data = synthetic_rows(rows);
  std::vector<std::string> celebs;
  for (std::size_t i = 0; i < rows / 20 + 1; ++i) celebs.push_back(fmt::format("Person {}", i));
  nlohmann::json out = nlohmann::json::array();
  std::cout << fmt::format("{:>11} | {:>9} | {:>10} | {:>13} | {:>12} | {:>13}\n", "imdb.mat",
                           "rows", "MB", "pre-check s", "matio read s", "import_imdb s");
  for (const auto compression : {MAT_COMPRESSION_ZLIB, MAT_COMPRESSION_NONE}) {
    const bool zlib = compression == MAT_COMPRESSION_ZLIB;
    const fs::path file = cache / fmt::format("imdb-{}-{}.mat", rows, zlib ? "zlib" : "plain");
    if (!fs::exists(file)) test::write_imdb_mat(file, data, celebs, "imdb", compression);
    const double precheck = best_seconds([&] { check_mat5_structure(file); });
    const double matio = best_seconds([&] { matio_read(file); });
    std::size_t kept = 0;
    const double import = best_seconds([&] { kept = import_imdb(file, {}, {}).size(); });
    const double mb = static_cast<double>(fs::file_size(file)) / 1e6;
    std::cout << fmt::format("{:>11} | {:>9} | {:>10.2f} | {:>13.3f} | {:>12.3f} | {:>13.3f}\n",
                             zlib ? "compressed" : "plain", rows, mb, precheck, matio, import);
    out.push_back({{"compression", zlib ? "zlib" : "none"},
                   {"rows", rows},
                   {"megabytes", mb},
                   {"precheck_s", precheck},
                   {"matio_read_s", matio},
                   {"import_s", import},
                   {"kept", kept}});
  }
  return out;
}

}  // namespace lookalike::bench

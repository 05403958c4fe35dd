// The IMDB-WIKI importer's cost on a synthetic imdb.mat of N rows (compressed, as MATLAB -v7
// writes it, and plain): our MAT-file pre-check alone, matio's own read of the variable (the
// peer the pre-check must stay small against), and import_imdb end to end. Part of
// lookalike-bench-gallery (--imdb-rows); prints a table, returns the JSON section.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace lookalike::bench {

nlohmann::json bench_imdb_import(const std::filesystem::path& cache, std::size_t rows);

}  // namespace lookalike::bench

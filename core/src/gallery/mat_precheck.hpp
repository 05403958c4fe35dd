// Structural pre-check of a MATLAB v5 MAT-file (IMDB-WIKI's imdb.mat) before libmatio reads it.
//
// Contract: check_mat5_structure(file) returns only when libmatio 1.5.23 can read every variable
// of `file` without allocating more than the file's bytes justify: the header is a v5 header
// (either byte order), every data element's size fits in what remains of its container (the
// file, an miMATRIX, or the inflated content of an miCOMPRESSED element, bounded by deflate's
// maximum ratio), the dimensions of every numeric or char array agree with its stored data,
// every cell and struct holds no more elements than its bytes can frame, and arrays nest at most
// 32 deep. It walks the file as matio does and refuses what matio would read differently (small
// forms where matio expects full tags, named struct fields) and the classes IMDB-WIKI never uses
// (sparse, object, function handle, opaque). Memory: O(nesting depth), never the content size.
// Otherwise it throws std::runtime_error "<file>: damaged MAT-file: <what> (...)" or
// "<file>: not a MATLAB v5 MAT-file: <what>".
#pragma once

#include <filesystem>

namespace lookalike {

void check_mat5_structure(const std::filesystem::path& file);

}  // namespace lookalike

#include "lookalike/gallery/imdb_import.hpp"

#include <matio.h>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "mat_precheck.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

struct MatCloser {
  void operator()(mat_t* m) const { Mat_Close(m); }
};
struct VarFreer {
  void operator()(matvar_t* v) const { Mat_VarFree(v); }
};

[[noreturn]] void malformed(const fs::path& file, const std::string& what) {
  throw std::runtime_error(file.string() + ": not in IMDB-WIKI layout: " + what);
}

std::size_t element_count(const matvar_t* v) {
  std::size_t n = 1;
  for (int i = 0; i < v->rank; ++i) n *= v->dims[i];
  return n;
}

double number_at(const matvar_t* v, std::size_t i) {
  switch (v->class_type) {
    case MAT_C_DOUBLE:
      return static_cast<const double*>(v->data)[i];
    case MAT_C_SINGLE:
      return static_cast<const float*>(v->data)[i];
    case MAT_C_INT8:
      return static_cast<const std::int8_t*>(v->data)[i];
    case MAT_C_UINT8:
      return static_cast<const std::uint8_t*>(v->data)[i];
    case MAT_C_INT16:
      return static_cast<const std::int16_t*>(v->data)[i];
    case MAT_C_UINT16:
      return static_cast<const std::uint16_t*>(v->data)[i];
    case MAT_C_INT32:
      return static_cast<const std::int32_t*>(v->data)[i];
    case MAT_C_UINT32:
      return static_cast<const std::uint32_t*>(v->data)[i];
    case MAT_C_INT64:
      return static_cast<double>(static_cast<const std::int64_t*>(v->data)[i]);
    case MAT_C_UINT64:
      return static_cast<double>(static_cast<const std::uint64_t*>(v->data)[i]);
    default:
      return NAN;
  }
}

void append_utf8(std::string& out, unsigned code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

std::string text_of(const matvar_t* v) {
  if (!v || v->class_type != MAT_C_CHAR || !v->data) return {};
  const std::size_t n = element_count(v);
  std::string out;
  if (v->data_size == 2) {
    const auto* p = static_cast<const std::uint16_t*>(v->data);
    for (std::size_t i = 0; i < n; ++i) append_utf8(out, p[i]);
  } else {
    out.assign(static_cast<const char*>(v->data), n);
  }
  while (!out.empty() && (out.back() == '\0' || out.back() == ' ')) out.pop_back();
  return out;
}

class Columns {
 public:
  Columns(const fs::path& file, matvar_t* root) : file_(file), root_(root) {}
  const matvar_t* field(const char* name, bool required = true) const {
    matvar_t* v = Mat_VarGetStructFieldByName(root_, name, 0);
    if (!v && required) malformed(file_, std::string("missing field `") + name + "`");
    return v;
  }
  const matvar_t* numeric(const char* name, std::size_t n, bool required = true) const {
    const matvar_t* v = field(name, required);
    if (!v) return nullptr;
    if (v->class_type == MAT_C_CELL || v->class_type == MAT_C_CHAR || element_count(v) < n ||
        !v->data)
      malformed(file_,
                std::string("field `") + name + "` is not a numeric row of " + std::to_string(n));
    return v;
  }
  const matvar_t* cells(const char* name, std::size_t n, bool required = true) const {
    const matvar_t* v = field(name, required);
    if (!v) return nullptr;
    if (v->class_type != MAT_C_CELL || element_count(v) < n)
      malformed(file_,
                std::string("field `") + name + "` is not a cell row of " + std::to_string(n));
    return v;
  }

 private:
  const fs::path& file_;
  matvar_t* root_;
};

const matvar_t* cell_at(const matvar_t* cells, std::size_t i) {
  return Mat_VarGetCell(const_cast<matvar_t*>(cells), static_cast<int>(i));
}

}  // namespace

int year_from_datenum(double datenum) {
  // Years 1800-2100 are datenums 657438-767376; far outside, the cast below would overflow.
  if (!(std::fabs(datenum) < 1e7)) return 0;
  // Days since 1970-01-01 (datenum 719529), then Howard Hinnant's civil_from_days.
  long long z = static_cast<long long>(std::floor(datenum)) - 719529 + 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long month = mp < 10 ? mp + 3 : mp - 9;
  const long long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return year >= 1800 && year <= 2100 ? static_cast<int>(year) : 0;
}

fs::path find_imdb_mat(const fs::path& dir) {
  std::error_code ec;
  if (fs::is_regular_file(dir, ec)) return dir;
  for (const char* name : {"imdb.mat", "wiki.mat"})
    if (fs::is_regular_file(dir / name, ec)) return dir / name;
  throw std::runtime_error(dir.string() +
                           ": no imdb.mat or wiki.mat here (pass the imdb_crop or wiki_crop "
                           "folder of IMDB-WIKI)");
}

std::vector<PhotoSource> import_imdb(const fs::path& mat_file, const ImdbOptions& options,
                                     const AliasMap& aliases, ImdbReport* report) {
  // matio allocates whatever sizes the file claims: check the structure before it reads (and
  // before Mat_Open, which probes non-v5 files as MAT v4 by reading a variable).
  check_mat5_structure(mat_file);
  std::unique_ptr<mat_t, MatCloser> mat(Mat_Open(mat_file.c_str(), MAT_ACC_RDONLY));
  if (!mat) throw std::runtime_error(mat_file.string() + ": cannot open as a MATLAB file");
  std::unique_ptr<matvar_t, VarFreer> root(Mat_VarRead(mat.get(), "imdb"));
  if (!root) root.reset(Mat_VarRead(mat.get(), "wiki"));
  if (!root || root->class_type != MAT_C_STRUCT)
    malformed(mat_file, "no struct named `imdb` or `wiki`");

  Columns cols(mat_file, root.get());
  const matvar_t* paths = cols.field("full_path");
  if (paths->class_type != MAT_C_CELL) malformed(mat_file, "`full_path` is not a cell row");
  const std::size_t n = element_count(paths);
  const matvar_t* dob = cols.numeric("dob", n);
  const matvar_t* taken = cols.numeric("photo_taken", n);
  const matvar_t* gender = cols.numeric("gender", n);
  const matvar_t* names = cols.cells("name", n);
  const matvar_t* boxes = cols.cells("face_location", n);
  const matvar_t* score = cols.numeric("face_score", n);
  const matvar_t* second = cols.numeric("second_face_score", n);
  const matvar_t* celeb_names = cols.field("celeb_names", false);
  const matvar_t* celeb_id = celeb_names ? cols.numeric("celeb_id", n, false) : nullptr;

  ImdbReport local;
  ImdbReport& r = report ? *report : local;
  r = {};
  r.total = n;
  const fs::path base = mat_file.parent_path();
  std::vector<PhotoSource> out;
  for (std::size_t i = 0; i < n; ++i) {
    const double s = number_at(score, i);
    if (!std::isfinite(s)) {
      ++r.no_face;
      continue;
    }
    if (s < options.min_face_score) {
      ++r.low_score;
      continue;
    }
    if (options.require_single_face && std::isfinite(number_at(second, i))) {
      ++r.second_face;
      continue;
    }
    std::string name = text_of(cell_at(names, i));
    if (name.empty() && celeb_id && celeb_names && celeb_names->class_type == MAT_C_CELL) {
      const double id = number_at(celeb_id, i);
      if (std::isfinite(id) && id >= 1 && id <= static_cast<double>(element_count(celeb_names)))
        name = text_of(cell_at(celeb_names, static_cast<std::size_t>(id) - 1));
    }
    name = clean_identity_name(name);
    if (name.empty()) {
      ++r.no_name;
      continue;
    }
    const std::string rel = text_of(cell_at(paths, i));
    const matvar_t* box = cell_at(boxes, i);
    if (rel.empty() || !box || element_count(box) < 4 || box->class_type == MAT_C_CELL) {
      ++r.bad_record;
      continue;
    }
    const double x1 = number_at(box, 0), y1 = number_at(box, 1), x2 = number_at(box, 2),
                 y2 = number_at(box, 3);
    // Pixels: past a million is damage (and would overflow cv::Rect's int arithmetic).
    const auto pixel = [](double v) { return std::fabs(v) < 1e6; };
    if (!(pixel(x1) && pixel(y1) && pixel(x2) && pixel(y2) && x2 > x1 && y2 > y1)) {
      ++r.bad_record;
      continue;
    }
    PhotoSource source;
    source.path = base / rel;
    source.label = name;
    source.identity = aliases.resolve(name);
    // MATLAB boxes are 1-based [x1 y1 x2 y2].
    source.face = cv::Rect(
        cv::Point(static_cast<int>(std::lround(x1)) - 1, static_cast<int>(std::lround(y1)) - 1),
        cv::Point(static_cast<int>(std::lround(x2)) - 1, static_cast<int>(std::lround(y2)) - 1));
    const double g = number_at(gender, i);
    source.gender = !std::isfinite(g) ? Gender::unknown : g >= 0.5 ? Gender::male : Gender::female;
    source.birth_year = year_from_datenum(number_at(dob, i));
    const double year = number_at(taken, i);
    source.photo_year =
        std::isfinite(year) && year > 1800 && year < 2100 ? static_cast<int>(year) : 0;
    out.push_back(std::move(source));
  }
  r.kept = out.size();
  return out;
}

}  // namespace lookalike

#include "lookalike/app/default_gallery.hpp"

#include <fstream>
#include <span>
#include <stdexcept>
#include <string>

#include "lookalike/app_paths.hpp"
#include "lookalike/file_util.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {

fs::path default_gallery_record() {
  return user_gallery_dir() / "default";
}

std::optional<fs::path> default_gallery() {
  std::ifstream in(default_gallery_record());
  std::string line;
  if (!in || !std::getline(in, line) || line.empty()) return std::nullopt;
  std::error_code ec;
  if (!fs::is_regular_file(line, ec)) return std::nullopt;
  return fs::path(line);
}

void set_default_gallery(const fs::path& gallery) {
  const fs::path record = default_gallery_record();
  std::error_code ec;
  fs::create_directories(record.parent_path(), ec);
  if (ec)
    throw std::runtime_error(record.parent_path().string() + ": cannot create: " + ec.message());
  const std::string line = fs::absolute(gallery).lexically_normal().string() + "\n";
  write_file_atomically(record, std::as_bytes(std::span(line.data(), line.size())));
}

fs::path resolve_gallery(const fs::path& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (auto g = default_gallery()) return *g;
  throw std::runtime_error(
      "no gallery given and no default gallery installed; download one with `lookalike-cli "
      "gallery fetch lfw` (see `lookalike-cli gallery sources`) or build one with `lookalike-cli "
      "gallery build DIR -o g.lkg` and pass --gallery g.lkg");
}

}  // namespace lookalike::app

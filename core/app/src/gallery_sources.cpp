#include "lookalike/app/gallery_sources.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "lookalike/app_paths.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lookalike::app {
namespace {

bool safe_stem(const std::string& name) {
  if (name.empty() || name.size() > 64 || name.front() == '.' || name.front() == '-') return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

bool http_url(const std::string& url) {
  return url.starts_with("http://") || url.starts_with("https://");
}

GallerySource parse_source(const json& j) {
  GallerySource s;
  s.name = j.at("name").get<std::string>();
  if (!safe_stem(s.name)) throw std::runtime_error("invalid name '" + s.name + "'");
  s.title = j.value("title", s.name);
  s.description = j.value("description", "");
  s.urls = j.at("urls").get<std::vector<std::string>>();
  if (s.urls.empty()) throw std::runtime_error(s.name + ": no URL");
  for (const auto& url : s.urls)
    if (!http_url(url)) throw std::runtime_error(s.name + ": not an http(s) URL: " + url);
  s.file = j.value("file", s.name + ".archive");
  if (!safe_stem(s.file)) throw std::runtime_error(s.name + ": invalid file name '" + s.file + "'");
  s.size = j.value("size", std::uint64_t{0});
  s.checksum = fetch::Checksum::parse(j.value("checksum", ""));
  if (s.checksum.empty()) throw std::runtime_error(s.name + ": no checksum");
  s.licence = j.value("licence", "");
  s.licence_url = j.value("licence_url", "");
  const std::string importer = j.value("importer", "folders");
  if (importer == "folders")
    s.importer = SourceImporter::folders;
  else if (importer == "imdb")
    s.importer = SourceImporter::imdb;
  else
    throw std::runtime_error(s.name + ": unknown importer '" + importer + "'");
  s.root = j.value("root", "");
  if (s.root.find("..") != std::string::npos || s.root.starts_with("/"))
    throw std::runtime_error(s.name + ": invalid root '" + s.root + "'");
  if (const auto f = j.find("filters"); f != j.end()) {
    s.min_face_score = f->value("min_face_score", s.min_face_score);
    s.allow_second_face = f->value("allow_second_face", s.allow_second_face);
  }
  return s;
}

}  // namespace

fs::path default_gallery_sources_path() {
  if (const char* env = std::getenv("LOOKALIKE_GALLERY_SOURCES"); env && *env) return env;
  return resource_path("assets/gallery-sources.json");
}

std::vector<GallerySource> load_gallery_sources(const fs::path& manifest) {
  std::ifstream in(manifest);
  if (!in) throw std::runtime_error(manifest.string() + ": cannot read the gallery sources");
  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(manifest.string() + ": not valid JSON: " + e.what());
  }
  std::vector<GallerySource> sources;
  try {
    for (const auto& entry : doc.at("sources")) sources.push_back(parse_source(entry));
  } catch (const std::exception& e) {
    throw std::runtime_error(manifest.string() + ": " + e.what());
  }
  return sources;
}

const GallerySource& find_gallery_source(const std::vector<GallerySource>& sources,
                                         const std::string& name) {
  std::string known;
  for (const auto& s : sources) {
    if (s.name == name) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  throw std::runtime_error("no gallery source named '" + name + "' (known: " + known +
                           "; see `lookalike-cli gallery sources`)");
}

std::string human_size(std::uint64_t bytes) {
  if (bytes == 0) return "unknown size";
  const double b = static_cast<double>(bytes);
  if (b >= 1e9) return fmt::format("{:.1f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.1f} MB", b / 1e6);
  if (b >= 1e3) return fmt::format("{:.1f} kB", b / 1e3);
  return fmt::format("{} B", bytes);
}

}  // namespace lookalike::app

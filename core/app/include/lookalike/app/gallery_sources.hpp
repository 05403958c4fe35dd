// The catalogue of downloadable celebrity galleries (assets/gallery-sources.json).
//
// Contract: load_gallery_sources() parses the manifest and validates every entry (name is a
// safe file stem, at least one http(s) URL, a parseable checksum, a known importer); a
// malformed manifest throws std::runtime_error naming the file and the entry. Value types,
// thread-compatible. Sources live in the manifest, never in code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lookalike/fetch/download.hpp"

namespace lookalike::app {

enum class SourceImporter { folders, imdb };

struct GallerySource {
  std::string name;         // CLI name and gallery file stem: lfw -> lfw.lkg
  std::string title;        // for people
  std::string description;  // counts, what is inside
  std::vector<std::string> urls;
  std::string file;        // archive file name in the download cache
  std::uint64_t size = 0;  // bytes; 0 = not known in advance
  fetch::Checksum checksum;
  std::string licence;
  std::string licence_url;
  SourceImporter importer = SourceImporter::folders;
  std::string root;  // folder inside the archive that holds the data ("lfw", "wiki_crop")
  double min_face_score = 3.0;     // imdb importer
  bool allow_second_face = false;  // imdb importer
};

// resource_path("assets/gallery-sources.json"), or $LOOKALIKE_GALLERY_SOURCES when set.
std::filesystem::path default_gallery_sources_path();
std::vector<GallerySource> load_gallery_sources(const std::filesystem::path& manifest);
// The source called `name`; throws std::runtime_error listing the known names.
const GallerySource& find_gallery_source(const std::vector<GallerySource>& sources,
                                         const std::string& name);

// "180.6 MB", "7.0 GB", "unknown size".
std::string human_size(std::uint64_t bytes);

}  // namespace lookalike::app

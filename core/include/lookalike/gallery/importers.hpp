// Importers: turn datasets into PhotoSource lists for the gallery builder. Several sources
// can be concatenated and blended into one gallery.
//
// Folder per identity (LFW, celeb_mini, PINS, VGGFace2 style): every sub-folder of a root is
// one identity named after the folder, cleaned for display (clean_identity_name); images
// directly inside the root make the root itself one identity. Folders starting with '_' or
// '.' are ignored (e.g. `_group` photos of several people). Only files with an image
// extension are taken; sorted, so imports are reproducible.
//
// Alias file (UTF-8 text): one identity per line, `Canonical Name: alias, other alias`; '#'
// starts a comment. Labels are compared after cleaning, case-insensitively, so
// "Selena Gomez: Selena, selena_gomez" merges folders `Selena` and `pins_selena_gomez` into
// "Selena Gomez".
//
// Contract: pure functions of the file system; thread-safe. Errors (missing root, unreadable
// alias file, malformed line) throw std::runtime_error naming the file (and line).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <opencv2/core.hpp>

#include "lookalike/gallery/gallery_data.hpp"

namespace lookalike {

struct PhotoSource {
  std::filesystem::path path;
  std::string identity;          // display name (cleaned, aliases applied)
  std::string label;             // the dataset's own label before aliasing (kept as alias)
  std::optional<cv::Rect> face;  // dataset-provided face box: picks the right face
  Gender gender = Gender::unknown;
  int birth_year = 0;  // 0 = unknown
  int photo_year = 0;  // 0 = unknown
};

// "pins_Selena_Gomez" -> "Selena Gomez", "George_W_Bush" -> "George W Bush": underscores to
// spaces, a leading "pins " dropped, runs of spaces collapsed, ends trimmed.
std::string clean_identity_name(std::string_view folder);

class AliasMap {
 public:
  static AliasMap load(const std::filesystem::path& file);
  void add(const std::string& canonical, const std::string& alias);
  // The canonical display name for a cleaned label (the label itself when unknown).
  std::string resolve(const std::string& label) const;
  bool empty() const { return to_canonical_.empty(); }

 private:
  std::map<std::string, std::string> to_canonical_;  // lower-case cleaned label -> canonical
};

std::vector<PhotoSource> scan_identity_folders(const std::filesystem::path& root,
                                               const AliasMap& aliases = {});

}  // namespace lookalike

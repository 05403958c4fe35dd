#include "lookalike/gallery/importers.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <stdexcept>

#include "lookalike/engine/image_io.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool ignored_folder(const fs::path& p) {
  const auto name = p.filename().string();
  return name.empty() || name[0] == '_' || name[0] == '.';
}

std::vector<fs::path> sorted_images(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && has_image_extension(entry.path())) out.push_back(entry.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

std::string clean_identity_name(std::string_view folder) {
  std::string s(folder);
  std::replace(s.begin(), s.end(), '_', ' ');
  std::string collapsed;
  for (char c : s) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed.push_back(c);
  }
  collapsed = trim(collapsed);
  if (collapsed.size() > 5 && lower(collapsed.substr(0, 5)) == "pins ") collapsed.erase(0, 5);
  return collapsed;
}

AliasMap AliasMap::load(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot open alias file");
  AliasMap map;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    if (trim(line).empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos)
      throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                               ": expected `Canonical Name: alias, other alias`");
    const std::string canonical = clean_identity_name(trim(line.substr(0, colon)));
    if (canonical.empty())
      throw std::runtime_error(file.string() + ":" + std::to_string(number) +
                               ": empty canonical name");
    map.add(canonical, canonical);
    std::string rest = line.substr(colon + 1);
    std::size_t start = 0;
    while (start <= rest.size()) {
      auto comma = rest.find(',', start);
      auto alias =
          trim(rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (!alias.empty()) map.add(canonical, alias);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  return map;
}

void AliasMap::add(const std::string& canonical, const std::string& alias) {
  to_canonical_[lower(clean_identity_name(alias))] = canonical;
}

std::string AliasMap::resolve(const std::string& label) const {
  auto it = to_canonical_.find(lower(label));
  return it == to_canonical_.end() ? label : it->second;
}

std::vector<PhotoSource> scan_identity_folders(const fs::path& root, const AliasMap& aliases) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw std::runtime_error(root.string() +
                             ": not a folder (expected one sub-folder per "
                             "identity, or a folder of one identity's photos)");
  std::vector<PhotoSource> out;
  auto add_folder = [&](const fs::path& dir) {
    const std::string label = clean_identity_name(dir.filename().string());
    if (label.empty()) return;
    const std::string identity = aliases.resolve(label);
    for (const auto& image : sorted_images(dir)) {
      PhotoSource source;
      source.path = image;
      source.identity = identity;
      source.label = label;
      out.push_back(std::move(source));
    }
  };
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(root))
    if (entry.is_directory() && !ignored_folder(entry.path())) folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  for (const auto& dir : folders) add_folder(dir);
  // Loose images in the root: the root is one identity.
  if (!sorted_images(root).empty()) add_folder(fs::absolute(root).lexically_normal());
  return out;
}

}  // namespace lookalike

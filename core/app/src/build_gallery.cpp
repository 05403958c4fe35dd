#include "lookalike/app/build_gallery.hpp"

#include <fmt/format.h>

#include "lookalike/engine/image_io.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {

bool looks_like_identity_folders(const fs::path& folder) {
  std::error_code ec;
  for (const auto& sub : fs::directory_iterator(folder, ec)) {
    if (!sub.is_directory(ec)) continue;
    for (const auto& file : fs::directory_iterator(sub.path(), ec))
      if (file.is_regular_file(ec) && has_image_extension(file.path())) return true;
  }
  return false;
}

std::vector<PhotoSource> collect_identity_photos(const std::vector<fs::path>& roots,
                                                 const AliasMap& aliases) {
  std::vector<PhotoSource> all;
  for (const auto& root : roots) {
    auto found = scan_identity_folders(root, aliases);
    all.insert(all.end(), std::make_move_iterator(found.begin()),
               std::make_move_iterator(found.end()));
  }
  if (all.empty()) {
    std::string names;
    for (const auto& root : roots) names += (names.empty() ? "" : ", ") + root.string();
    throw std::runtime_error("no photos found in person folders under " + names +
                             " (expected one sub-folder of photos per identity)");
  }
  return all;
}

BuildResult build_gallery_from_folders(const FolderBuild& build, std::stop_token stop,
                                       const ProgressCallback& progress) {
  const auto photos = collect_identity_photos(build.folders, build.aliases);
  if (build.output.has_parent_path()) fs::create_directories(build.output.parent_path());
  return build_gallery_file(build.output, photos, build.options, std::move(stop), progress,
                            build.base, build.write);
}

std::string describe(const BuildProgress& p) {
  std::string line = fmt::format("{} of {} photos", p.done, p.total);
  if (p.rate > 0) line += fmt::format(", {:.0f} s left", p.eta_seconds);
  return line;
}

std::string describe_interrupted(const BuildResult& result, const fs::path& output) {
  return fmt::format(
      "interrupted after {} of {} photos; {} is unchanged. Run the same build again to resume "
      "from {}",
      result.resumed + result.processed, result.total, output.string(),
      checkpoint_path_for(output).string());
}

}  // namespace lookalike::app

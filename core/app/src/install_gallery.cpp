#include "lookalike/app/install_gallery.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>

#include "lookalike/app/build_gallery.hpp"
#include "lookalike/app/default_gallery.hpp"
#include "lookalike/app_paths.hpp"
#include "lookalike/fetch/archive.hpp"
#include "lookalike/gallery/imdb_import.hpp"
#include "lookalike/gallery/importers.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

constexpr const char* kUnpackedMarker = ".lookalike-unpacked";

struct Paths {
  fs::path download_dir, archive, unpacked, gallery;
};

Paths paths_for(const GallerySource& source, const InstallOptions& options) {
  Paths p;
  const fs::path cache =
      options.cache_dir.empty() ? user_cache_dir() / "downloads" : options.cache_dir;
  p.download_dir = cache / source.name;
  p.archive = p.download_dir / source.file;
  p.unpacked = p.download_dir / "unpacked";
  const fs::path galleries = options.gallery_dir.empty() ? user_gallery_dir() : options.gallery_dir;
  p.gallery = galleries / (source.name + ".lkg");
  return p;
}

void create_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir.string() + ": cannot create the folder: " + ec.message());
}

// The archive, downloaded and verified (or already there and still matching the checksum).
bool fetch_archive(const GallerySource& source, const InstallOptions& options, const Paths& paths,
                   std::stop_token stop, const InstallProgressFn& progress) {
  const fetch::Checksum checksum = options.checksum.empty() ? source.checksum : options.checksum;
  std::error_code ec;
  if (fs::is_regular_file(paths.archive, ec)) {
    if (fetch::file_digest(paths.archive, checksum.algorithm) == checksum.hex) return true;
    spdlog::warn("{}: does not match {}; downloading it again", paths.archive.string(),
                 checksum.to_string());
    fs::remove(paths.archive, ec);
  }
  std::vector<std::string> urls = options.url.empty() ? source.urls : std::vector{options.url};
  fetch::DownloadRequest request;
  request.destination = paths.archive;
  request.expected_checksum = checksum;
  // A test or mirror URL serves another copy: its size is whatever the checksum vouches for.
  if (source.size && options.url.empty()) request.expected_size = source.size;
  InstallProgress report;
  auto on_transfer = [&](const fetch::TransferProgress& t) {
    report.transfer = t;
    if (progress) progress(report);
  };
  for (std::size_t i = 0; i < urls.size(); ++i) {
    request.url = urls[i];
    try {
      spdlog::info("downloading {} from {}", source.name, request.url);
      fetch::download(request, stop, on_transfer);
      return true;
    } catch (const fetch::FetchCancelled&) {
      return false;
    } catch (const fetch::FetchError& e) {
      if (i + 1 == urls.size()) throw;
      spdlog::warn("{}; trying the next mirror", e.what());
    }
  }
  return false;
}

bool unpack(const Paths& paths, std::stop_token stop, const InstallProgressFn& progress) {
  std::error_code ec;
  if (fs::exists(paths.unpacked / kUnpackedMarker, ec)) return true;
  fs::remove_all(paths.unpacked, ec);  // an interrupted unpack starts over
  // Photos do not compress: the unpacked data is about the archive's size. Anything much
  // larger is an archive bomb.
  fetch::ExtractLimits limits;
  limits.max_total_bytes = std::max<std::uint64_t>(1ull << 30, 4 * fs::file_size(paths.archive));
  InstallProgress report;
  report.stage = InstallStage::unpacking;
  try {
    fetch::extract_archive(paths.archive, paths.unpacked, limits, stop,
                           [&](std::uint64_t members, std::uint64_t) {
                             report.members = members;
                             if (progress) progress(report);
                           });
  } catch (const fetch::FetchCancelled&) {
    return false;
  }
  std::ofstream(paths.unpacked / kUnpackedMarker) << "complete\n";
  return true;
}

std::vector<PhotoSource> scan(const GallerySource& source, const Paths& paths) {
  const fs::path root = source.root.empty() ? paths.unpacked : paths.unpacked / source.root;
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw std::runtime_error(source.name + ": the archive has no folder '" + source.root +
                             "' (is it the right file?)");
  if (source.importer == SourceImporter::imdb) {
    ImdbOptions o;
    o.min_face_score = source.min_face_score;
    o.require_single_face = !source.allow_second_face;
    ImdbReport report;
    auto photos = import_imdb(find_imdb_mat(root), o, {}, &report);
    spdlog::info("{}: {} records, {} kept", source.name, report.total, report.kept);
    return photos;
  }
  return scan_identity_folders(root);
}

}  // namespace

const char* to_string(InstallStage stage) {
  switch (stage) {
    case InstallStage::downloading:
      return "downloading";
    case InstallStage::unpacking:
      return "unpacking";
    case InstallStage::building:
      return "building";
    case InstallStage::installing:
      return "installing";
  }
  return "?";
}

double InstallProgress::fraction() const {
  switch (stage) {
    case InstallStage::downloading:
      return transfer.total ? static_cast<double>(transfer.received) / transfer.total : -1;
    case InstallStage::building:
      return build.fraction();
    default:
      return -1;
  }
}

std::string describe(const InstallProgress& p) {
  switch (p.stage) {
    case InstallStage::downloading: {
      const auto& t = p.transfer;
      std::string line = "downloading " + human_size(t.received);
      if (t.total) line += " of " + human_size(t.total);
      if (t.bytes_per_second > 0)
        line += ", " + human_size(static_cast<std::uint64_t>(t.bytes_per_second)) + "/s";
      if (t.eta_seconds >= 0) line += fmt::format(", {:.0f} s left", t.eta_seconds);
      return line;
    }
    case InstallStage::unpacking:
      return fmt::format("unpacking: {} files", p.members);
    case InstallStage::building:
      return "building: " + describe(p.build);
    case InstallStage::installing:
      return "installing";
  }
  return {};
}

std::uint64_t partial_download_bytes(const GallerySource& source, const InstallOptions& options) {
  const Paths paths = paths_for(source, options);
  std::error_code ec;
  fs::path part = paths.archive;
  part += ".part";
  const auto size = fs::file_size(part, ec);
  return ec ? 0 : size;
}

InstallResult install_gallery(const GallerySource& source, const InstallOptions& options,
                              std::stop_token stop, const InstallProgressFn& progress) {
  const Paths paths = paths_for(source, options);
  create_dir(paths.download_dir);
  create_dir(paths.gallery.parent_path());
  InstallResult result;
  if (!fetch_archive(source, options, paths, stop, progress)) return result;
  if (stop.stop_requested() || !unpack(paths, stop, progress)) return result;

  const auto photos = scan(source, paths);
  if (photos.empty()) throw std::runtime_error(source.name + ": no photos found in the archive");
  BuildOptions build;
  build.threads = options.threads;
  InstallProgress report;
  report.stage = InstallStage::building;
  auto built = build_gallery_file(paths.gallery, photos, build, stop, [&](const BuildProgress& p) {
    report.build = p;
    if (progress) progress(report);
  });
  if (!built.completed) return result;

  report.stage = InstallStage::installing;
  if (progress) progress(report);
  if (options.make_default) set_default_gallery(paths.gallery);
  std::error_code ec;
  fs::remove_all(paths.unpacked, ec);
  if (!options.keep_download) fs::remove(paths.archive, ec);
  result.completed = true;
  result.gallery = paths.gallery;
  result.identities = built.data.identities.size();
  result.photos = built.data.photos.size();
  result.skipped = built.data.skipped.size();
  spdlog::info("installed {} ({} identities, {} photos)", paths.gallery.string(), result.identities,
               result.photos);
  return result;
}

}  // namespace lookalike::app

// Use case: from a source in the gallery catalogue to an installed, default gallery.
//
// Steps, each resumable: download the archive into user_cache_dir()/downloads/NAME/ (resumed
// from FILE.part; size and checksum verified before anything is unpacked), unpack it there with
// the hardened extractor (marked complete when done), build the gallery on all cores with the
// gallery builder (checkpointed: an interrupted build resumes), write it atomically as
// user_gallery_dir()/NAME.lkg, make it the default gallery, then delete the unpacked photos and
// the archive. Shared by `lookalike-cli gallery fetch` and the app's welcome screen.
//
// Contract: blocks the calling thread; progress runs on it (and on the download's thread,
// which is the same one). A stop request ends the current step early: the function returns
// with `completed = false` and everything done so far is kept for the next run. Failures throw
// fetch::FetchError (network, checksum, archive) or std::runtime_error (build, disk), naming
// the file and the problem; nothing is installed then.
#pragma once

#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>

#include "lookalike/app/gallery_sources.hpp"
#include "lookalike/gallery/builder.hpp"

namespace lookalike::app {

enum class InstallStage { downloading, unpacking, building, installing };
const char* to_string(InstallStage stage);

struct InstallProgress {
  InstallStage stage = InstallStage::downloading;
  fetch::TransferProgress transfer;  // downloading
  std::uint64_t members = 0;         // unpacking: files so far
  BuildProgress build;               // building
  // 0..1 over the current stage; < 0 when unknown.
  double fraction() const;
};
// One line for people: "downloading 45.2 MB of 180.6 MB, 3.1 MB/s, 43 s left",
// "unpacking: 1,234 files", "building: 130 of 13,233 photos, 12 s left".
std::string describe(const InstallProgress& progress);

using InstallProgressFn = std::function<void(const InstallProgress&)>;

struct InstallOptions {
  std::string url;           // overrides the source's URLs (mirrors, tests)
  fetch::Checksum checksum;  // overrides the source's checksum
  int threads = 0;           // gallery build workers; 0 = all cores
  bool make_default = true;
  bool keep_download = false;         // keep the archive after a successful install
  std::filesystem::path gallery_dir;  // default: user_gallery_dir()
  std::filesystem::path cache_dir;    // default: user_cache_dir() / "downloads"
};

struct InstallResult {
  bool completed = false;
  std::filesystem::path gallery;  // the installed file (when completed)
  std::size_t identities = 0;
  std::size_t photos = 0;
  std::size_t skipped = 0;
};

InstallResult install_gallery(const GallerySource& source, const InstallOptions& options,
                              std::stop_token stop = {}, const InstallProgressFn& progress = {});

// The archive's partial download, if a previous run left one (the welcome screen offers to
// resume it): its size in bytes, 0 when there is none.
std::uint64_t partial_download_bytes(const GallerySource& source,
                                     const InstallOptions& options = {});

}  // namespace lookalike::app

// Use case: a gallery file from folders of labelled photos (one sub-folder per identity).
// Shared by `lookalike-cli gallery build|add` and the app's "Build from folder" and folder drop;
// the build itself is the core gallery builder (all cores, checkpointed, Ctrl-C safe).
//
// Contract: collect_identity_photos() throws std::runtime_error naming the folders when they
// hold no photos. build_gallery_from_folders() blocks the calling thread (progress runs on it)
// and returns the builder's result: completed = false after a stop request, with the output
// untouched and the work kept in OUTPUT.checkpoint for the next run. The describe_*() helpers
// are the one wording both front ends show.
#pragma once

#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

#include "lookalike/gallery/builder.hpp"

namespace lookalike::app {

// True when `folder` looks like a gallery source: it holds sub-folders that contain images.
bool looks_like_identity_folders(const std::filesystem::path& folder);

// Every photo under `roots`, named by its sub-folder (or by `aliases`).
std::vector<PhotoSource> collect_identity_photos(const std::vector<std::filesystem::path>& roots,
                                                 const AliasMap& aliases = {});

struct FolderBuild {
  std::vector<std::filesystem::path> folders;
  std::filesystem::path output;  // its folder is created
  AliasMap aliases;
  BuildOptions options;  // threads 0 = all cores
  GalleryWriteOptions write;
  const GalleryData* base = nullptr;  // `gallery add`: extend this gallery
};

BuildResult build_gallery_from_folders(const FolderBuild& build, std::stop_token stop = {},
                                       const ProgressCallback& progress = {});

// "130 of 13,233 photos, 12 s left".
std::string describe(const BuildProgress& progress);
// "interrupted after 120 of 4,992 photos; OUTPUT is unchanged. Run the same build again to
// resume from OUTPUT.checkpoint".
std::string describe_interrupted(const BuildResult& result, const std::filesystem::path& output);

}  // namespace lookalike::app

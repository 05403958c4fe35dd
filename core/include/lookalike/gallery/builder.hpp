// The gallery builder: embeds every PhotoSource on all cores and curates each identity.
//
// Flow: a pool of worker threads (std::jthread), each creating its own FaceEngine on its own
// thread, takes photos from a shared cursor and hands results through a bounded queue to
// the calling thread, which appends each result to the checkpoint file and reports progress.
// A photo is skipped (counted and listed, never fatal) when it is unreadable, has no face, or
// is ambiguous (several comparably large faces, no dataset face box, and not exactly one of
// them covering the image centre). When every photo is
// done, each identity is curated: near-duplicates dropped, outliers far from the identity's
// other photos flagged (excluded by default), and a representative photo chosen whose
// aligned crop (~112 px JPEG) becomes the identity's thumbnail.
//
// Interruption: when `stop` is requested (Ctrl-C in the CLI) workers finish their current
// photo, the results so far stay in the checkpoint, and the result has completed = false;
// nothing is written to the gallery. Running the same build again resumes from the
// checkpoint. The final gallery depends only on the set of results, not on their order or
// on how many runs produced them.
//
// Contract: build_gallery() blocks the calling thread; the progress callback runs on that
// thread. Throws ModelError if the engine cannot be created; std::runtime_error naming the
// file for checkpoint I/O failures. Thread-safe in the sense that distinct builds may run
// concurrently with distinct checkpoint files.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/gallery_data.hpp"
#include "lookalike/gallery/gallery_file.hpp"
#include "lookalike/gallery/importers.hpp"

namespace lookalike {

struct CurationOptions {
  // Two photos of one identity closer than this are the same picture (re-encoded, resized,
  // cropped): dlib descriptors of such copies lie ~0.01-0.04 apart, different photos of one
  // person ~0.3-0.5.
  float near_duplicate_distance = 0.06f;
  // A photo farther than this from the mean of its identity's other photos is an outlier
  // (mislabelled or a different person): same-person photos lie ~0.3-0.45 from that mean,
  // above dlib's 0.6 margin means "not the same person".
  float outlier_distance = 0.65f;
  std::size_t outlier_min_photos = 3;  // need at least this many photos to judge
  bool keep_outliers = false;          // flag only, keep them in the gallery
};

struct BuildOptions {
  int threads = 0;       // worker threads; 0 = all cores
  EngineOptions engine;  // each worker creates its own engine with these options
  bool mirror_average = true;
  // Jittered copies averaged into every photo's embedding (AnalyzeOptions::jitter).
  int jitter = kGalleryJitter;
  bool thorough = true;  // retry harder on photos where no face is found
  // Estimate every photo's gender and age (GenderAgeEstimator): identities without gender
  // metadata get the majority estimate, marked estimated. Without the models: a warning, and
  // those identities stay unknown.
  bool estimate_gender_age = true;
  // With no dataset box, faces with at least this fraction of the largest face's area are
  // "comparably large". If there are several, the photo is about the one covering the image
  // centre (centred datasets such as LFW); if none or several cover it, the photo is
  // ambiguous (whose name is it?) and skipped.
  float ambiguous_area_ratio = 0.5f;
  int thumbnail_size = 112;
  int thumbnail_jpeg_quality = 90;
  CurationOptions curation;
  // Append-only record of finished photos; empty = no checkpoint (no resume).
  std::filesystem::path checkpoint;
  std::size_t checkpoint_sync_every = 64;  // fdatasync after this many records
};

struct BuildProgress {
  std::size_t done = 0;  // photos finished, including those resumed from the checkpoint
  std::size_t total = 0;
  std::size_t resumed = 0;  // photos taken from the checkpoint
  std::size_t skipped = 0;
  double rate = 0;  // photos per second in this run
  double eta_seconds = 0;
  std::string current;  // last finished photo
  // 0..1; < 0 while the total is unknown.
  double fraction() const { return total ? static_cast<double>(done) / total : -1; }
};

struct BuildResult {
  GalleryData data;  // complete only when `completed`
  bool completed = false;
  std::size_t total = 0;      // photos of this build (not those the base gallery had)
  std::size_t processed = 0;  // photos analysed in this run
  std::size_t resumed = 0;
  std::vector<std::string> outliers;  // "source (distance)" of flagged photos
  std::chrono::duration<double> elapsed{};
};

using ProgressCallback = std::function<void(const BuildProgress&)>;

// `base`: an existing gallery to extend (`gallery add`); photos whose source it already has
// are not analysed again. Identities match by name or alias.
BuildResult build_gallery(const std::vector<PhotoSource>& sources, const BuildOptions& options,
                          std::stop_token stop = {}, const ProgressCallback& progress = {},
                          const GalleryData* base = nullptr);

// build_gallery + write_gallery(output) + removal of the checkpoint on success. The
// checkpoint defaults to OUTPUT.checkpoint. Returns the build result (completed = false when
// interrupted: nothing written).
BuildResult build_gallery_file(const std::filesystem::path& output,
                               const std::vector<PhotoSource>& sources, BuildOptions options,
                               std::stop_token stop = {}, const ProgressCallback& progress = {},
                               const GalleryData* base = nullptr,
                               const GalleryWriteOptions& write = {});

std::filesystem::path checkpoint_path_for(const std::filesystem::path& output);

}  // namespace lookalike

// The gallery file (.lkg): a versioned, checksummed binary, read into memory whole when loaded.
//
// Layout, version 2 (little-endian; offsets are absolute; see core/src/gallery/format.hpp):
//   header (256 B)   magic "LKGALLRY", format version, header size, total file size, dimension,
//                    counts, table offsets, model id / weights SHA-256 / detector / alignment,
//                    pooled within-identity variance, size and checksum of FILE.hnsw
//   identity table   name, aliases, gender (and whether it is estimated), age, birth year,
//                    photo range, JPEG thumbnail
//   alias table      strings
//   photo table      identity, photo year, quality, source path (photos grouped by identity)
//   embeddings       photo_count x dim float32, 64-byte aligned, contiguous
//   skipped table    source path + reason of every photo the builder left out
//   resemblance      (v2, optional) the quantile levels, then per identity the distances of
//                    the other identities' photos to its centre at those levels
//                    (resemblance.hpp: the "closer to X than P %" percentile)
//   pose thumbnails  (v2, optional) per identity up to five (bin, yaw, pitch, JPEG in the blob)
//                    records: the photo nearest each head-pose bin's centre (head_pose.hpp)
//   blob             all strings and thumbnails
//   trailer          XXH64 of everything before it, then "LKGEND01"
// Version 1 is version 2 without the two optional sections (their header fields were reserved
// zero bytes); it still loads, without percentiles or pose thumbnails.
//
// Contract: write_gallery() writes FILE atomically (temp file, fsync, rename), so an
// interrupted write leaves the previous gallery untouched. When the gallery has at least
// `hnsw_threshold` photos it also writes the HNSW index to FILE.hnsw (atomically) and
// records that file's size and checksum in the header, so a stale index is detected; below
// the threshold a stale FILE.hnsw is removed. Photos are written grouped by identity
// (stable), identities keep their order. Throws GalleryError(invalid_data) for inconsistent
// data and std::runtime_error naming the path for I/O failures. Safe to call from any thread
// for distinct paths. The resemblance quantiles are computed here from the photos (so every
// write, `gallery add` and `remove` included, stores them up to date); pose thumbnails come
// from GalleryData.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "lookalike/gallery/gallery_data.hpp"
#include "lookalike/gallery/hnsw_index.hpp"

namespace lookalike {

inline constexpr std::uint32_t kGalleryFormatVersion = 2;
inline constexpr std::uint32_t kOldestGalleryFormatVersion = 1;  // still loaded

// Above this many photos exact search costs more than ~1 ms (25 MB of float32 per query at
// ~20 GB/s), so the HNSW index is written and used. Measured in lookalike-bench-gallery.
inline constexpr std::size_t kDefaultHnswThreshold = 50'000;

struct GalleryWriteOptions {
  std::size_t hnsw_threshold = kDefaultHnswThreshold;  // 0 = always write the index
  HnswParams hnsw;                                     // graph parameters (hnsw_index.hpp)
  // kOldestGalleryFormatVersion writes what older releases wrote (tests and fuzz seeds of the
  // old format): no resemblance quantiles, no pose thumbnails.
  std::uint32_t format_version = kGalleryFormatVersion;
};

void write_gallery(const std::filesystem::path& path, const GalleryData& data,
                   const GalleryWriteOptions& options = {});

// FILE.hnsw for FILE.
std::filesystem::path index_path_for(const std::filesystem::path& gallery_path);

}  // namespace lookalike

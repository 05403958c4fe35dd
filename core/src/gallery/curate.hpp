// Per-identity curation after embedding: near-duplicates, outliers, representative photo,
// pose-bin thumbnails.
// Internal to core; pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "lookalike/gallery/builder.hpp"

namespace lookalike::detail {

struct Candidate {
  std::string source;
  Embedding embedding{};
  float quality = 0.f;
  bool existing = false;  // already in the gallery (never dropped, never the thumbnail)
};

struct Curated {
  std::vector<std::size_t> kept;      // indices into the candidates, in candidate order
  std::vector<SkippedPhoto> dropped;  // near-duplicates and excluded outliers
  std::vector<std::string> outliers;  // flagged (excluded or kept), with their distance
  int representative = -1;            // index of the thumbnail photo, -1 if none (new only)
};

Curated curate_identity(const std::string& name, const std::vector<Candidate>& candidates,
                        const CurationOptions& options);

// A kept photo's pose and its aligned-crop JPEG.
struct PosedPhoto {
  HeadPose pose;
  const std::vector<unsigned char>* jpeg = nullptr;
};

// Per pose bin, the photo nearest the bin's centre among those in the bin: the identity's
// current pose thumbnails (from the gallery being extended) and its new photos, in that order
// on ties (so the result depends only on the photos, not on how many runs added them).
std::vector<PoseThumbnail> pick_pose_thumbnails(const std::vector<PoseThumbnail>& current,
                                                std::span<const PosedPhoto> photos);

}  // namespace lookalike::detail

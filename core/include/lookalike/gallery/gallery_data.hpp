// GalleryData: the owning, editable form of a gallery (what builders produce and the writer
// serializes). The loaded, search-ready form is Gallery (gallery.hpp).
//
// Contract: plain values, no invariants beyond those documented per field; the writer
// validates (identity indices in range, no empty names) and groups photos by identity.
// Not synchronized: one thread owns a GalleryData at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/head_pose.hpp"
#include "lookalike/gender.hpp"
#include "lookalike/types.hpp"

namespace lookalike {

// The aligned crop (~112 px JPEG, like the thumbnail) of the identity's photo nearest one pose
// bin's centre (head_pose.hpp), and that photo's pose.
struct PoseThumbnail {
  PoseBin bin = PoseBin::frontal;
  HeadPose pose;
  std::vector<unsigned char> jpeg;
};

struct IdentityInfo {
  std::string name;                  // display name ("Selena Gomez")
  std::vector<std::string> aliases;  // other labels merged into this identity
  Gender gender = Gender::unknown;
  int birth_year = 0;                         // 0 = unknown
  std::vector<unsigned char> thumbnail_jpeg;  // representative aligned crop (~112 px) or empty
  // At most one per bin, in bin order; empty for galleries of format version 1.
  std::vector<PoseThumbnail> pose_thumbnails;
  // `gender` is the majority estimate over the identity's photos (GenderAgeEstimator), not
  // metadata such as IMDB-WIKI's.
  bool gender_estimated = false;
  // Years, as the photos show the identity: from metadata (photo year - birth year) where
  // present, else the mean estimate over its photos; 0 = unknown.
  float age = 0.f;
};

struct PhotoEntry {
  std::uint32_t identity = 0;  // index into GalleryData::identities
  std::string source;          // the photo's path as the builder saw it
  Embedding embedding{};
  int photo_year = 0;  // year the photo was taken, 0 = unknown
  float quality = 0.f;
};

// A photo the builder did not put into the gallery, and why (unreadable, no face, ambiguous,
// near-duplicate, outlier, ...). Kept in the file so `gallery info` can list them.
struct SkippedPhoto {
  std::string source;
  std::string reason;
};

struct GalleryData {
  ModelInfo model;  // the engine the embeddings come from (compatibility key: weights_sha256)
  std::vector<IdentityInfo> identities;
  std::vector<PhotoEntry> photos;
  std::vector<SkippedPhoto> skipped;

  // Index of the identity whose name or alias equals `name` (case-insensitive), or -1.
  int find_identity(const std::string& name) const;
  // Removes the identity and its photos, renumbering the others. Returns false if absent.
  bool remove_identity(const std::string& name);
};

}  // namespace lookalike

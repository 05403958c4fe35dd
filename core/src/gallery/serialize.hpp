// GalleryData <-> bytes of the gallery file. Internal to core.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "lookalike/gallery/gallery_data.hpp"
#include "lookalike/gallery/gallery_file.hpp"

namespace lookalike::detail {

struct IndexStamp {
  std::uint64_t size = 0;  // 0 = no index
  std::uint64_t checksum = 0;
};

// Photos grouped by identity (stable). Returns, through `photo_order`, the source index of
// each written photo (so the caller can build the index in file order).
std::vector<std::uint32_t> file_photo_order(const GalleryData& data);

// Throws GalleryError(invalid_data) on inconsistent data. Version 1 leaves out the resemblance
// quantiles and pose thumbnails (gallery_file.hpp).
std::vector<std::byte> serialize_gallery(const GalleryData& data, const IndexStamp& index,
                                         std::uint32_t format_version = kGalleryFormatVersion);

// Mean within-identity variance per dimension (pooled over identities with >= 2 photos).
float pooled_within_variance(const GalleryData& data);

}  // namespace lookalike::detail

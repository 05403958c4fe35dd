// On-disk records of the gallery file, versions 1 and 2 (see gallery_file.hpp for the layout).
// Internal to core. All records are trivially copyable, little-endian, naturally aligned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace lookalike::detail {

inline constexpr char kGalleryMagic[8] = {'L', 'K', 'G', 'A', 'L', 'L', 'R', 'Y'};
inline constexpr char kTrailerMagic[8] = {'L', 'K', 'G', 'E', 'N', 'D', '0', '1'};
inline constexpr std::uint64_t kEmbeddingAlignment = 64;

struct StringRef {
  std::uint64_t offset = 0;  // into the blob
  std::uint32_t length = 0;
  std::uint32_t reserved = 0;
};

struct FileHeader {
  char magic[8];
  std::uint32_t format_version;
  std::uint32_t header_size;
  std::uint64_t file_size;  // total, including the trailer
  std::uint32_t dimension;
  std::uint32_t identity_count;
  std::uint64_t photo_count;
  std::uint64_t alias_count;
  std::uint64_t skipped_count;
  std::uint64_t identities_offset;
  std::uint64_t aliases_offset;
  std::uint64_t photos_offset;
  std::uint64_t embeddings_offset;
  std::uint64_t skipped_offset;
  std::uint64_t blob_offset;
  std::uint64_t blob_size;
  StringRef model_id;
  StringRef weights_sha256;
  StringRef detector;
  StringRef alignment;
  float pooled_variance;
  std::uint32_t reserved0;
  std::uint64_t index_size;      // size of FILE.hnsw, 0 = no index
  std::uint64_t index_checksum;  // XXH64 of FILE.hnsw
  // Version 2 (zero in version 1, whose reserved bytes they were; ignored there):
  std::uint64_t resemblance_offset;       // 0 = none; else levels[n] + identity_count x n floats
  std::uint32_t resemblance_level_count;  // n
  std::uint32_t reserved1;
  std::uint64_t pose_offset;  // 0 = none; else pose_count PoseRecords sorted by (identity, bin)
  std::uint64_t pose_count;
  std::uint8_t reserved[256 - 232];
};
static_assert(sizeof(FileHeader) == 256);
static_assert(offsetof(FileHeader, resemblance_offset) == 200);  // version 1's reserved bytes

struct IdentityRecord {
  StringRef name;
  std::uint32_t alias_first;
  std::uint32_t alias_count;
  std::uint32_t photo_first;
  std::uint32_t photo_count;
  std::int32_t birth_year;
  std::uint8_t gender;
  // Reserved zero bytes before: old files read as "not estimated, age unknown".
  std::uint8_t gender_estimated;  // 1: `gender` is the estimate from the photos, not metadata
  std::uint8_t reserved[2];
  std::uint64_t thumbnail_offset;  // into the blob
  std::uint32_t thumbnail_size;
  float age;  // years as the photos show the identity (estimated or from metadata); 0 = unknown
};
static_assert(sizeof(IdentityRecord) == 56);

struct PhotoRecord {
  std::uint32_t identity;
  std::int32_t photo_year;
  float quality;
  std::uint32_t reserved;
  StringRef source;
};
static_assert(sizeof(PhotoRecord) == 32);

// One pose-bin thumbnail of an identity (version 2): a JPEG in the blob and the pose it shows.
struct PoseRecord {
  std::uint32_t identity;
  std::uint8_t bin;  // PoseBin
  std::uint8_t reserved[3];
  float yaw;
  float pitch;
  std::uint32_t jpeg_size;
  std::uint32_t reserved2;
  std::uint64_t jpeg_offset;  // into the blob
};
static_assert(sizeof(PoseRecord) == 32);

struct SkippedRecord {
  StringRef source;
  StringRef reason;
};
static_assert(sizeof(SkippedRecord) == 32);

struct Trailer {
  std::uint64_t checksum;  // XXH64 of bytes [0, file_size - sizeof(Trailer))
  char magic[8];
};
static_assert(sizeof(Trailer) == 16);

static_assert(std::is_trivially_copyable_v<FileHeader>);

}  // namespace lookalike::detail

#include "serialize.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <string>

#include "checksum.hpp"
#include "format.hpp"
#include "lookalike/gallery/gallery_error.hpp"
#include "lookalike/gallery/resemblance.hpp"

namespace lookalike::detail {
namespace {

// Typical dlib within-person spread when no identity has two photos: same-person pairs lie
// ~0.4 apart, E|x-y|^2 = 2 * 128 * var  ->  var ~ 0.16 / 256.
constexpr float kDefaultWithinVariance = 0.16f / 256.f;

std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

class BlobBuilder {
 public:
  StringRef add(const std::string& text) { return add_bytes(text.data(), text.size()); }
  StringRef add_bytes(const void* data, std::size_t size) {
    StringRef ref;
    ref.offset = bytes_.size();
    ref.length = static_cast<std::uint32_t>(size);
    const auto* p = static_cast<const std::byte*>(data);
    bytes_.insert(bytes_.end(), p, p + size);
    return ref;
  }
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

template <typename T>
void put(std::vector<std::byte>& out, std::uint64_t offset, const T& value) {
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

void invalid(const std::string& what) {
  throw GalleryError(GalleryError::Kind::invalid_data, "cannot write gallery: " + what);
}

}  // namespace

std::vector<std::uint32_t> file_photo_order(const GalleryData& data) {
  std::vector<std::uint32_t> order(data.photos.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return data.photos[a].identity < data.photos[b].identity;
  });
  return order;
}

float pooled_within_variance(const GalleryData& data) {
  const std::size_t n_id = data.identities.size();
  std::vector<std::vector<double>> sums(n_id);
  std::vector<std::size_t> counts(n_id, 0);
  for (const auto& photo : data.photos) {
    auto& s = sums[photo.identity];
    if (s.empty()) s.assign(kEmbeddingDim, 0.0);
    for (std::size_t j = 0; j < kEmbeddingDim; ++j) s[j] += photo.embedding[j];
    ++counts[photo.identity];
  }
  double ss = 0;
  std::size_t dof = 0;
  for (const auto& photo : data.photos) {
    const std::size_t n = counts[photo.identity];
    if (n < 2) continue;
    const auto& s = sums[photo.identity];
    for (std::size_t j = 0; j < kEmbeddingDim; ++j) {
      double d = photo.embedding[j] - s[j] / static_cast<double>(n);
      ss += d * d;
    }
  }
  for (std::size_t i = 0; i < n_id; ++i)
    if (counts[i] >= 2) dof += counts[i] - 1;
  if (dof == 0) return kDefaultWithinVariance;
  return static_cast<float>(ss / (static_cast<double>(dof) * kEmbeddingDim));
}

std::vector<std::byte> serialize_gallery(const GalleryData& data, const IndexStamp& index,
                                         std::uint32_t format_version) {
  if (format_version < kOldestGalleryFormatVersion || format_version > kGalleryFormatVersion)
    invalid("unknown format version " + std::to_string(format_version));
  const bool extras = format_version >= 2;
  if (data.identities.size() > UINT32_MAX - 1) invalid("too many identities");
  if (data.photos.size() > UINT32_MAX - 1) invalid("too many photos");
  for (std::size_t i = 0; i < data.identities.size(); ++i)
    if (data.identities[i].name.empty()) invalid("identity " + std::to_string(i) + " has no name");
  for (std::size_t i = 0; i < data.identities.size(); ++i) {
    const auto& poses = data.identities[i].pose_thumbnails;
    for (std::size_t k = 0; k < poses.size(); ++k)
      if (static_cast<std::size_t>(poses[k].bin) >= kPoseBinCount ||
          (k > 0 && poses[k].bin <= poses[k - 1].bin) || !std::isfinite(poses[k].pose.yaw) ||
          !std::isfinite(poses[k].pose.pitch) || poses[k].jpeg.empty())
        invalid("identity " + data.identities[i].name +
                " has pose thumbnails out of bin order, non-finite or empty");
  }
  for (const auto& photo : data.photos) {
    if (photo.identity >= data.identities.size())
      invalid("photo " + photo.source + " refers to identity " + std::to_string(photo.identity) +
              " of " + std::to_string(data.identities.size()));
    for (float v : photo.embedding)
      if (!std::isfinite(v)) invalid("photo " + photo.source + " has a non-finite embedding");
  }

  const auto order = file_photo_order(data);
  BlobBuilder blob;
  FileHeader header{};
  std::memcpy(header.magic, kGalleryMagic, sizeof header.magic);
  header.format_version = format_version;
  header.header_size = sizeof(FileHeader);
  header.dimension = kEmbeddingDim;
  header.identity_count = static_cast<std::uint32_t>(data.identities.size());
  header.photo_count = data.photos.size();
  header.skipped_count = data.skipped.size();
  header.model_id = blob.add(data.model.id);
  header.weights_sha256 = blob.add(data.model.weights_sha256);
  header.detector = blob.add(data.model.detector);
  header.alignment = blob.add(data.model.alignment);
  header.pooled_variance = pooled_within_variance(data);
  header.index_size = index.size;
  header.index_checksum = index.checksum;

  // Identity records with photo ranges in file order.
  std::vector<IdentityRecord> identities(data.identities.size());
  std::vector<StringRef> aliases;
  for (std::size_t i = 0; i < data.identities.size(); ++i) {
    const auto& info = data.identities[i];
    auto& rec = identities[i];
    rec = IdentityRecord{};
    rec.name = blob.add(info.name);
    rec.alias_first = static_cast<std::uint32_t>(aliases.size());
    rec.alias_count = static_cast<std::uint32_t>(info.aliases.size());
    for (const auto& alias : info.aliases) aliases.push_back(blob.add(alias));
    rec.birth_year = info.birth_year;
    rec.gender = static_cast<std::uint8_t>(info.gender);
    rec.gender_estimated = info.gender_estimated ? 1 : 0;
    rec.age = info.age;
    if (!info.thumbnail_jpeg.empty()) {
      auto ref = blob.add_bytes(info.thumbnail_jpeg.data(), info.thumbnail_jpeg.size());
      rec.thumbnail_offset = ref.offset;
      rec.thumbnail_size = ref.length;
    }
  }
  std::vector<PoseRecord> poses;
  if (extras)
    for (std::size_t i = 0; i < data.identities.size(); ++i)
      for (const auto& pose : data.identities[i].pose_thumbnails) {
        PoseRecord rec{};
        rec.identity = static_cast<std::uint32_t>(i);
        rec.bin = static_cast<std::uint8_t>(pose.bin);
        rec.yaw = pose.pose.yaw;
        rec.pitch = pose.pose.pitch;
        const auto ref = blob.add_bytes(pose.jpeg.data(), pose.jpeg.size());
        rec.jpeg_offset = ref.offset;
        rec.jpeg_size = ref.length;
        poses.push_back(rec);
      }
  std::vector<PhotoRecord> photos(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& photo = data.photos[order[k]];
    auto& rec = identities[photo.identity];
    if (rec.photo_count == 0) rec.photo_first = static_cast<std::uint32_t>(k);
    ++rec.photo_count;
    photos[k] =
        PhotoRecord{photo.identity, photo.photo_year, photo.quality, 0, blob.add(photo.source)};
  }
  std::vector<SkippedRecord> skipped;
  skipped.reserve(data.skipped.size());
  for (const auto& s : data.skipped) skipped.push_back({blob.add(s.source), blob.add(s.reason)});
  header.alias_count = aliases.size();

  std::uint64_t offset = sizeof(FileHeader);
  header.identities_offset = offset;
  offset += identities.size() * sizeof(IdentityRecord);
  header.aliases_offset = offset;
  offset += aliases.size() * sizeof(StringRef);
  header.photos_offset = offset;
  offset += photos.size() * sizeof(PhotoRecord);
  header.skipped_offset = offset;
  offset += skipped.size() * sizeof(SkippedRecord);
  // Quantiles need two identities (the other photos); a one-identity gallery has none.
  const bool with_resemblance = extras && data.identities.size() >= 2;
  if (with_resemblance) {
    header.resemblance_offset = offset;
    header.resemblance_level_count = static_cast<std::uint32_t>(kResemblanceLevels.size());
    offset += (1 + identities.size()) * kResemblanceLevels.size() * sizeof(float);
    offset = align_up(offset, 8);
  }
  if (!poses.empty()) {
    header.pose_offset = offset;
    header.pose_count = poses.size();
    offset += poses.size() * sizeof(PoseRecord);
  }
  offset = align_up(offset, kEmbeddingAlignment);
  header.embeddings_offset = offset;
  offset += photos.size() * kEmbeddingDim * sizeof(float);
  header.blob_offset = offset;
  header.blob_size = blob.bytes().size();
  offset += blob.bytes().size();
  offset = align_up(offset, 8);
  header.file_size = offset + sizeof(Trailer);

  std::vector<std::byte> out(header.file_size, std::byte{0});
  put(out, 0, header);
  if (!identities.empty())
    std::memcpy(out.data() + header.identities_offset, identities.data(),
                identities.size() * sizeof(IdentityRecord));
  if (!aliases.empty())
    std::memcpy(out.data() + header.aliases_offset, aliases.data(),
                aliases.size() * sizeof(StringRef));
  if (!photos.empty())
    std::memcpy(out.data() + header.photos_offset, photos.data(),
                photos.size() * sizeof(PhotoRecord));
  if (!skipped.empty())
    std::memcpy(out.data() + header.skipped_offset, skipped.data(),
                skipped.size() * sizeof(SkippedRecord));
  auto* emb = out.data() + header.embeddings_offset;
  for (std::size_t k = 0; k < order.size(); ++k)
    std::memcpy(emb + k * sizeof(Embedding), data.photos[order[k]].embedding.data(),
                sizeof(Embedding));
  if (!blob.bytes().empty())
    std::memcpy(out.data() + header.blob_offset, blob.bytes().data(), blob.bytes().size());
  if (!poses.empty())
    std::memcpy(out.data() + header.pose_offset, poses.data(), poses.size() * sizeof(PoseRecord));
  if (with_resemblance) {
    // From the embeddings as the loader will see them (file order), so a reload recomputes
    // the same floats.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
    for (const auto& rec : identities)
      ranges.emplace_back(rec.photo_first, rec.photo_first + rec.photo_count);
    const auto quantiles = resemblance_quantiles(
        {reinterpret_cast<const float*>(emb), order.size() * kEmbeddingDim}, ranges);
    auto* section = out.data() + header.resemblance_offset;
    std::memcpy(section, kResemblanceLevels.data(), sizeof kResemblanceLevels);
    std::memcpy(section + sizeof kResemblanceLevels, quantiles.data(),
                quantiles.size() * sizeof(float));
  }
  Trailer trailer{};
  trailer.checksum =
      xxh64(std::span<const std::byte>(out.data(), header.file_size - sizeof(Trailer)));
  std::memcpy(trailer.magic, kTrailerMagic, sizeof trailer.magic);
  put(out, header.file_size - sizeof(Trailer), trailer);
  return out;
}

}  // namespace lookalike::detail

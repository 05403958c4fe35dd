// Loading and validating gallery files; the accessors of Gallery.
#include "lookalike/gallery/gallery.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <future>
#include <span>

#include "checksum.hpp"
#include "file_snapshot.hpp"
#include "gallery_impl.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/gallery/resemblance.hpp"
#include "quantize.hpp"
#include "serialize.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

using detail::FileHeader;
using Kind = GalleryError::Kind;

constexpr const char* kRebuildHint =
    "rebuild it with `lookalike-cli gallery build SRC... -o FILE` or restore a good copy";

[[noreturn]] void refuse(Kind kind, const fs::path& path, const std::string& what) {
  throw GalleryError(kind, path.string() + ": " + what);
}

// Checks that [offset, offset + count * size) lies inside [0, limit).
bool fits(std::uint64_t offset, std::uint64_t count, std::uint64_t size, std::uint64_t limit) {
  if (offset > limit) return false;
  if (size != 0 && count > (limit - offset) / size) return false;
  return true;
}

template <typename T>
std::span<const T> table(std::span<const std::byte> bytes, std::uint64_t offset,
                         std::uint64_t count) {
  return {reinterpret_cast<const T*>(bytes.data() + offset), static_cast<std::size_t>(count)};
}

// The version 2 sections: every offset, count and value checked against the file, since a
// hostile file can carry a valid checksum.
template <typename Inconsistent>
void parse_extras(Gallery::Impl& g, std::uint64_t end, const Inconsistent& inconsistent) {
  const FileHeader& h = g.header;
  const std::size_t levels = kResemblanceLevels.size();
  if (h.resemblance_offset != 0) {
    if (h.resemblance_level_count != levels || h.resemblance_offset % 4 != 0 ||
        !fits(h.resemblance_offset, (std::uint64_t{h.identity_count} + 1) * levels, sizeof(float),
              end))
      inconsistent("resemblance table");
    const auto section =
        table<float>(g.bytes, h.resemblance_offset, (std::uint64_t{h.identity_count} + 1) * levels);
    if (!std::equal(kResemblanceLevels.begin(), kResemblanceLevels.end(), section.begin()))
      inconsistent("resemblance levels");
    g.resemblance = section.subspan(levels);
    for (std::size_t i = 0; i < h.identity_count; ++i) {
      const auto row = g.resemblance.subspan(i * levels, levels);
      const bool unknown =
          std::all_of(row.begin(), row.end(), [](float v) { return std::isnan(v); });
      if (!unknown && !resemblance_percentile(row, 0.f)) inconsistent("resemblance table");
    }
  }
  if (h.pose_offset != 0) {
    if (h.pose_offset % 8 != 0 || h.pose_count > std::uint64_t{h.identity_count} * kPoseBinCount ||
        !fits(h.pose_offset, h.pose_count, sizeof(detail::PoseRecord), end))
      inconsistent("pose thumbnail table");
    g.poses = table<detail::PoseRecord>(g.bytes, h.pose_offset, h.pose_count);
    for (std::size_t k = 0; k < g.poses.size(); ++k) {
      const auto& r = g.poses[k];
      const bool ordered = k == 0 || r.identity > g.poses[k - 1].identity ||
                           (r.identity == g.poses[k - 1].identity && r.bin > g.poses[k - 1].bin);
      if (r.identity >= h.identity_count || r.bin >= kPoseBinCount || !ordered ||
          !std::isfinite(r.yaw) || !std::isfinite(r.pitch) || r.jpeg_size == 0 ||
          r.jpeg_offset > h.blob_size || r.jpeg_size > h.blob_size - r.jpeg_offset)
        inconsistent("pose thumbnail table");
    }
  }
}

void parse(Gallery::Impl& g, const GalleryLoadOptions& options) {
  const auto& path = g.path;
  const auto bytes = g.bytes;
  if (bytes.size() >= sizeof detail::kGalleryMagic &&
      std::memcmp(bytes.data(), detail::kGalleryMagic, sizeof detail::kGalleryMagic) != 0)
    refuse(Kind::not_a_gallery, path,
           "not a Lookalike gallery (no LKGALLRY signature): pass a .lkg file written by "
           "`lookalike-cli gallery build`");
  if (bytes.size() < sizeof(FileHeader))
    refuse(Kind::truncated, path,
           fmt::format("truncated gallery: {} bytes, shorter than the {}-byte header (an "
                       "interrupted copy or download?); {}",
                       bytes.size(), sizeof(FileHeader), kRebuildHint));
  std::memcpy(&g.header, bytes.data(), sizeof(FileHeader));
  const FileHeader& h = g.header;
  if (h.format_version < kOldestGalleryFormatVersion || h.format_version > kGalleryFormatVersion)
    refuse(Kind::wrong_version, path,
           fmt::format("gallery format version {}, but this Lookalike reads versions {} to {}: "
                       "rebuild it with this version's `lookalike-cli gallery build` (or open "
                       "it with the Lookalike release that wrote it)",
                       h.format_version, kOldestGalleryFormatVersion, kGalleryFormatVersion));
  if (h.header_size != sizeof(FileHeader))
    refuse(Kind::corrupted, path,
           fmt::format("corrupted gallery: header size {} instead of {}; {}", h.header_size,
                       sizeof(FileHeader), kRebuildHint));
  if (bytes.size() < h.file_size)
    refuse(Kind::truncated, path,
           fmt::format("truncated gallery: the file has {} bytes but its header says {} (an "
                       "interrupted copy or download?); {}",
                       bytes.size(), h.file_size, kRebuildHint));
  if (bytes.size() > h.file_size || h.file_size < sizeof(FileHeader) + sizeof(detail::Trailer))
    refuse(Kind::corrupted, path,
           fmt::format("corrupted gallery: {} bytes where the header says {}; {}", bytes.size(),
                       h.file_size, kRebuildHint));
  detail::Trailer trailer;
  std::memcpy(&trailer, bytes.data() + h.file_size - sizeof trailer, sizeof trailer);
  if (std::memcmp(trailer.magic, detail::kTrailerMagic, sizeof trailer.magic) != 0)
    refuse(Kind::corrupted, path,
           fmt::format("corrupted gallery: the end-of-file marker is damaged; {}", kRebuildHint));
  if (options.verify_checksum) {
    auto computed = detail::xxh64(bytes.first(h.file_size - sizeof trailer));
    if (computed != trailer.checksum)
      refuse(Kind::corrupted, path,
             fmt::format("corrupted gallery: checksum mismatch (stored {:016x}, computed {:016x}): "
                         "the file was damaged on disk or in transfer; {}",
                         trailer.checksum, computed, kRebuildHint));
  }
  if (h.dimension != kEmbeddingDim)
    refuse(Kind::wrong_model, path,
           fmt::format("gallery embeddings have {} dimensions but this engine produces {}: "
                       "rebuild the gallery with this engine (`lookalike-cli gallery build`)",
                       h.dimension, kEmbeddingDim));

  const std::uint64_t end = h.file_size - sizeof trailer;
  const bool tables_fit =
      fits(h.identities_offset, h.identity_count, sizeof(detail::IdentityRecord), end) &&
      fits(h.aliases_offset, h.alias_count, sizeof(detail::StringRef), end) &&
      fits(h.photos_offset, h.photo_count, sizeof(detail::PhotoRecord), end) &&
      fits(h.skipped_offset, h.skipped_count, sizeof(detail::SkippedRecord), end) &&
      fits(h.embeddings_offset, h.photo_count, sizeof(Embedding), end) &&
      fits(h.blob_offset, h.blob_size, 1, end) && h.embeddings_offset % 64 == 0 &&
      h.identities_offset % 8 == 0 && h.aliases_offset % 8 == 0 && h.photos_offset % 8 == 0 &&
      h.skipped_offset % 8 == 0 && h.photo_count < UINT32_MAX;
  auto inconsistent = [&](const std::string& what) {
    refuse(Kind::corrupted, path,
           fmt::format("corrupted gallery: inconsistent {}; {}", what, kRebuildHint));
  };
  if (!tables_fit) inconsistent("table offsets");
  g.identities = table<detail::IdentityRecord>(bytes, h.identities_offset, h.identity_count);
  g.aliases = table<detail::StringRef>(bytes, h.aliases_offset, h.alias_count);
  g.photos = table<detail::PhotoRecord>(bytes, h.photos_offset, h.photo_count);
  g.skipped = table<detail::SkippedRecord>(bytes, h.skipped_offset, h.skipped_count);
  g.embeddings = reinterpret_cast<const float*>(bytes.data() + h.embeddings_offset);
  g.blob = bytes.subspan(h.blob_offset, h.blob_size);

  auto ref_ok = [&](const detail::StringRef& r) {
    return r.offset <= h.blob_size && r.length <= h.blob_size - r.offset;
  };
  for (const auto* r : {&h.model_id, &h.weights_sha256, &h.detector, &h.alignment})
    if (!ref_ok(*r)) inconsistent("model strings");
  for (const auto& r : g.aliases)
    if (!ref_ok(r)) inconsistent("alias table");
  std::uint64_t next_photo = 0;
  for (const auto& id : g.identities) {
    if (!ref_ok(id.name) || std::uint64_t{id.alias_first} + id.alias_count > h.alias_count ||
        id.thumbnail_offset > h.blob_size || id.thumbnail_size > h.blob_size - id.thumbnail_offset)
      inconsistent("identity table");
    if (id.photo_count > 0) {
      if (id.photo_first != next_photo) inconsistent("photo ranges");
      next_photo += id.photo_count;
    }
  }
  if (next_photo != h.photo_count) inconsistent("photo ranges");
  for (const auto& p : g.photos)
    if (p.identity >= h.identity_count || !ref_ok(p.source)) inconsistent("photo table");
  for (const auto& s : g.skipped)
    if (!ref_ok(s.source) || !ref_ok(s.reason)) inconsistent("skipped table");

  if (h.format_version >= 2) parse_extras(g, end, inconsistent);

  g.model.id = std::string(g.str(h.model_id));
  g.model.weights_sha256 = std::string(g.str(h.weights_sha256));
  g.model.detector = std::string(g.str(h.detector));
  g.model.alignment = std::string(g.str(h.alignment));
}

void check_model_of(const Gallery::Impl& g, const ModelInfo& engine) {
  if (g.model.weights_sha256 == engine.weights_sha256) return;
  refuse(Kind::wrong_model, g.path,
         fmt::format("gallery built with embedding model '{}' (weights sha256 {}) but the engine "
                     "uses '{}' (weights sha256 {}); their embeddings are not comparable: "
                     "rebuild the gallery with `lookalike-cli gallery build SRC... -o {}`",
                     g.model.id, g.model.weights_sha256.substr(0, 12), engine.id,
                     engine.weights_sha256.substr(0, 12), g.path.filename().string()));
}

void load_index(Gallery::Impl& g, const GalleryLoadOptions& options) {
  if (g.header.index_size == 0 || !options.load_index) return;
  const fs::path index_path = index_path_for(g.path);
  std::error_code ec;
  auto size = fs::file_size(index_path, ec);
  if (ec || size != g.header.index_size) {
    spdlog::warn(
        "{}: HNSW index {} is {}; searching exactly (slower). Rebuild the gallery "
        "(`lookalike-cli gallery build`) to restore it",
        g.path.string(), index_path.string(), ec ? "missing" : "stale (size differs)");
    return;
  }
  if (detail::xxh64(detail::read_file_snapshot(index_path)) != g.header.index_checksum) {
    spdlog::warn(
        "{}: HNSW index {} does not match this gallery (checksum); searching exactly. "
        "Rebuild the gallery to restore it",
        g.path.string(), index_path.string());
    return;
  }
  g.index.store(HnswIndex::load(index_path, g.header.photo_count, options.ef_search));
}

// Loads the index on a background thread so that the gallery is usable at once (exact search
// until the index is published); failures are logged and leave exact search in place.
void start_index_loader(Gallery::Impl& g, const GalleryLoadOptions& options) {
  std::promise<void> done;
  g.index_ready = done.get_future().share();
  if (g.header.index_size == 0 || !options.load_index) {
    done.set_value();
    return;
  }
  auto task = [&g, options, done = std::move(done)]() mutable {
    try {
      load_index(g, options);
    } catch (const std::exception& e) {
      spdlog::warn("{}: {}; searching exactly", g.path.string(), e.what());
    }
    done.set_value();
  };
  if (options.index_in_background)
    g.index_loader = std::jthread(std::move(task));
  else
    task();
}

void build_int8(Gallery::Impl& g) {
  detail::quantize_all(g.embeddings, g.header.photo_count, g.int8, g.int8_norms);
}

}  // namespace

Gallery::Gallery() : impl_(std::make_unique<Impl>()) {}
Gallery::~Gallery() = default;

std::shared_ptr<const Gallery> Gallery::load(const fs::path& path,
                                             const GalleryLoadOptions& options) {
  const auto t0 = Clock::now();
  std::shared_ptr<Gallery> gallery(new Gallery());
  auto& g = *gallery->impl_;
  g.path = path;
  g.owned = detail::read_file_snapshot(path);
  g.bytes = g.owned;
  const auto t1 = Clock::now();
  parse(g, options);
  if (options.expected_model) check_model_of(g, *options.expected_model);
  if (const auto note = gallery->format_note()) spdlog::info("{}: {}", path.string(), *note);
  const auto t2 = Clock::now();
  start_index_loader(g, options);
  const auto t3 = Clock::now();
  if (options.int8_copy) build_int8(g);
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  spdlog::debug("{}: {} identities, {} photos{}; map {:.1f} ms, verify {:.1f} ms, index {:.1f} ms",
                path.string(), g.header.identity_count, g.header.photo_count,
                g.header.index_size ? ", HNSW index" : "", ms(t0, t1), ms(t1, t2), ms(t2, t3));
  return gallery;
}

std::shared_ptr<const Gallery> Gallery::from_data(const GalleryData& data,
                                                  const GalleryLoadOptions& options,
                                                  std::size_t index_threshold) {
  std::shared_ptr<Gallery> gallery(new Gallery());
  auto& g = *gallery->impl_;
  g.path = "<memory>";
  g.owned = detail::serialize_gallery(data, {});
  g.bytes = g.owned;
  parse(g, options);
  if (options.expected_model) check_model_of(g, *options.expected_model);
  if (data.photos.size() >= index_threshold && !data.photos.empty()) {
    HnswParams params;
    params.ef_search = options.ef_search;
    g.index.store(HnswIndex::build({g.embeddings, g.header.photo_count * kEmbeddingDim}, params));
  }
  std::promise<void> done;
  g.index_ready = done.get_future().share();
  done.set_value();
  if (options.int8_copy) build_int8(g);
  return gallery;
}

std::size_t Gallery::identity_count() const {
  return impl_->header.identity_count;
}
std::size_t Gallery::photo_count() const {
  return impl_->header.photo_count;
}

cv::Mat Gallery::thumbnail(std::uint32_t identity) const {
  if (identity >= impl_->identities.size()) return {};
  const auto& rec = impl_->identities[identity];
  if (rec.thumbnail_size == 0) return {};
  // Thumbnails come from the gallery file: untrusted bytes, decoded by the hardened loader.
  const std::span<const unsigned char> encoded(
      reinterpret_cast<const unsigned char*>(impl_->blob.data() + rec.thumbnail_offset),
      rec.thumbnail_size);
  try {
    return decode_image(encoded, impl_->path.string() + " thumbnail " + std::to_string(identity));
  } catch (const ImageError& e) {
    spdlog::warn("{}", e.what());
    return {};
  }
}

std::string Gallery::identity_name(std::uint32_t identity) const {
  if (identity >= impl_->identities.size()) return {};
  return std::string(impl_->str(impl_->identities[identity].name));
}

const ModelInfo& Gallery::model() const {
  return impl_->model;
}
void Gallery::check_model(const ModelInfo& engine) const {
  check_model_of(*impl_, engine);
}
const fs::path& Gallery::path() const {
  return impl_->path;
}
std::uint32_t Gallery::format_version() const {
  return impl_->header.format_version;
}
std::size_t Gallery::file_size() const {
  return impl_->header.file_size;
}
bool Gallery::has_index() const {
  return impl_->index.load() != nullptr;
}
bool Gallery::wait_for_index() const {
  impl_->index_ready.wait();
  return has_index();
}
float Gallery::pooled_variance() const {
  return impl_->header.pooled_variance;
}

std::vector<std::string> Gallery::aliases(std::uint32_t identity) const {
  std::vector<std::string> out;
  if (identity >= impl_->identities.size()) return out;
  const auto& rec = impl_->identities[identity];
  for (std::uint32_t i = 0; i < rec.alias_count; ++i)
    out.emplace_back(impl_->str(impl_->aliases[rec.alias_first + i]));
  return out;
}

Gender Gallery::gender(std::uint32_t identity) const {
  if (identity >= impl_->identities.size()) return Gender::unknown;
  auto g = impl_->identities[identity].gender;
  return g <= 2 ? static_cast<Gender>(g) : Gender::unknown;
}

bool Gallery::gender_estimated(std::uint32_t identity) const {
  return identity < impl_->identities.size() && impl_->identities[identity].gender_estimated == 1;
}

float Gallery::age(std::uint32_t identity) const {
  if (identity >= impl_->identities.size()) return 0.f;
  const float age = impl_->identities[identity].age;
  return std::isfinite(age) && age > 0.f && age < 150.f ? age : 0.f;  // a damaged value: unknown
}

int Gallery::birth_year(std::uint32_t identity) const {
  return identity < impl_->identities.size() ? impl_->identities[identity].birth_year : 0;
}

std::pair<std::uint32_t, std::uint32_t> Gallery::photo_range(std::uint32_t identity) const {
  if (identity >= impl_->identities.size()) return {0, 0};
  const auto& rec = impl_->identities[identity];
  return {rec.photo_first, rec.photo_first + rec.photo_count};
}

std::string Gallery::photo_source(std::uint32_t photo) const {
  if (photo >= impl_->photos.size()) return {};
  return std::string(impl_->str(impl_->photos[photo].source));
}

std::uint32_t Gallery::photo_identity(std::uint32_t photo) const {
  return photo < impl_->photos.size() ? impl_->photos[photo].identity : 0;
}

int Gallery::photo_year(std::uint32_t photo) const {
  return photo < impl_->photos.size() ? impl_->photos[photo].photo_year : 0;
}

std::span<const float> Gallery::embeddings() const {
  return {impl_->embeddings, impl_->header.photo_count * kEmbeddingDim};
}

std::vector<SkippedPhoto> Gallery::skipped() const {
  std::vector<SkippedPhoto> out;
  out.reserve(impl_->skipped.size());
  for (const auto& s : impl_->skipped)
    out.push_back({std::string(impl_->str(s.source)), std::string(impl_->str(s.reason))});
  return out;
}

std::optional<std::string> Gallery::format_note() const {
  if (impl_->header.format_version >= 2) return std::nullopt;
  return fmt::format(
      "built by an older version (gallery format {}): no percentiles or pose photos; rebuild it "
      "(`lookalike-cli gallery build`) to get them",
      impl_->header.format_version);
}

bool Gallery::has_resemblance() const {
  return !impl_->resemblance.empty();
}

std::span<const float> Gallery::resemblance_quantiles(std::uint32_t identity) const {
  const std::size_t levels = kResemblanceLevels.size();
  if (identity >= impl_->identities.size() || impl_->resemblance.empty()) return {};
  return impl_->resemblance.subspan(std::size_t{identity} * levels, levels);
}

Embedding Gallery::centre(std::uint32_t identity) const {
  const auto [first, end] = photo_range(identity);
  return identity_centre(embeddings().subspan(std::size_t{first} * kEmbeddingDim,
                                              std::size_t{end - first} * kEmbeddingDim));
}

std::optional<float> Gallery::percentile(std::uint32_t identity, float distance_to_centre) const {
  return resemblance_percentile(resemblance_quantiles(identity), distance_to_centre);
}

std::optional<float> Gallery::percentile_of(std::uint32_t identity, const Embedding& face) const {
  if (resemblance_quantiles(identity).empty()) return std::nullopt;
  return percentile(identity, euclidean_distance(face, centre(identity)));
}

std::span<const detail::PoseRecord> Gallery::Impl::poses_of(std::uint32_t identity) const {
  const auto lo = std::lower_bound(
      poses.begin(), poses.end(), identity,
      [](const detail::PoseRecord& r, std::uint32_t id) { return r.identity < id; });
  const auto hi = std::upper_bound(
      lo, poses.end(), identity,
      [](std::uint32_t id, const detail::PoseRecord& r) { return id < r.identity; });
  return {lo, hi};
}

std::vector<PoseThumbnail> Gallery::pose_thumbnails(std::uint32_t identity) const {
  std::vector<PoseThumbnail> out;
  for (const auto& r : impl_->poses_of(identity)) {
    const auto* j = reinterpret_cast<const unsigned char*>(impl_->blob.data() + r.jpeg_offset);
    out.push_back({static_cast<PoseBin>(r.bin), {r.yaw, r.pitch}, {j, j + r.jpeg_size}});
  }
  return out;
}

cv::Mat Gallery::pose_thumbnail(std::uint32_t identity, const HeadPose& pose) const {
  const auto records = impl_->poses_of(identity);
  const detail::PoseRecord* best = nullptr;
  for (const auto& r : records)
    if (!best || pose_distance(pose, bin_centre(static_cast<PoseBin>(r.bin))) <
                     pose_distance(pose, bin_centre(static_cast<PoseBin>(best->bin))))
      best = &r;
  if (!best) return thumbnail(identity);
  const std::span<const unsigned char> encoded(
      reinterpret_cast<const unsigned char*>(impl_->blob.data() + best->jpeg_offset),
      best->jpeg_size);
  try {
    return decode_image(encoded, fmt::format("{} pose thumbnail {} ({})", impl_->path.string(),
                                             identity, to_string(static_cast<PoseBin>(best->bin))));
  } catch (const ImageError& e) {
    spdlog::warn("{}", e.what());
    return thumbnail(identity);
  }
}

GalleryData Gallery::to_data() const {
  const auto& g = *impl_;
  GalleryData data;
  data.model = g.model;
  data.identities.resize(g.identities.size());
  for (std::uint32_t i = 0; i < g.identities.size(); ++i) {
    const auto& rec = g.identities[i];
    auto& info = data.identities[i];
    info.name = std::string(g.str(rec.name));
    info.aliases = aliases(i);
    info.gender = gender(i);
    info.gender_estimated = gender_estimated(i);
    info.age = age(i);
    info.birth_year = rec.birth_year;
    const auto* t = reinterpret_cast<const unsigned char*>(g.blob.data() + rec.thumbnail_offset);
    info.thumbnail_jpeg.assign(t, t + rec.thumbnail_size);
    info.pose_thumbnails = pose_thumbnails(i);
  }
  data.photos.resize(g.photos.size());
  for (std::uint32_t p = 0; p < g.photos.size(); ++p) {
    const auto& rec = g.photos[p];
    auto& photo = data.photos[p];
    photo.identity = rec.identity;
    photo.source = std::string(g.str(rec.source));
    std::memcpy(photo.embedding.data(), g.embedding(p), sizeof(Embedding));
    photo.photo_year = rec.photo_year;
    photo.quality = rec.quality;
  }
  data.skipped = skipped();
  return data;
}

}  // namespace lookalike

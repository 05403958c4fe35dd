// Gallery: a loaded, search-ready gallery file; implements IdentityMatcher.
//
// Search (see core/src/gallery/search.cpp):
//  - exact: one pass over the contiguous float32 embeddings, identity by identity (photos are
//    stored grouped), keeping the best photo (or the mean of the n best) per identity and a
//    bounded heap of the top k identities. Ties are broken by identity index, so results are
//    deterministic.
//  - approximate (SearchOptions::allow_approximate): above the HNSW threshold the index
//    returns the nearest photos; their identities are re-scored exactly over all their
//    photos. With GalleryLoadOptions::int8_copy, a quantized copy (4x less memory traffic)
//    picks candidate identities the same way. Approximation changes at most which
//    identities are candidates, never their scores.
//  - mahalanobis: candidates are the nearest identities by euclidean distance, re-ranked by
//    each identity's Mahalanobis distance (mahalanobis.hpp).
//  Every match carries its resemblance percentile when the gallery has quantiles
//  (resemblance.hpp; format version 2).
//
// Contract: immutable after load (apart from the HNSW index, published once by a background
// loader thread that the destructor joins); every method is const and thread-safe, so one instance
// is shared (std::shared_ptr<const Gallery>) by all workers and the UI. The file is read into
// memory whole at load (a private copy: replacing or truncating the file later changes nothing
// and cannot SIGBUS the app). load() throws GalleryError whose message names the file, the problem
// and what to do.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/gallery_data.hpp"
#include "lookalike/gallery/gallery_error.hpp"
#include "lookalike/gallery/gallery_file.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike {

struct GalleryLoadOptions {
  // When set, a gallery whose weights_sha256 differs is refused (GalleryError::wrong_model).
  std::optional<ModelInfo> expected_model;
  bool verify_checksum = true;  // XXH64 over the whole file (~0.1 s per GB)
  bool load_index = true;       // use FILE.hnsw when present and matching the header
  // Load FILE.hnsw on a background thread: load() returns as soon as the gallery itself is
  // read and verified, and searches are exact until the index is ready (wait_for_index()).
  bool index_in_background = true;
  int ef_search = HnswParams{}.ef_search;
  bool int8_copy = false;  // keep an int8 copy of the embeddings for candidate search
};

struct PhotoHit {
  float distance = 0.f;  // in the metric's unit (euclidean or cosine only)
  std::uint32_t photo = 0;
};

class Gallery final : public IdentityMatcher {
 public:
  static std::shared_ptr<const Gallery> load(const std::filesystem::path& path,
                                             const GalleryLoadOptions& options = {});
  // Serializes `data` in memory and loads that (tests, `gallery add`). No index unless
  // data has at least `index_threshold` photos (then it is built in memory).
  static std::shared_ptr<const Gallery> from_data(const GalleryData& data,
                                                  const GalleryLoadOptions& options = {},
                                                  std::size_t index_threshold = SIZE_MAX);
  ~Gallery() override;
  Gallery(const Gallery&) = delete;
  Gallery& operator=(const Gallery&) = delete;

  // IdentityMatcher
  std::vector<IdentityMatch> match(const Embedding& query,
                                   const SearchOptions& options) const override;
  std::size_t identity_count() const override;
  std::size_t photo_count() const override;
  cv::Mat thumbnail(std::uint32_t identity) const override;
  // The pose thumbnail whose bin centre is nearest `pose`; thumbnail() when it has none.
  cv::Mat pose_thumbnail(std::uint32_t identity, const HeadPose& pose) const override;
  std::string identity_name(std::uint32_t identity) const override;
  Gender identity_gender(std::uint32_t identity) const override { return gender(identity); }
  const ModelInfo& model() const override;

  // Photo-level search (recall tests, benchmarks). approximate uses the index if loaded.
  std::vector<PhotoHit> nearest_photos(const Embedding& query, std::size_t k, Metric metric,
                                       bool approximate) const;

  // Throws GalleryError(wrong_model) naming this gallery's file if `engine` differs.
  void check_model(const ModelInfo& engine) const;
  const std::filesystem::path& path() const;  // "<memory>" for from_data()
  std::uint32_t format_version() const;
  std::size_t file_size() const;
  bool has_index() const;       // the HNSW index is loaded and used (may turn true later)
  bool wait_for_index() const;  // blocks until the background index load ended; has_index()

  std::vector<std::string> aliases(std::uint32_t identity) const;
  Gender gender(std::uint32_t identity) const;
  bool gender_estimated(std::uint32_t identity) const;  // IdentityInfo::gender_estimated
  float age(std::uint32_t identity) const;              // years; 0 = unknown
  int birth_year(std::uint32_t identity) const;
  std::pair<std::uint32_t, std::uint32_t> photo_range(
      std::uint32_t identity) const;  // [first, end)
  std::string photo_source(std::uint32_t photo) const;
  std::uint32_t photo_identity(std::uint32_t photo) const;
  int photo_year(std::uint32_t photo) const;
  std::span<const float> embeddings() const;  // photo_count x kEmbeddingDim
  std::vector<SkippedPhoto> skipped() const;
  float pooled_variance() const;  // mean within-identity variance per dimension

  // Format version 2 extras (gallery_file.hpp). A version 1 gallery has neither; then
  // format_note() says so (also logged at info when it loads).
  std::optional<std::string> format_note() const;
  bool has_resemblance() const;
  // The identity's resemblance quantiles (resemblance.hpp), empty when the gallery has none.
  std::span<const float> resemblance_quantiles(std::uint32_t identity) const;
  // Mean of the identity's photo embeddings: what the quantiles measure distances to.
  Embedding centre(std::uint32_t identity) const;
  // "Closer to the identity than P % of the gallery's other photos": P for a distance to the
  // identity's centre, or for a face's embedding. Nullopt when the gallery has no quantiles
  // for it (version 1, a one-identity gallery).
  std::optional<float> percentile(std::uint32_t identity, float distance_to_centre) const;
  std::optional<float> percentile_of(std::uint32_t identity, const Embedding& face) const;
  // The identity's pose-bin thumbnails as stored (JPEG bytes), in bin order.
  std::vector<PoseThumbnail> pose_thumbnails(std::uint32_t identity) const;

  // Copies everything back into the editable form (for `gallery add` / `remove`).
  GalleryData to_data() const;

  struct Impl;  // opaque (core/src/gallery/gallery_impl.hpp)

 private:
  Gallery();
  std::unique_ptr<Impl> impl_;
};

}  // namespace lookalike

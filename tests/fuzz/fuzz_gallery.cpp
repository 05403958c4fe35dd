// Fuzz target: the gallery file loader (Gallery::load, gallery.hpp) on an arbitrary .lkg file,
// then every accessor (the version 2 extras too) and a search on what it accepted.
// The checksum is not verified: a hostile file can carry a valid one, so the table checks behind
// it must hold on their own (and the fuzzer could never get past XXH64 otherwise). The HNSW
// index has its own target (fuzz_hnsw).
// Finding: a crash or sanitizer report, or an exception other than GalleryError from load()
// (none at all from the accessors of a gallery that loaded).
#include <spdlog/spdlog.h>

#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "lookalike/gallery/gallery.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Every version 1 input would log the "built by an older version" note at info.
  static const bool quiet = [] {
    spdlog::set_level(spdlog::level::warn);
    return true;
  }();
  (void)quiet;
  const auto path = lookalike::fuzz::scratch().write("input.lkg", data, size);
  lookalike::GalleryLoadOptions options;
  options.verify_checksum = false;
  options.load_index = false;
  std::shared_ptr<const lookalike::Gallery> gallery;
  try {
    gallery = lookalike::Gallery::load(path, options);
  } catch (const lookalike::GalleryError&) {
    return 0;
  }
  for (std::uint32_t i = 0; i < gallery->identity_count(); ++i) {
    (void)gallery->identity_name(i);
    (void)gallery->aliases(i);
    (void)gallery->gender(i);
    (void)gallery->birth_year(i);
    (void)gallery->thumbnail(i);
    // Format version 2's sections (resemblance quantiles, pose thumbnails).
    (void)gallery->resemblance_quantiles(i);
    (void)gallery->percentile(i, 0.5f);
    (void)gallery->centre(i);
    (void)gallery->pose_thumbnails(i);
    (void)gallery->pose_thumbnail(i, {-30.f, 5.f});
    const auto [first, end] = gallery->photo_range(i);
    (void)first;
    (void)end;
  }
  for (std::uint32_t p = 0; p < gallery->photo_count(); ++p) {
    (void)gallery->photo_source(p);
    (void)gallery->photo_identity(p);
    (void)gallery->photo_year(p);
  }
  lookalike::Embedding query{};
  query[0] = 1.f;
  (void)gallery->format_note();
  (void)gallery->has_resemblance();
  (void)gallery->match(query, lookalike::SearchOptions{});  // with each match's percentile
  (void)gallery->nearest_photos(query, 5, lookalike::Metric::cosine, false);
  return 0;
}

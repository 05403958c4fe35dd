// Format version 2's extras built by the real engine from shared lfw10 photos: every identity
// gets pose thumbnails (each in its own bin, a decodable 112 px crop) and resemblance
// quantiles; a rebuild from scratch writes the same bytes; `gallery add` ends with the same
// extras as building everything at once; a gallery photo of X ranks very high for X.
#include <gtest/gtest.h>

#include "lookalike/file_util.hpp"
#include "lookalike/gallery/builder.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/resemblance.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;
using test::shared_data;

namespace {

BuildOptions two_workers() {
  BuildOptions o;
  o.threads = 2;
  return o;
}

std::vector<PhotoSource> lfw10_people(std::initializer_list<const char*> names) {
  std::vector<PhotoSource> sources;
  for (const char* name : names) {
    auto found = scan_identity_folders(shared_data(std::string("faces/lfw10/") + name));
    sources.insert(sources.end(), found.begin(), found.end());
  }
  return sources;
}

}  // namespace

TEST(GalleryExtrasBuild, PoseThumbnailsAndQuantilesFromRealPhotosRebuildIdentically) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const auto sources = lfw10_people({"Ariel_Sharon", "Colin_Powell", "Hugo_Chavez"});
  ASSERT_TRUE(build_gallery_file(dir / "a.lkg", sources, two_workers()).completed);
  ASSERT_TRUE(build_gallery_file(dir / "b.lkg", sources, two_workers()).completed);
  EXPECT_EQ(read_file_bytes(dir / "a.lkg"), read_file_bytes(dir / "b.lkg"))
      << "a rebuild from scratch differs";

  const auto g = Gallery::load(dir / "a.lkg");
  ASSERT_EQ(g->identity_count(), 3u);
  ASSERT_TRUE(g->has_resemblance());
  std::size_t bins = 0;
  for (std::uint32_t i = 0; i < g->identity_count(); ++i) {
    const auto thumbnails = g->pose_thumbnails(i);
    // Ten photos each, turned both ways (lfw10's poses): at least two bins per person.
    EXPECT_GE(thumbnails.size(), 2u) << g->identity_name(i);
    bins += thumbnails.size();
    for (const auto& t : thumbnails) {
      EXPECT_EQ(pose_bin(t.pose), t.bin) << g->identity_name(i) << " " << to_string(t.bin);
      const cv::Mat crop = g->pose_thumbnail(i, t.pose);
      EXPECT_EQ(crop.size(), cv::Size(112, 112)) << g->identity_name(i);
    }
    // Every photo of X is closer to X's centre than nearly all photos of the others.
    const auto [first, end] = g->photo_range(i);
    for (auto p = first; p < end; ++p) {
      Embedding e;
      std::copy_n(g->embeddings().data() + std::size_t{p} * kEmbeddingDim, kEmbeddingDim,
                  e.begin());
      const auto percentile = g->percentile_of(i, e);
      ASSERT_TRUE(percentile.has_value());
      EXPECT_GE(*percentile, 90.f) << g->photo_source(p);
    }
  }
  EXPECT_GE(bins, 7u);
}

// `gallery add` (a base gallery extended by new photos) ends where building everything at once
// ends: the same bytes, so the same quantiles and pose thumbnails.
TEST(GalleryExtrasBuild, AddingAPersonGivesWhatBuildingAllAtOnceGives) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const auto all = lfw10_people({"Colin_Powell", "Hugo_Chavez", "Tony_Blair"});
  ASSERT_TRUE(build_gallery_file(dir / "all.lkg", all, two_workers()).completed);
  ASSERT_TRUE(build_gallery_file(dir / "part.lkg", lfw10_people({"Colin_Powell", "Hugo_Chavez"}),
                                 two_workers())
                  .completed);
  const auto base = Gallery::load(dir / "part.lkg")->to_data();
  ASSERT_TRUE(build_gallery_file(dir / "part.lkg", lfw10_people({"Tony_Blair"}), two_workers(), {},
                                 {}, &base)
                  .completed);
  const auto added = Gallery::load(dir / "part.lkg");
  const auto whole = Gallery::load(dir / "all.lkg");
  ASSERT_EQ(added->identity_count(), whole->identity_count());
  for (std::uint32_t i = 0; i < whole->identity_count(); ++i) {
    EXPECT_EQ(added->identity_name(i), whole->identity_name(i));
    const auto a = added->resemblance_quantiles(i);
    const auto w = whole->resemblance_quantiles(i);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), w.begin(), w.end())) << whole->identity_name(i);
    const auto pa = added->pose_thumbnails(i);
    const auto pw = whole->pose_thumbnails(i);
    ASSERT_EQ(pa.size(), pw.size()) << whole->identity_name(i);
    for (std::size_t k = 0; k < pa.size(); ++k) {
      EXPECT_EQ(pa[k].bin, pw[k].bin);
      EXPECT_EQ(pa[k].jpeg, pw[k].jpeg) << whole->identity_name(i) << " " << to_string(pa[k].bin);
    }
  }
  EXPECT_EQ(read_file_bytes(dir / "part.lkg"), read_file_bytes(dir / "all.lkg"));
}

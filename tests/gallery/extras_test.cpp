// Format version 2's extras on synthetic galleries: the resemblance quantiles and the pose-bin
// thumbnails are stored, loaded and recomputed identically; the percentile is monotone and a
// gallery photo of X ranks very high for X; version 1 galleries still load, without them, with a
// note; hostile sections are refused; the pose pick keeps the photo nearest each bin's centre.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "curate.hpp"
#include "format.hpp"
#include "lookalike/file_util.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/resemblance.hpp"
#include "synthetic.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;
using lookalike::test::TempDir;

namespace {

std::vector<unsigned char> jpeg_of(int shade) {
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", cv::Mat(112, 112, CV_8UC3, cv::Scalar(shade, 255 - shade, 90)), jpeg);
  return jpeg;
}

// 12 identities x 5 photos; identities 0 and 3 have pose thumbnails.
GalleryData sample() {
  auto data = test::synthetic_gallery(12, 5, 17);
  data.identities[0].thumbnail_jpeg = jpeg_of(10);
  data.identities[0].pose_thumbnails = {{PoseBin::frontal, {2.f, -1.f}, jpeg_of(40)},
                                        {PoseBin::left, {-28.f, 3.f}, jpeg_of(120)},
                                        {PoseBin::up, {4.f, 19.f}, jpeg_of(200)}};
  data.identities[3].pose_thumbnails = {{PoseBin::right, {33.f, 0.5f}, jpeg_of(160)}};
  return data;
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges_of(const Gallery& g) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
  for (std::uint32_t i = 0; i < g.identity_count(); ++i) ranges.push_back(g.photo_range(i));
  return ranges;
}

detail::FileHeader header_of(const fs::path& path) {
  const auto bytes = read_file_bytes(path);
  detail::FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  return h;
}

void patch(const fs::path& path, std::uint64_t offset, const void* bytes, std::size_t n) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n));
}

std::string load_error(const fs::path& path) {
  try {
    Gallery::load(path, {.verify_checksum = false});
  } catch (const GalleryError& e) {
    EXPECT_EQ(e.kind(), GalleryError::Kind::corrupted) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error loading " << path;
  return {};
}

}  // namespace

TEST(GalleryExtras, StoredLoadedAndRecomputedIdentically) {
  TempDir dir;
  const auto data = sample();
  write_gallery(dir / "g.lkg", data);
  const auto g = Gallery::load(dir / "g.lkg");
  EXPECT_EQ(g->format_version(), kGalleryFormatVersion);
  EXPECT_FALSE(g->format_note().has_value());
  ASSERT_TRUE(g->has_resemblance());

  // The quantiles are those the embeddings give, to the bit.
  const auto recomputed = resemblance_quantiles(g->embeddings(), ranges_of(*g));
  const std::size_t levels = kResemblanceLevels.size();
  ASSERT_EQ(recomputed.size(), g->identity_count() * levels);
  for (std::uint32_t i = 0; i < g->identity_count(); ++i) {
    const auto stored = g->resemblance_quantiles(i);
    ASSERT_EQ(stored.size(), levels);
    EXPECT_EQ(std::memcmp(stored.data(), recomputed.data() + i * levels, levels * sizeof(float)), 0)
        << "identity " << i;
    for (std::size_t l = 1; l < levels; ++l) EXPECT_LE(stored[l - 1], stored[l]);
    // 55 other photos: the nearest and farthest are real distances between descriptors.
    EXPECT_GT(stored.front(), 0.f);
    EXPECT_LT(stored.back(), 2.f);
  }

  // Pose thumbnails come back as written, in bin order.
  for (std::uint32_t i = 0; i < g->identity_count(); ++i) {
    const auto loaded = g->pose_thumbnails(i);
    const auto& written = data.identities[i].pose_thumbnails;
    ASSERT_EQ(loaded.size(), written.size()) << "identity " << i;
    for (std::size_t k = 0; k < loaded.size(); ++k) {
      EXPECT_EQ(loaded[k].bin, written[k].bin);
      EXPECT_EQ(loaded[k].pose.yaw, written[k].pose.yaw);
      EXPECT_EQ(loaded[k].pose.pitch, written[k].pose.pitch);
      EXPECT_EQ(loaded[k].jpeg, written[k].jpeg);
    }
  }

  // to_data() -> write -> the same bytes; an in-memory gallery has the same quantiles.
  write_gallery(dir / "h.lkg", g->to_data());
  EXPECT_EQ(read_file_bytes(dir / "g.lkg"), read_file_bytes(dir / "h.lkg"));
  const auto memory = Gallery::from_data(data);
  for (std::uint32_t i = 0; i < g->identity_count(); ++i) {
    const auto a = g->resemblance_quantiles(i);
    const auto b = memory->resemblance_quantiles(i);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << "identity " << i;
  }
}

TEST(GalleryExtras, PercentileIsMonotoneAndOwnPhotosRankVeryHigh) {
  const auto data = sample();
  const auto g = Gallery::from_data(data);
  for (std::uint32_t i = 0; i < g->identity_count(); ++i) {
    float previous = 100.f;
    for (float d = 0.f; d <= 2.f; d += 0.01f) {
      const auto p = g->percentile(i, d);
      ASSERT_TRUE(p.has_value());
      EXPECT_LE(*p, previous) << "identity " << i << " at distance " << d;
      EXPECT_GE(*p, 0.f);
      previous = *p;
    }
    EXPECT_EQ(*g->percentile(i, 0.f), 100.f);
    EXPECT_EQ(*g->percentile(i, 2.f), 0.f);
  }
  // Every gallery photo is nearer its own identity's centre than (almost) all other photos.
  for (const auto& photo : data.photos) {
    const auto p = g->percentile_of(photo.identity, photo.embedding);
    ASSERT_TRUE(p.has_value());
    EXPECT_GE(*p, 99.f) << photo.source;
  }
  // Search results carry it: the top-1 for a photo is its identity, with the same percentile.
  const auto& probe = data.photos[7];
  const auto hits = g->match(probe.embedding, {.top_k = 3});
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].identity, probe.identity);
  for (const auto& hit : hits) {
    ASSERT_TRUE(hit.percentile.has_value()) << hit.name;
    EXPECT_EQ(*hit.percentile, *g->percentile_of(hit.identity, probe.embedding));
  }
  EXPECT_GT(*hits[0].percentile, *hits[1].percentile);
  // A one-identity gallery has no other photos to compare with: unknown, not 100 %.
  auto lonely = test::synthetic_gallery(1, 4);
  const auto one = Gallery::from_data(lonely);
  EXPECT_FALSE(one->has_resemblance());
  EXPECT_FALSE(one->percentile_of(0, lonely.photos[0].embedding).has_value());
  EXPECT_FALSE(one->match(lonely.photos[0].embedding, {})[0].percentile.has_value());
}

TEST(GalleryExtras, PoseThumbnailNearestTheFacesPoseOrTheThumbnail) {
  const auto g = Gallery::from_data(sample());
  auto shade_of = [](const cv::Mat& image) { return image.at<cv::Vec3b>(56, 56)[0]; };
  EXPECT_NEAR(shade_of(g->pose_thumbnail(0, {-35.f, 0.f})), 120, 4) << "left";
  EXPECT_NEAR(shade_of(g->pose_thumbnail(0, {1.f, 2.f})), 40, 4) << "frontal";
  EXPECT_NEAR(shade_of(g->pose_thumbnail(0, {0.f, 25.f})), 200, 4) << "up";
  // No "right" thumbnail: the nearest bin that exists (frontal, 30 degrees away, beats left at
  // 60 and up at 36).
  EXPECT_NEAR(shade_of(g->pose_thumbnail(0, {30.f, 0.f})), 40, 4) << "right -> frontal";
  EXPECT_NEAR(shade_of(g->pose_thumbnail(3, {-30.f, 0.f})), 160, 4) << "only one";
  // None at all: the identity's thumbnail (or nothing, like thumbnail()).
  EXPECT_TRUE(g->pose_thumbnail(1, {0.f, 0.f}).empty());
  EXPECT_TRUE(g->pose_thumbnail(99, {0.f, 0.f}).empty());
}

TEST(GalleryExtras, Version1GalleriesLoadWithoutThemAndSaySo) {
  TempDir dir;
  const auto data = sample();
  write_gallery(dir / "old.lkg", data, {.format_version = kOldestGalleryFormatVersion});
  const auto g = Gallery::load(dir / "old.lkg");
  EXPECT_EQ(g->format_version(), 1u);
  ASSERT_TRUE(g->format_note().has_value());
  EXPECT_NE(g->format_note()->find("older version"), std::string::npos) << *g->format_note();
  EXPECT_NE(g->format_note()->find("rebuild"), std::string::npos) << *g->format_note();
  EXPECT_FALSE(g->has_resemblance());
  EXPECT_FALSE(g->percentile(0, 0.3f).has_value());
  EXPECT_TRUE(g->pose_thumbnails(0).empty());
  EXPECT_NEAR(g->pose_thumbnail(0, {-30.f, 0.f}).at<cv::Vec3b>(56, 56)[0], 10, 4)
      << "falls back to the thumbnail";
  const auto hits = g->match(data.photos[2].embedding, {});
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].identity, data.photos[2].identity);
  EXPECT_FALSE(hits[0].percentile.has_value());
  // The same search answers as version 2 (the extras change no distance).
  const auto v2 = Gallery::from_data(data)->match(data.photos[2].embedding, {});
  ASSERT_EQ(v2.size(), hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(v2[i].distance, hits[i].distance);
  // Rewriting it (what `gallery add` and `remove` do) upgrades it: quantiles from its photos.
  write_gallery(dir / "new.lkg", g->to_data());
  const auto upgraded = Gallery::load(dir / "new.lkg");
  EXPECT_EQ(upgraded->format_version(), kGalleryFormatVersion);
  EXPECT_TRUE(upgraded->has_resemblance());
  // Version 1 ignores whatever the reserved bytes hold (they were zero, but never checked).
  const std::uint64_t junk = 0xfffffff0;
  patch(dir / "old.lkg", offsetof(detail::FileHeader, pose_offset), &junk, sizeof junk);
  EXPECT_TRUE(
      Gallery::load(dir / "old.lkg", {.verify_checksum = false})->pose_thumbnails(0).empty());
}

TEST(GalleryExtras, AfterRemoveTheQuantilesAreThoseOfTheRemainingPhotos) {
  TempDir dir;
  write_gallery(dir / "g.lkg", sample());
  auto data = Gallery::load(dir / "g.lkg")->to_data();
  ASSERT_TRUE(data.remove_identity("Person 2"));
  write_gallery(dir / "g.lkg", data);
  const auto g = Gallery::load(dir / "g.lkg");
  ASSERT_EQ(g->identity_count(), 11u);
  const auto recomputed = resemblance_quantiles(g->embeddings(), ranges_of(*g));
  const std::size_t levels = kResemblanceLevels.size();
  for (std::uint32_t i = 0; i < g->identity_count(); ++i)
    EXPECT_EQ(std::memcmp(g->resemblance_quantiles(i).data(), recomputed.data() + i * levels,
                          levels * sizeof(float)),
              0);
  EXPECT_EQ(g->pose_thumbnails(2).size(), 1u) << "Person 3's right thumbnail moved up with it";
}

TEST(GalleryExtras, HostileSectionsAreRefused) {
  TempDir dir;
  write_gallery(dir / "g.lkg", sample());
  const auto h = header_of(dir / "g.lkg");
  ASSERT_NE(h.resemblance_offset, 0u);
  ASSERT_EQ(h.pose_count, 4u);
  const auto good = read_file_bytes(dir / "g.lkg");
  auto restore = [&] { write_file_atomically(dir / "g.lkg", good); };
  auto expect_refused = [&](std::uint64_t offset, const auto& value, const std::string& what) {
    restore();
    patch(dir / "g.lkg", offset, &value, sizeof value);
    const auto message = load_error(dir / "g.lkg");
    EXPECT_NE(message.find(what), std::string::npos) << message;
  };
  const auto pose_field = [&](std::size_t record, std::size_t field) {
    return h.pose_offset + record * sizeof(detail::PoseRecord) + field;
  };
  expect_refused(pose_field(0, offsetof(detail::PoseRecord, identity)), std::uint32_t{12},
                 "pose thumbnail table");
  expect_refused(pose_field(1, offsetof(detail::PoseRecord, bin)), std::uint8_t{9},
                 "pose thumbnail table");
  expect_refused(pose_field(1, offsetof(detail::PoseRecord, bin)), std::uint8_t{0},
                 "pose thumbnail table");  // out of order: frontal twice
  expect_refused(pose_field(2, offsetof(detail::PoseRecord, yaw)), NAN, "pose thumbnail table");
  expect_refused(pose_field(3, offsetof(detail::PoseRecord, jpeg_offset)), h.blob_size,
                 "pose thumbnail table");
  expect_refused(pose_field(3, offsetof(detail::PoseRecord, jpeg_size)), std::uint32_t{1} << 30,
                 "pose thumbnail table");
  expect_refused(pose_field(3, offsetof(detail::PoseRecord, jpeg_size)), std::uint32_t{0},
                 "pose thumbnail table");  // the writer never stores an empty one
  expect_refused(offsetof(detail::FileHeader, pose_count), std::uint64_t{1} << 40,
                 "pose thumbnail table");
  expect_refused(offsetof(detail::FileHeader, pose_offset), h.file_size - 8,
                 "pose thumbnail table");
  expect_refused(offsetof(detail::FileHeader, resemblance_level_count), std::uint32_t{3},
                 "resemblance table");
  expect_refused(offsetof(detail::FileHeader, resemblance_offset), h.file_size - 16,
                 "resemblance table");
  expect_refused(h.resemblance_offset + sizeof(float), 0.5f, "resemblance levels");
  // A row that decreases, or is half unknown.
  const std::uint64_t row = h.resemblance_offset + kResemblanceLevels.size() * sizeof(float) * 2;
  expect_refused(row + sizeof(float), 0.f, "resemblance table");
  expect_refused(row, NAN, "resemblance table");
  restore();
  EXPECT_NO_THROW(Gallery::load(dir / "g.lkg"));
}

// The builder's pick: per bin, the photo nearest the bin's centre among those in the bin,
// current thumbnails winning ties; photos without a bin of their own leave it empty.
TEST(GalleryExtras, PosePickKeepsThePhotoNearestEachBinCentre) {
  const auto a = jpeg_of(1), b = jpeg_of(2), c = jpeg_of(3), d = jpeg_of(4);
  const std::vector<detail::PosedPhoto> photos = {
      {{5.f, 2.f}, &a}, {{-1.f, 1.f}, &b}, {{-40.f, 0.f}, &c}, {{-25.f, 3.f}, &d}};
  const auto picked = detail::pick_pose_thumbnails({}, photos);
  ASSERT_EQ(picked.size(), 2u);
  EXPECT_EQ(picked[0].bin, PoseBin::frontal);
  EXPECT_EQ(picked[0].jpeg, b);
  EXPECT_EQ(picked[1].bin, PoseBin::left);
  EXPECT_EQ(picked[1].jpeg, d);  // 5.8 from (-30, 0); the other is 10 away
  // `gallery add`: a current thumbnail stays unless a new photo is nearer its bin's centre.
  const std::vector<PoseThumbnail> current = {{PoseBin::left, {-30.f, 1.f}, a},
                                              {PoseBin::down, {0.f, -22.f}, c}};
  const auto merged = detail::pick_pose_thumbnails(current, photos);
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[1].bin, PoseBin::left);
  EXPECT_EQ(merged[1].jpeg, a);
  EXPECT_EQ(merged[2].bin, PoseBin::down);
  // Order-free: the same photos in another order pick the same.
  const std::vector<detail::PosedPhoto> reversed(photos.rbegin(), photos.rend());
  const auto again = detail::pick_pose_thumbnails({}, reversed);
  ASSERT_EQ(again.size(), picked.size());
  for (std::size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].jpeg, picked[i].jpeg);
}

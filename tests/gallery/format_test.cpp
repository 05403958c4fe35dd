// The gallery file: round trip, atomic replacement, and a distinct clear error for each kind
// of damage (truncated, corrupted, wrong version, wrong model, not a gallery, missing).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "lookalike/file_util.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "synthetic.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;
using lookalike::test::TempDir;

namespace {

GalleryData sample() {
  auto data = test::synthetic_gallery(4, 3);
  data.identities[1].aliases = {"Selena", "Sel"};
  data.identities[1].gender = Gender::female;
  data.identities[1].birth_year = 1992;
  cv::Mat thumb(112, 112, CV_8UC3, cv::Scalar(10, 200, 30));
  cv::imencode(".jpg", thumb, data.identities[2].thumbnail_jpeg);
  data.photos[4].photo_year = 2011;
  data.skipped = {{"bad/photo.jpg", "unreadable: not an image"}, {"x.png", "no face"}};
  // Interleave photo order: the writer must group by identity.
  std::swap(data.photos[0], data.photos[11]);
  return data;
}

void patch(const fs::path& path, std::size_t offset, const void* bytes, std::size_t n) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n));
}

GalleryError::Kind load_error(const fs::path& path, std::string* message,
                              const GalleryLoadOptions& options = {}) {
  try {
    Gallery::load(path, options);
  } catch (const GalleryError& e) {
    *message = e.what();
    return e.kind();
  }
  ADD_FAILURE() << "no error loading " << path;
  return GalleryError::Kind::invalid_data;
}

}  // namespace

TEST(GalleryFormat, RoundTripKeepsEverything) {
  TempDir dir;
  const auto data = sample();
  write_gallery(dir / "g.lkg", data);
  auto g = Gallery::load(dir / "g.lkg");
  ASSERT_EQ(g->identity_count(), 4u);
  ASSERT_EQ(g->photo_count(), 12u);
  EXPECT_EQ(g->model().weights_sha256, data.model.weights_sha256);
  EXPECT_EQ(g->model().id, "synthetic");
  EXPECT_EQ(g->identity_name(1), "Person 1");
  EXPECT_EQ(g->aliases(1), (std::vector<std::string>{"Selena", "Sel"}));
  EXPECT_EQ(g->gender(1), Gender::female);
  EXPECT_EQ(g->birth_year(1), 1992);
  EXPECT_TRUE(g->thumbnail(0).empty());
  cv::Mat thumb = g->thumbnail(2);
  ASSERT_EQ(thumb.size(), cv::Size(112, 112));
  EXPECT_NEAR(thumb.at<cv::Vec3b>(50, 50)[1], 200, 4);
  ASSERT_EQ(g->skipped().size(), 2u);
  EXPECT_EQ(g->skipped()[0].reason, "unreadable: not an image");
  EXPECT_FALSE(g->has_index());
  // Photos grouped by identity, each with its own embedding and source.
  for (std::uint32_t id = 0; id < 4; ++id) {
    auto [first, end] = g->photo_range(id);
    EXPECT_EQ(end - first, 3u);
    for (auto p = first; p < end; ++p) {
      EXPECT_EQ(g->photo_identity(p), id);
      const auto src = g->photo_source(p);
      auto it = std::find_if(data.photos.begin(), data.photos.end(),
                             [&](const PhotoEntry& e) { return e.source == src; });
      ASSERT_NE(it, data.photos.end());
      EXPECT_EQ(std::memcmp(it->embedding.data(), g->embeddings().data() + p * kEmbeddingDim,
                            sizeof(Embedding)),
                0);
      EXPECT_EQ(g->photo_year(p), it->photo_year);
    }
  }
  // to_data() -> write again gives the same bytes (the format is deterministic).
  write_gallery(dir / "h.lkg", g->to_data());
  auto a = lookalike::read_file_bytes(dir / "g.lkg");
  auto b = lookalike::read_file_bytes(dir / "h.lkg");
  EXPECT_EQ(a, b);
}

// Thumbnails are bytes from the gallery file: decoded by the hardened loader, so a truncated
// JPEG or a decompression bomb gives no thumbnail (and a warning), never a half-decoded image.
TEST(GalleryFormat, HostileThumbnailsAreRefusedNotDecoded) {
  TempDir dir;
  auto data = sample();
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", cv::Mat(112, 112, CV_8UC3, cv::Scalar(10, 200, 30)), jpeg);
  data.identities[0].thumbnail_jpeg.assign(jpeg.begin(), jpeg.begin() + jpeg.size() / 2);
  const std::string bomb = std::string("\x89PNG\r\n\x1a\n") +
                           std::string("\x00\x00\x00\x0dIHDR", 8) +
                           std::string("\x00\x00\x4e\x20\x00\x00\x4e\x20\x08\x02\x00\x00\x00", 13) +
                           std::string(4, '\0');
  data.identities[1].thumbnail_jpeg.assign(bomb.begin(), bomb.end());
  write_gallery(dir / "g.lkg", data);
  auto g = Gallery::load(dir / "g.lkg");
  EXPECT_TRUE(g->thumbnail(0).empty()) << "truncated JPEG";
  EXPECT_TRUE(g->thumbnail(1).empty()) << "bomb";
  EXPECT_EQ(g->thumbnail(2).size(), cv::Size(112, 112)) << "the good one still decodes";
}

TEST(GalleryFormat, TruncatedFileIsRefusedAsTruncated) {
  TempDir dir;
  write_gallery(dir / "g.lkg", sample());
  fs::resize_file(dir / "g.lkg", fs::file_size(dir / "g.lkg") - 100);
  std::string message;
  EXPECT_EQ(load_error(dir / "g.lkg", &message), GalleryError::Kind::truncated);
  EXPECT_NE(message.find((dir / "g.lkg").string()), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
  EXPECT_NE(message.find("rebuild"), std::string::npos) << message;
  // Shorter than a header.
  fs::resize_file(dir / "g.lkg", 40);
  EXPECT_EQ(load_error(dir / "g.lkg", &message), GalleryError::Kind::truncated);
}

TEST(GalleryFormat, FlippedByteIsRefusedAsCorrupted) {
  TempDir dir;
  write_gallery(dir / "g.lkg", sample());
  const auto size = fs::file_size(dir / "g.lkg");
  const char junk = 0x5a;
  patch(dir / "g.lkg", size / 2, &junk, 1);
  std::string message;
  EXPECT_EQ(load_error(dir / "g.lkg", &message), GalleryError::Kind::corrupted);
  EXPECT_NE(message.find("checksum"), std::string::npos) << message;
  EXPECT_NE(message.find((dir / "g.lkg").string()), std::string::npos) << message;
}

TEST(GalleryFormat, OtherVersionIsRefusedAsWrongVersion) {
  TempDir dir;
  write_gallery(dir / "g.lkg", sample());
  const std::uint32_t version = 7;
  patch(dir / "g.lkg", 8, &version, sizeof version);
  std::string message;
  EXPECT_EQ(load_error(dir / "g.lkg", &message), GalleryError::Kind::wrong_version);
  EXPECT_NE(message.find("version 7"), std::string::npos) << message;
}

TEST(GalleryFormat, OtherModelIsRefusedAsWrongModel) {
  TempDir dir;
  write_gallery(dir / "g.lkg", sample());
  GalleryLoadOptions options;
  options.expected_model = ModelInfo{"dlib-resnet29-v1", std::string(64, 'b'), "hog", "x"};
  std::string message;
  EXPECT_EQ(load_error(dir / "g.lkg", &message, options), GalleryError::Kind::wrong_model);
  EXPECT_NE(message.find("not comparable"), std::string::npos) << message;
  EXPECT_NE(message.find("gallery build"), std::string::npos) << message;
  // The same model loads.
  options.expected_model->weights_sha256 = std::string(64, 'a');
  EXPECT_NO_THROW(Gallery::load(dir / "g.lkg", options));
}

TEST(GalleryFormat, OtherFilesAreNotGalleries) {
  TempDir dir;
  std::ofstream(dir / "photo.jpg") << "this is not a gallery at all, just some text........";
  std::string message;
  EXPECT_EQ(load_error(dir / "photo.jpg", &message), GalleryError::Kind::not_a_gallery);
  EXPECT_EQ(load_error(dir / "missing.lkg", &message), GalleryError::Kind::io);
  EXPECT_NE(message.find("missing.lkg"), std::string::npos) << message;
}

TEST(GalleryFormat, FailedWriteLeavesPreviousGalleryUntouched) {
  TempDir dir;
  write_gallery(dir / "g.lkg", sample());
  const auto before = lookalike::read_file_bytes(dir / "g.lkg");
  auto bad = sample();
  bad.photos[0].identity = 99;
  EXPECT_THROW(write_gallery(dir / "g.lkg", bad), GalleryError);
  EXPECT_EQ(lookalike::read_file_bytes(dir / "g.lkg"), before);
  int files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++files;
  EXPECT_EQ(files, 1) << "temporary files left behind";
}

// A running app keeps its gallery while the file is truncated or rewritten under it (another
// build, a copy over it): the loaded gallery is a private copy, so there is no SIGBUS from a
// vanished mapped page and the answers stay the same; a reload then says what happened.
TEST(GalleryFormat, TruncatedOrRewrittenUnderALoadedGalleryChangesNothing) {
  TempDir dir;
  const auto data = sample();
  write_gallery(dir / "g.lkg", data);
  auto g = Gallery::load(dir / "g.lkg");
  const auto before = g->match(data.photos[4].embedding, {.top_k = 3});
  ASSERT_FALSE(before.empty());
  const cv::Mat thumb_before = g->thumbnail(2).clone();

  fs::resize_file(dir / "g.lkg", 0);  // truncated in place: every mapped page would vanish
  auto check_same = [&] {
    const auto after = g->match(data.photos[4].embedding, {.top_k = 3});
    ASSERT_EQ(after.size(), before.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
      EXPECT_EQ(after[i].name, before[i].name);
      EXPECT_EQ(after[i].distance, before[i].distance);
    }
    const cv::Mat thumb = g->thumbnail(2);
    ASSERT_EQ(thumb.size(), thumb_before.size());
    EXPECT_EQ(cv::norm(thumb, thumb_before, cv::NORM_INF), 0);
    EXPECT_EQ(g->identity_name(1), "Person 1");
  };
  check_same();
  std::ofstream(dir / "g.lkg", std::ios::binary | std::ios::trunc) << std::string(300, 'x');
  check_same();

  std::string message;
  EXPECT_EQ(load_error(dir / "g.lkg", &message), GalleryError::Kind::not_a_gallery) << message;
  EXPECT_NE(message.find((dir / "g.lkg").string()), std::string::npos) << message;
}

TEST(GalleryFormat, IndexIsWrittenBesideAndStaleIndexIsIgnored) {
  TempDir dir;
  auto data = test::synthetic_gallery(50, 4);
  GalleryWriteOptions options;
  options.hnsw_threshold = 100;
  write_gallery(dir / "g.lkg", data, options);
  ASSERT_TRUE(fs::exists(dir / "g.lkg.hnsw"));
  EXPECT_TRUE(Gallery::load(dir / "g.lkg")->wait_for_index());
  // Damage the index: the gallery still loads and searches exactly.
  const char junk[4] = {1, 2, 3, 4};
  patch(dir / "g.lkg.hnsw", 200, junk, 4);
  auto g = Gallery::load(dir / "g.lkg");
  EXPECT_FALSE(g->wait_for_index());
  auto hits = g->match(data.photos[17].embedding, {});
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].identity, data.photos[17].identity);
  // A smaller rewrite removes the stale index.
  options.hnsw_threshold = 1000;
  write_gallery(dir / "g.lkg", data, options);
  EXPECT_FALSE(fs::exists(dir / "g.lkg.hnsw"));
}

TEST(GalleryData, FindAndRemoveByNameOrAlias) {
  auto data = sample();
  EXPECT_EQ(data.find_identity("selena"), 1);
  EXPECT_EQ(data.find_identity("PERSON 3"), 3);
  EXPECT_EQ(data.find_identity("nobody"), -1);
  ASSERT_TRUE(data.remove_identity("Sel"));
  EXPECT_EQ(data.identities.size(), 3u);
  EXPECT_EQ(data.photos.size(), 9u);
  for (const auto& p : data.photos) EXPECT_LT(p.identity, 3u);
  EXPECT_EQ(data.find_identity("Person 3"), 2);
  EXPECT_FALSE(data.remove_identity("Sel"));
}

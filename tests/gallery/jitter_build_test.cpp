// The gallery builder's jitter with the real engine on shared photos: the default is the
// engine's kGalleryJitter, the file says how its vectors were made (model alignment), and a
// checkpoint written with another jitter is discarded instead of mixed into the gallery.
#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/builder.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

std::vector<PhotoSource> two_photos() {
  const fs::path dir = test::shared_data("faces/lfw10/Tony_Blair");
  return {PhotoSource{.path = dir / "Tony_Blair_0001.jpg", .identity = "Tony Blair"},
          PhotoSource{.path = dir / "Tony_Blair_0002.jpg", .identity = "Tony Blair"}};
}

TEST(GalleryJitter, CheckpointOfAnotherJitterIsNotResumed) {
  LOOKALIKE_REQUIRE_SHARED();
  EXPECT_EQ(BuildOptions{}.jitter, kGalleryJitter);
  test::TempDir dir;
  BuildOptions options;
  options.threads = 1;
  options.checkpoint = dir / "g.checkpoint";  // build_gallery keeps it (no file written)
  options.jitter = 1;
  const auto first = build_gallery(two_photos(), options);
  ASSERT_TRUE(first.completed);
  EXPECT_EQ(first.resumed, 0u);
  EXPECT_NE(first.data.model.alignment.find("mirror jitter 1"), std::string::npos)
      << first.data.model.alignment;

  const auto same = build_gallery(two_photos(), options);
  EXPECT_EQ(same.resumed, 2u);  // same jitter: every photo from the checkpoint

  options.jitter = 2;
  const auto other = build_gallery(two_photos(), options);
  ASSERT_TRUE(other.completed);
  EXPECT_EQ(other.resumed, 0u) << "vectors of jitter 1 resumed into a jitter 2 build";
  ASSERT_FALSE(first.data.photos.empty());
  ASSERT_EQ(other.data.photos.size(), first.data.photos.size());
  EXPECT_NE(other.data.photos[0].embedding, first.data.photos[0].embedding);
}

}  // namespace
}  // namespace lookalike

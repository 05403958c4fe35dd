// The folder-build use case (`gallery build` and the app's folder drop): which folders count as
// a gallery source, the error for folders without photos, and an interrupted build that leaves
// the output untouched, says how to resume, and resumes from its checkpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <stop_token>

#include "lookalike/app/build_gallery.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

using test::TempDir;

// `people` identities of lfw10 with `per_person` photos each, copied to dir/people.
fs::path small_people_folder(const TempDir& dir, int people, int per_person) {
  const fs::path lfw10 = test::shared_data("faces/lfw10");
  std::vector<fs::path> names;
  for (const auto& entry : fs::directory_iterator(lfw10)) names.push_back(entry.path());
  std::sort(names.begin(), names.end());
  const fs::path root = dir / "people";
  for (int i = 0; i < people; ++i) {
    std::vector<fs::path> photos;
    for (const auto& p : fs::directory_iterator(names[i])) photos.push_back(p.path());
    std::sort(photos.begin(), photos.end());
    fs::create_directories(root / names[i].filename());
    for (int j = 0; j < per_person; ++j)
      fs::copy_file(photos[j], root / names[i].filename() / photos[j].filename());
  }
  return root;
}

TEST(BuildGallery, PersonFoldersAreASourceAndPlainFoldersAreNot) {
  TempDir dir;
  fs::create_directories(dir / "people/Ada_Lovelace");
  std::ofstream(dir / "people/Ada_Lovelace/1.jpg") << "x";
  std::ofstream(dir / "loose.jpg") << "x";
  EXPECT_TRUE(looks_like_identity_folders(dir / "people"));
  EXPECT_FALSE(looks_like_identity_folders(dir.path()));  // a photo, no person folder of photos
  EXPECT_FALSE(looks_like_identity_folders(dir / "missing"));
}

TEST(BuildGallery, FoldersWithoutPhotosNameTheFolders) {
  TempDir dir;
  fs::create_directories(dir / "empty/Nobody");
  try {
    collect_identity_photos({dir / "empty"});
    FAIL() << "no error for a folder without photos";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "empty").string()), std::string::npos) << e.what();
  }
}

TEST(BuildGallery, InterruptedBuildKeepsTheOutputAndResumes) {
  LOOKALIKE_REQUIRE_SHARED();
  TempDir dir;
  FolderBuild build;
  build.folders = {small_people_folder(dir, 2, 3)};
  build.output = dir / "out/people.lkg";  // its folder does not exist yet
  build.options.threads = 1;

  std::stop_source stop;
  const BuildResult first = build_gallery_from_folders(build, stop.get_token(), [&](const auto& p) {
    if (p.done >= 2) stop.request_stop();
  });
  ASSERT_FALSE(first.completed);
  EXPECT_EQ(first.total, 6u);
  EXPECT_FALSE(fs::exists(build.output));
  const std::string message = describe_interrupted(first, build.output);
  EXPECT_NE(message.find(build.output.string() + " is unchanged"), std::string::npos) << message;
  EXPECT_NE(message.find(checkpoint_path_for(build.output).string()), std::string::npos);
  EXPECT_TRUE(fs::exists(checkpoint_path_for(build.output)));

  std::vector<std::string> lines;
  const BuildResult second =
      build_gallery_from_folders(build, {}, [&](const auto& p) { lines.push_back(describe(p)); });
  ASSERT_TRUE(second.completed);
  EXPECT_GE(second.resumed, 2u);
  EXPECT_EQ(second.resumed + second.processed, 6u);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find("6 of 6 photos"), std::string::npos) << lines.back();
  const auto gallery = Gallery::load(build.output);
  EXPECT_EQ(gallery->identity_count(), 2u);
  EXPECT_FALSE(fs::exists(checkpoint_path_for(build.output)));
}

}  // namespace
}  // namespace lookalike::app

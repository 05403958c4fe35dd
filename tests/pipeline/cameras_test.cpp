// Camera enumeration on a fake /dev + sysfs tree: numeric order, capture nodes only (UVC
// metadata nodes have sysfs index 1), names from sysfs, the device path as the source spec.
#include <gtest/gtest.h>

#include <fstream>

#include "lookalike/pipeline/cameras.hpp"
#include "lookalike/pipeline/frame_source.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {
namespace fs = std::filesystem;
using test::TempDir;

// /dev/<node> as a regular file (never ioctl'ed) and its sysfs folder with `name` and `index`.
void add_node(const fs::path& dev, const fs::path& sys, const std::string& node,
              const std::string& name, int index) {
  std::ofstream(dev / node) << "";
  fs::create_directories(sys / node);
  std::ofstream(sys / node / "name") << name << "\n";
  std::ofstream(sys / node / "index") << index << "\n";
}

TEST(Cameras, NumericOrderCaptureNodesOnlyNamesFromSysfs) {
  TempDir dir;
  const fs::path dev = dir / "dev", sys = dir / "sys";
  fs::create_directories(dev);
  fs::create_directories(sys);
  add_node(dev, sys, "video10", "USB Capture: HDMI", 0);
  add_node(dev, sys, "video2", "Logitech C920", 0);
  add_node(dev, sys, "video0", "Integrated Camera: Integrated C", 0);
  add_node(dev, sys, "video1", "Integrated Camera: Integrated C", 1);  // UVC metadata node
  std::ofstream(dev / "vbi0") << "";                                   // not a video node
  std::ofstream(dev / "video") << "";                                  // no number
  std::ofstream(dev / "video3x") << "";                                // not a number

  const auto cameras = list_cameras(dev, sys);
  ASSERT_EQ(cameras.size(), 3u);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"video0", "Integrated Camera: Integrated C"},
      {"video2", "Logitech C920"},
      {"video10", "USB Capture: HDMI"}};
  const std::vector<int> indices = {0, 2, 10};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(cameras[i].path, dev / expected[i].first) << i;
    EXPECT_EQ(cameras[i].name, expected[i].second) << i;
    EXPECT_EQ(cameras[i].index, indices[i]) << i;
  }
  // What the menu opens is what it shows: the device path, which is a camera spec.
  EXPECT_EQ(classify_source_spec("/dev/video10"), SourceKind::camera);

  // Listing again sees a camera plugged in since (refresh reads the tree every time).
  add_node(dev, sys, "video4", "New Camera", 0);
  const auto refreshed = list_cameras(dev, sys);
  ASSERT_EQ(refreshed.size(), 4u);
  EXPECT_EQ(refreshed[2].path, dev / "video4");
}

TEST(Cameras, WithoutSysfsTheFileNameIsTheNameAndMissingFoldersGiveNothing) {
  TempDir dir;
  std::ofstream(dir / "video5") << "";
  const auto cameras = list_cameras(dir.path(), dir / "no-sysfs");
  ASSERT_EQ(cameras.size(), 1u);
  EXPECT_EQ(cameras[0].name, "video5");
  EXPECT_EQ(cameras[0].index, 5);
  EXPECT_TRUE(list_cameras(dir / "no-dev", dir / "no-sysfs").empty());
}

}  // namespace
}  // namespace lookalike

// Camera enumeration for the source menus: the V4L2 capture devices, in numeric order.
//
// Contract: list_cameras() reads the device folder (/dev) and the V4L2 sysfs class folder on
// every call (call it again to refresh: nothing is cached). A node /dev/videoN is listed when
// sysfs says it is the device's first node (`index` 0; UVC cameras add a metadata node with
// index 1) and, when it can be opened, VIDIOC_QUERYCAP reports V4L2_CAP_VIDEO_CAPTURE. A node
// that exists but cannot be opened (busy, no permission) is listed on the sysfs evidence alone;
// a regular file (fake trees in tests) is never ioctl'ed. The source spec of a listed camera is
// its `path`, so what a menu shows and what it opens are the same device. Thread-safe (no
// shared state); never throws for a missing or unreadable folder (the list is then empty).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lookalike {

struct CameraDevice {
  std::filesystem::path path;  // "/dev/video2": also the source spec that opens it
  int index = 0;               // N of /dev/videoN
  std::string name;            // sysfs `name` ("HD Webcam: HD Webcam"), else the file name
};

// Capture devices sorted by index (video2 before video10).
std::vector<CameraDevice> list_cameras(
    const std::filesystem::path& dev_root = "/dev",
    const std::filesystem::path& sys_root = "/sys/class/video4linux");

}  // namespace lookalike

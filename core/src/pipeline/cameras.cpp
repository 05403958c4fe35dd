// V4L2 camera enumeration (see cameras.hpp for the contract).
#include "lookalike/pipeline/cameras.hpp"

#include <fcntl.h>
#include <linux/videodev2.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <string_view>
#include <system_error>

namespace lookalike {
namespace fs = std::filesystem;

namespace {

// N of "videoN", nullopt for any other name ("video", "video0p", "vbi0").
std::optional<int> video_index(std::string_view name) {
  constexpr std::string_view kPrefix = "video";
  if (name.substr(0, kPrefix.size()) != kPrefix || name.size() == kPrefix.size()) return {};
  const std::string_view digits = name.substr(kPrefix.size());
  int n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || end != digits.data() + digits.size() || n < 0) return {};
  return n;
}

// First line of a sysfs attribute, without its newline; nullopt when it cannot be read.
std::optional<std::string> read_attribute(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r' || line.back() == ' '))
    line.pop_back();
  return line;
}

// What VIDIOC_QUERYCAP says: true/false, or nullopt when the node cannot be opened or asked.
std::optional<bool> is_capture_by_ioctl(const fs::path& node) {
  // O_NONBLOCK: querying capabilities must not wait for a busy device.
  const int fd = ::open(node.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  v4l2_capability cap{};
  const int rc = ::ioctl(fd, VIDIOC_QUERYCAP, &cap);
  ::close(fd);
  if (rc != 0) return std::nullopt;
  // device_caps describes this node; capabilities covers the whole physical device.
  const std::uint32_t caps =
      (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
  return (caps & V4L2_CAP_VIDEO_CAPTURE) != 0;
}

}  // namespace

std::vector<CameraDevice> list_cameras(const fs::path& dev_root, const fs::path& sys_root) {
  std::vector<CameraDevice> cameras;
  std::error_code ec;
  fs::directory_iterator it(dev_root, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    const auto index = video_index(file);
    if (!index) continue;
    const fs::path sys = sys_root / file;
    // sysfs `index` is the node's number within its device: 0 is the video node, UVC's
    // metadata node is 1. Without sysfs (containers) the ioctl below decides.
    if (const auto node_index = read_attribute(sys / "index"); node_index && *node_index != "0")
      continue;
    std::error_code type_ec;
    if (it->is_character_file(type_ec)) {
      if (const auto capture = is_capture_by_ioctl(it->path()); capture && !*capture) continue;
    }
    CameraDevice camera;
    camera.path = it->path();
    camera.index = *index;
    camera.name = read_attribute(sys / "name").value_or(file);
    if (camera.name.empty()) camera.name = file;
    cameras.push_back(std::move(camera));
  }
  if (ec) spdlog::debug("listing cameras in {}: {}", dev_root.string(), ec.message());
  std::sort(cameras.begin(), cameras.end(),
            [](const CameraDevice& a, const CameraDevice& b) { return a.index < b.index; });
  return cameras;
}

}  // namespace lookalike

#include "ui_media.hpp"

#include <algorithm>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <stdexcept>

#include "lookalike/gallery/builder.hpp"
#include "lookalike/gallery/importers.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::test {

FaceVideo write_face_video(const fs::path& path, const std::vector<fs::path>& photos, int frames,
                           cv::Size size, int photo_side, double fps) {
  FaceVideo video;
  video.path = path;
  video.size = size;
  video.fps = fps;
  cv::Mat background(size, CV_8UC3);
  // A soft vertical gradient: a plain background, but not a flat one (JPEG-friendly).
  for (int y = 0; y < size.height; ++y)
    background.row(y).setTo(cv::Scalar(70 + 40 * y / size.height, 76 + 30 * y / size.height, 84));
  std::vector<cv::Mat> scaled;
  for (const auto& p : photos) {
    cv::Mat img = cv::imread(p.string());
    if (img.empty()) throw std::runtime_error(p.string() + ": cannot read");
    cv::resize(img, img, {photo_side, photo_side}, 0, 0, cv::INTER_CUBIC);
    scaled.push_back(img);
  }
  const int n = static_cast<int>(scaled.size());
  const int gap = (size.width - n * photo_side) / (n + 1);
  for (int i = 0; i < n; ++i)
    video.faces.emplace_back(gap + i * (photo_side + gap), (size.height - photo_side) / 2,
                             photo_side, photo_side);
  cv::VideoWriter writer(path.string(), cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps, size);
  if (!writer.isOpened()) throw std::runtime_error(path.string() + ": VideoWriter cannot open");
  for (int f = 0; f < frames; ++f) {
    cv::Mat frame = background.clone();
    for (int i = 0; i < n; ++i) scaled[i].copyTo(frame(video.faces[i]));
    cv::putText(frame, std::to_string(f), {12, size.height - 14}, cv::FONT_HERSHEY_SIMPLEX, 0.6,
                {200, 200, 200}, 1);
    if (f == 0) video.first_frame = frame.clone();
    writer.write(frame);
  }
  return video;
}

fs::path build_test_gallery(const fs::path& output, const std::string& dataset, int per_identity) {
  if (fs::exists(output)) return output;
  const fs::path root = shared_data("faces/" + dataset);
  std::vector<PhotoSource> all = scan_identity_folders(root);
  std::map<std::string, int> taken;
  std::vector<PhotoSource> chosen;
  std::sort(all.begin(), all.end(),
            [](const PhotoSource& a, const PhotoSource& b) { return a.path < b.path; });
  for (auto& p : all)
    if (taken[p.identity]++ < per_identity) chosen.push_back(std::move(p));
  BuildOptions options;
  options.mirror_average = false;  // test speed; search quality is not under test here
  const BuildResult result = build_gallery_file(output, chosen, options);
  if (!result.completed) throw std::runtime_error("test gallery build did not complete");
  return output;
}

std::string under_xvfb(const std::string& command) {
  return "xvfb-run -a -s '-screen 0 1280x800x24 -nolisten tcp' " + command;
}

}  // namespace lookalike::test

// Fuzz target: source specs (classify_source_spec and open_source, frame_source.hpp) as a user
// types them. Every spec is classified; image-folder specs (numbered sequences "img_%04d.png",
// wildcards "*.jpg", folders) are also opened, relative to a scratch folder holding a few tiny
// images, and read to the end. Cameras, streams and video files are only classified: opening
// them would touch devices and the network. Specs containing ".." are skipped (they would list
// folders outside the scratch folder, which is not what is being tested).
// Finding: a crash or sanitizer report, or an exception other than SourceError.
#include <cstddef>
#include <cstdint>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "fuzz_support.hpp"
#include "lookalike/pipeline/frame_source.hpp"

namespace {

// img_0.png .. img_2.png, img_0004.jpg, a.png in sub/, and one file that is not an image.
void make_images(const std::filesystem::path& dir) {
  const cv::Mat pixels(4, 4, CV_8UC3, cv::Scalar(40, 80, 120));
  std::vector<unsigned char> png, jpg;
  cv::imencode(".png", pixels, png);
  cv::imencode(".jpg", pixels, jpg);
  const auto& scratch = lookalike::fuzz::scratch();
  for (int i = 0; i < 3; ++i)
    scratch.write("img_" + std::to_string(i) + ".png", png.data(), png.size());
  scratch.write("img_0004.jpg", jpg.data(), jpg.size());
  scratch.write("broken.png", "not a png");
  std::filesystem::create_directories(dir / "sub");
  scratch.write("sub/a.png", png.data(), png.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool ready = (make_images(lookalike::fuzz::scratch().dir()), true);
  (void)ready;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto kind = lookalike::classify_source_spec(text);
  if (kind != lookalike::SourceKind::image_folder || text.find("..") != std::string::npos) return 0;
  lookalike::SourceOptions options;
  options.spec = (lookalike::fuzz::scratch().dir() / text).string();
  options.playback = lookalike::PlaybackMode::as_fast_as_possible;
  try {
    auto source = lookalike::open_source(options);
    (void)source->info();
    for (int frames = 0; frames < 16; ++frames)
      if (source->read({}).status != lookalike::FrameSource::ReadStatus::frame) break;
  } catch (const lookalike::SourceError&) {
  }
  return 0;
}

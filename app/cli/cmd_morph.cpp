// `lookalike-cli morph PHOTO [--gallery FILE] [--to NAME] [--steps N] -o OUT.png|OUT.mp4`: the
// morph from the photo's (largest) face to its look-alike (or to NAME): a PNG strip of N
// frames, or an MP4 going there and back, written by app::write_morph (atomically).
#include <fmt/format.h>

#include <iostream>

#include "command.hpp"
#include "engine_setup.hpp"
#include "lookalike/app/match_photo.hpp"
#include "lookalike/app/morph.hpp"
#include "lookalike/engine/image_io.hpp"

namespace lookalike::cli {
namespace {

struct MorphCommand {
  std::string photo, gallery_path, to, output;
  int steps = 6;
  int side = 256;
  EngineFlags engine_flags;

  void setup(CLI::App& app) {
    auto* sub = app.add_subcommand("morph", "morph a face into its look-alike (PNG strip or MP4)");
    sub->add_option("PHOTO", photo, "photo with a face (the largest is used)")
        ->required()
        ->check(CLI::ExistingFile);
    sub->add_option("--gallery", gallery_path, "gallery file (.lkg); default: the default gallery")
        ->check(CLI::ExistingFile);
    sub->add_option("--to", to, "morph into this identity (default: the look-alike)");
    sub->add_option("--steps", steps, "frames of the PNG strip")
        ->check(CLI::Range(2, 32))
        ->capture_default_str();
    sub->add_option("--size", side, "frame side in pixels")
        ->check(CLI::Range(64, 1024))
        ->capture_default_str();
    sub->add_option("-o,--output", output, "OUT.png (strip) or OUT.mp4 / OUT.avi (video)")
        ->required();
    engine_flags.add_to(*sub);
  }

  int run() const {
    const auto gallery = open_gallery_or_say_why(gallery_path, engine_flags);
    if (!gallery) return 2;
    auto engine = FaceEngine::create(engine_flags.options());
    const auto faces = app::match_photo(*engine, gallery.get(), load_image(photo), {});
    const app::PhotoFaceMatch* largest = app::largest_face(faces);
    if (!largest) {
      std::cerr << "error: " << photo << ": no face found\n";
      return 1;
    }
    const app::PhotoFaceMatch& person = *largest;
    std::optional<std::uint32_t> target;
    if (!to.empty()) {
      for (std::uint32_t i = 0; i < gallery->identity_count(); ++i)
        if (gallery->identity_name(i) == to) target = i;
      if (!target) {
        std::cerr << "error: " << gallery->path().string() << ": no identity named '" << to
                  << "'\n";
        return 2;
      }
    } else if (!person.matches.empty()) {
      target = person.matches.front().identity;
    }
    const cv::Mat thumbnail = target ? gallery->thumbnail(*target) : cv::Mat();
    if (thumbnail.empty()) {
      std::cerr << "error: " << gallery->path().string() << ": no thumbnail to morph into\n";
      return 2;
    }
    const app::Morph morph(app::morph_face(*engine, person.face.chip, side),
                           app::morph_face(*engine, thumbnail, side));
    app::MorphWriteOptions write;
    write.steps = steps;
    try {
      const auto written = app::write_morph(morph, output, write);
      std::cout << fmt::format("{} -> {}: wrote {} ({} frames of {}x{})\n", photo,
                               gallery->identity_name(*target), written->path.string(),
                               written->frames, written->frame_size.width,
                               written->frame_size.height);
    } catch (const std::exception& e) {
      std::cerr << "error: " << e.what() << "\n";
      return 1;
    }
    return 0;
  }
};

const CommandRegistration registration{command_of<MorphCommand>()};

}  // namespace
}  // namespace lookalike::cli

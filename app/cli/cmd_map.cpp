// `lookalike-cli map [--gallery FILE] [--probe PHOTO] [-o map.png] [--json]`: the face map, the
// gallery's identities in 2-D with look-alikes together (laid out once, kept as FILE.map), with
// the probe's face placed among its nearest identities. --json prints {"gallery", "identities":
// [{"name", "x", "y"}], "probe": {"x", "y", "neighbours": [...]}}; -o writes the picture.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <span>

#include "command.hpp"
#include "engine_setup.hpp"
#include "lookalike/app/face_map.hpp"
#include "lookalike/app/match_photo.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/file_util.hpp"
#include "lookalike/gallery/match_json.hpp"
#include "signal_stop.hpp"

namespace lookalike::cli {
namespace {

struct MapCommand {
  std::string gallery_path, probe, output;
  bool json = false;
  int side = 1600;
  app::FaceMapOptions map_options;
  EngineFlags engine_flags;

  void setup(CLI::App& app) {
    auto* sub = app.add_subcommand("map", "the face map: the gallery in 2-D, look-alikes together");
    sub->add_option("--gallery", gallery_path, "gallery file (.lkg); default: the default gallery")
        ->check(CLI::ExistingFile);
    sub->add_option("--probe", probe, "a photo whose (largest) face is placed on the map")
        ->check(CLI::ExistingFile);
    sub->add_option("-o,--output", output, "write the map as a PNG");
    sub->add_option("--size", side, "picture side in pixels")
        ->check(CLI::Range(256, 8192))
        ->capture_default_str();
    sub->add_option("--seed", map_options.seed, "layout seed")->capture_default_str();
    sub->add_option("--iterations", map_options.iterations, "t-SNE iterations")
        ->check(CLI::Range(50, 5000))
        ->capture_default_str();
    sub->add_option("--perplexity", map_options.perplexity, "t-SNE perplexity")
        ->check(CLI::Range(2.0, 100.0))
        ->capture_default_str();
    sub->add_flag("--json", json, "one JSON object");
    engine_flags.add_to(*sub);
  }

  int run() const {
    const auto gallery = open_gallery_or_say_why(gallery_path, engine_flags);
    if (!gallery) return 2;
    StopOnSignal signals("\ninterrupt: stopping the layout (nothing is written)\n");
    const auto map = app::load_or_layout_face_map(*gallery, map_options, signals.token());
    if (!map) return 130;
    std::optional<app::MapPlacement> placed;
    if (!probe.empty()) {
      auto engine = FaceEngine::create(engine_flags.options());
      const auto faces = app::match_photo(*engine, nullptr, load_image(probe), {});
      const app::PhotoFaceMatch* largest = app::largest_face(faces);
      if (!largest) {
        std::cerr << "error: " << probe << ": no face found\n";
        return 1;
      }
      placed = app::place_on_map(*map, *gallery, largest->face.embedding);
    }
    if (!output.empty()) {
      write_png_atomically(output,
                           app::render_face_map(*gallery, *map, placed ? &*placed : nullptr, side));
    }
    if (json) {
      nlohmann::json ids = nlohmann::json::array();
      for (std::size_t i = 0; i < map->points.size(); ++i)
        ids.push_back({{"name", gallery->identity_name(static_cast<std::uint32_t>(i))},
                       {"x", map->points[i].x},
                       {"y", map->points[i].y}});
      nlohmann::json out = {{"gallery", gallery->path().string()}, {"identities", ids}};
      if (placed) {
        nlohmann::json near = nlohmann::json::array();
        for (const auto& m : placed->neighbours) near.push_back(match_to_json(m));
        out["probe"] = {{"x", placed->point.x}, {"y", placed->point.y}, {"neighbours", near}};
      }
      std::cout << out.dump() << "\n";
    } else {
      std::cout << gallery->path().string() << ": " << map->points.size()
                << " identities on the map (" << app::face_map_path(*gallery).string() << ")\n";
      if (placed)
        std::cout << fmt::format(
            "{} sits among {}\n", probe,
            placed->neighbours.empty() ? "nobody" : placed->neighbours.front().name);
      if (!output.empty()) std::cout << "wrote " << output << "\n";
    }
    return 0;
  }
};

const CommandRegistration registration{command_of<MapCommand>()};

}  // namespace
}  // namespace lookalike::cli

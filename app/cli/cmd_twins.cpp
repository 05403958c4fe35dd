// `lookalike-cli twins PHOTO... [--json]`: the twins in the room. Every face in the photos is a
// person; every pair of people is ranked by how alike they are (to each other, not to a
// celebrity), with the similarity % used everywhere else. --json prints one object:
// {"people": [{"image", "box"}], "pairs": [{"a", "b", "similarity", "distance",
// "same_person"}], "errors": [{"image", "error"}]}. Exit 1 if a photo failed, 2 when fewer than
// two people were found.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "engine_setup.hpp"
#include "lookalike/app/group_play.hpp"
#include "lookalike/app/match_photo.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/gallery/match_json.hpp"

namespace lookalike::cli {
namespace {

struct TwinsCommand {
  std::vector<std::string> images;
  bool json = false;
  int top = 10;
  EngineFlags engine_flags;

  void setup(CLI::App& app) {
    auto* sub = app.add_subcommand(
        "twins", "the people in the photos ranked by resemblance to each other, pair by pair");
    sub->add_option("IMAGE", images, "photos (all their faces take part)")->required();
    sub->add_option("--top", top, "pairs to print (text output; --json lists all)")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    sub->add_flag("--json", json, "one JSON object");
    engine_flags.add_to(*sub);
  }

  int run() const {
    auto engine = FaceEngine::create(engine_flags.options());
    const app::PhotoMatchOptions options;  // embedded as `match` embeds: the same descriptors
    nlohmann::json people = nlohmann::json::array(), errors = nlohmann::json::array();
    std::vector<Embedding> embeddings;
    std::vector<std::string> labels;
    for (const std::string& path : images) {
      try {
        for (const auto& face : app::match_photo(*engine, nullptr, load_image(path), options)) {
          const cv::Rect& b = face.face.box;
          people.push_back({{"image", path}, {"box", {b.x, b.y, b.width, b.height}}});
          embeddings.push_back(face.face.embedding);
          labels.push_back(
              fmt::format("{} face at {},{} {}x{}", path, b.x, b.y, b.width, b.height));
        }
      } catch (const std::exception& e) {
        errors.push_back({{"image", path}, {"error", e.what()}});
        if (!json) std::cerr << "error: " << e.what() << "\n";
      }
    }
    const auto pairs = app::rank_twins(embeddings);
    if (json) {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& p : pairs)
        list.push_back({{"a", p.a},
                        {"b", p.b},
                        {"similarity", round_to(p.similarity_percent, 0.1)},
                        {"distance", round_to(p.euclidean, 1e-4)},
                        {"same_person", p.same_person}});
      std::cout << nlohmann::json{{"people", people}, {"pairs", list}, {"errors", errors}}.dump()
                << "\n";
    } else {
      for (std::size_t i = 0; i < labels.size(); ++i)
        std::cout << fmt::format("person {}: {}\n", i + 1, labels[i]);
      if (!pairs.empty()) std::cout << "most alike:\n";
      for (std::size_t k = 0; k < pairs.size() && k < static_cast<std::size_t>(top); ++k)
        std::cout << fmt::format("  {} & {}: {:5.1f}%  (distance {:.3f}{})\n", pairs[k].a + 1,
                                 pairs[k].b + 1, pairs[k].similarity_percent, pairs[k].euclidean,
                                 pairs[k].same_person ? ", same person" : "");
    }
    if (embeddings.size() < 2) {
      std::cerr << "error: twins needs at least two people; found " << embeddings.size() << "\n";
      return 2;
    }
    return errors.empty() ? 0 : 1;
  }
};

const CommandRegistration registration{command_of<TwinsCommand>()};

}  // namespace
}  // namespace lookalike::cli

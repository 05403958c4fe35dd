// `lookalike-cli compare A B`: distance between the main faces of two photos and dlib's
// same-person verdict (euclidean distance below the threshold, 0.6 by default).
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "engine_setup.hpp"
#include "lookalike/engine/image_io.hpp"

namespace lookalike::cli {
namespace {

struct CompareCommand {
  std::string a, b;
  float threshold = kSamePersonDistance;
  bool json = false;
  EngineFlags engine_flags;

  int run() const {
    auto engine = FaceEngine::create(engine_flags.options());
    auto main_face = [&](const std::string& path) {
      cv::Mat image = load_image(path);
      auto faces =
          engine->analyze(image, {.mirror_average = true, .thorough = true, .try_rotations = true});
      const int i = pick_primary_face(faces, image.size());
      if (i < 0) throw std::runtime_error(path + ": no face found");
      return faces[i];
    };
    const FaceResult fa = main_face(a), fb = main_face(b);
    const float distance = euclidean_distance(fa.embedding, fb.embedding);
    const float cosine = cosine_similarity(fa.embedding, fb.embedding);
    const bool same = distance < threshold;
    if (json) {
      std::cout << nlohmann::json{{"a", a},
                                  {"b", b},
                                  {"euclidean", distance},
                                  {"cosine", cosine},
                                  {"threshold", threshold},
                                  {"same_person", same}}
                       .dump()
                << "\n";
    } else {
      std::cout << std::fixed << std::setprecision(4) << "euclidean distance: " << distance
                << "\ncosine similarity:  " << cosine
                << "\nsame person:        " << (same ? "yes" : "no") << " (threshold " << threshold
                << ")\n";
    }
    return 0;
  }
};

const CommandRegistration registration{{[](CLI::App& app) {
  auto cmd = std::make_shared<CompareCommand>();
  auto* sub = app.add_subcommand("compare", "Compare the main faces of two photos");
  sub->add_option("a", cmd->a, "first image")->required();
  sub->add_option("b", cmd->b, "second image")->required();
  sub->add_option("--threshold", cmd->threshold, "same-person euclidean distance (dlib: 0.6)")
      ->capture_default_str();
  sub->add_flag("--json", cmd->json, "print JSON");
  cmd->engine_flags.add_to(*sub);
  return std::function<int()>([cmd] { return cmd->run(); });
}}};

}  // namespace
}  // namespace lookalike::cli

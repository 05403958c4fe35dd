// `lookalike-cli embed IMAGE...`: every face in every image with box, score, 68 landmarks, the
// rotation that found it (0 upright; --try-rotations), the 128-D embedding and the estimated
// "gender", "gender_confidence" and "age" (match_json.hpp). A bad file is
// reported and the batch goes on; exit code 1 if any input failed.
#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "engine_setup.hpp"
#include "gender_age_setup.hpp"
#include "image_batch.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/gallery/match_json.hpp"

namespace lookalike::cli {
namespace {

nlohmann::json face_json(const FaceResult& face, const GenderAgeEstimate& estimate) {
  nlohmann::json landmarks = nlohmann::json::array();
  for (const auto& p : face.landmarks) landmarks.push_back({p.x, p.y});
  nlohmann::json out = {{"box", {face.box.x, face.box.y, face.box.width, face.box.height}},
                        {"score", face.score},
                        {"landmarks", landmarks},
                        {"rotation", face.rotation},
                        {"embedding", face.embedding}};
  add_estimate_json(out, estimate);
  return out;
}

struct EmbedCommand {
  std::vector<std::string> images;
  bool json = false;
  bool mirror = false;
  int jitter = 0;
  bool try_rotations = true;
  EngineFlags engine_flags;

  int run() const {
    auto engine = FaceEngine::create(engine_flags.options());
    const auto estimator = load_gender_age_estimator(false);
    return for_each_image(
        images, json, [&](const std::string& path, const cv::Mat& image, nlohmann::json& line) {
          auto faces = engine->analyze(image, {.mirror_average = mirror,
                                               .jitter = jitter,
                                               .thorough = true,
                                               .try_rotations = try_rotations});
          std::vector<GenderAgeEstimate> estimates;
          for (const FaceResult& face : faces) {
            estimates.push_back(estimator ? estimator->estimate(image, face) : GenderAgeEstimate{});
            line["faces"].push_back(face_json(face, estimates.back()));
          }
          if (json) return;
          std::cout << path << ": " << faces.size() << " face(s)"
                    << turned_note(faces.empty() ? 0 : faces.front().rotation) << "\n";
          for (std::size_t i = 0; i < faces.size(); ++i) {
            const FaceResult& f = faces[i];
            std::cout << "  box " << f.box.x << "," << f.box.y << " " << f.box.width << "x"
                      << f.box.height << "  score " << f.score << "  quality " << f.quality;
            if (estimates[i].known())
              std::cout << "  looks " << to_string(estimates[i].gender) << ", about "
                        << static_cast<int>(std::lround(estimates[i].age)) << " (estimates)";
            std::cout << "\n";
          }
        });
  }
};

const CommandRegistration registration{{[](CLI::App& app) {
  auto cmd = std::make_shared<EmbedCommand>();
  auto* sub = app.add_subcommand("embed", "Detect, align and embed every face in images");
  sub->add_option("images", cmd->images, "image files")->required();
  sub->add_flag("--json", cmd->json, "one JSON object per image on stdout");
  sub->add_flag("--mirror", cmd->mirror, "average the embedding with the mirrored chip's");
  add_jitter_option(*sub, cmd->jitter, "the embedding");
  add_try_rotations_flag(*sub, cmd->try_rotations);
  cmd->engine_flags.add_to(*sub);
  return std::function<int()>([cmd] { return cmd->run(); });
}}};

}  // namespace
}  // namespace lookalike::cli

// `lookalike-cli match --gallery FILE [--top K] [--metric M] [--json] IMAGE...`: every face in
// every image with its box and its top-k gallery identities. --json prints one object per
// image line: {"image", "faces": [{"box", "rotation", "pose", "matches": [...]}]} or
// {"image", "error"} ("rotation": the degrees the photo was turned to find the face,
// --try-rotations; "pose": {"yaw", "pitch", "bin"}, left out when the landmarks give none; each
// match's "percentile" when the gallery has resemblance quantiles, match_json.hpp); with
// `--assign unique` every face of a photo plays a different identity (Hungarian assignment) and
// gains "assigned": {"name", "similarity", ...}. With --features the top-1 match (and
// "assigned") gains "features": {"eyes", "brows", "nose", "mouth", "jaw"}, the similarity % of
// each feature's shape to the identity's thumbnail (app/feature_resemblance.hpp). Every face
// carries its estimated "gender", "gender_confidence" and "age" (match_json.hpp); `--gender
// same|female|male` keeps only identities of that gender (`same`: the face's estimate;
// gallery/gender_filter.hpp). A bad
// image is reported and the batch goes on; exit code 1 if any input failed, 2 if the gallery
// cannot be used.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "engine_setup.hpp"
#include "gender_age_setup.hpp"
#include "image_batch.hpp"
#include "lookalike/app/match_photo.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/match_json.hpp"

namespace lookalike::cli {
namespace {

struct MatchCommand {
  std::string gallery_path;
  std::vector<std::string> images;
  int top = 3;
  std::string metric = "euclidean";
  bool json = false;
  bool exact = false;
  std::string assign = "none";
  bool try_rotations = true;
  bool features = false;
  std::string gender = "any";
  int jitter = kGalleryJitter;  // as the gallery was built by default
  EngineFlags engine_flags;

  void setup(CLI::App& app) {
    auto* sub = app.add_subcommand("match", "which gallery identities do the faces look like");
    sub->add_option("--gallery", gallery_path,
                    "gallery file (.lkg); default: the default gallery (`gallery fetch` sets it)")
        ->check(CLI::ExistingFile);
    sub->add_option("--top", top, "identities per face")
        ->check(CLI::Range(1, 1000))
        ->capture_default_str();
    sub->add_option("--metric", metric, "euclidean, cosine or mahalanobis")
        ->check(CLI::IsMember({"euclidean", "cosine", "mahalanobis"}))
        ->capture_default_str();
    sub->add_flag("--json", json, "one JSON object per image line");
    sub->add_flag("--exact", exact, "never use the approximate (HNSW) index");
    sub->add_option("--assign", assign,
                    "unique: every face of a photo gets a different identity (group play)")
        ->check(CLI::IsMember({"none", "unique"}))
        ->capture_default_str();
    add_try_rotations_flag(*sub, try_rotations);
    add_jitter_option(*sub, jitter,
                      "each face's embedding (best: the gallery build's value, `gallery info`)");
    sub->add_flag("--features", features,
                  "per-feature resemblance to the top-1 (eyes, brows, nose, mouth, jaw): "
                  "compares face shapes, not identity");
    sub->add_option("--gender", gender,
                    "only identities of this gender; same: the face's estimated gender "
                    "(estimates, not facts)")
        ->check(CLI::IsMember(gender_filter_names()))
        ->capture_default_str();
    sub->add_option("IMAGE", images, "photos to analyse")->required();
    engine_flags.add_to(*sub);
  }

  int run() const {
    auto engine = FaceEngine::create(engine_flags.options());
    const auto gallery = open_gallery_or_say_why(gallery_path, engine_flags);
    if (!gallery) return 2;
    app::PhotoMatchOptions options;
    options.search.top_k = top;
    options.search.metric = metric_from_string(metric);
    options.search.allow_approximate = !exact;
    options.unique_cast = assign == "unique";
    options.analyze.try_rotations = try_rotations;
    options.analyze.jitter = jitter;
    options.features = features;
    options.gender = *gender_filter_from_string(gender);
    const auto estimator = load_gender_age_estimator(options.gender == GenderFilter::same);
    if (!estimator && options.gender == GenderFilter::same) return 2;
    options.estimator = estimator.get();
    return for_each_image(
        images, json, [&](const std::string& path, const cv::Mat& image, nlohmann::json& line) {
          const auto faces = app::match_photo(*engine, gallery.get(), image, options);
          if (!json)
            std::cout << path << ": " << faces.size() << " face(s)"
                      << turned_note(faces.empty() ? 0 : faces.front().face.rotation) << "\n";
          for (const auto& [face, matches, assigned, top_features, assigned_features, pose,
                            estimate] : faces) {
            auto& entry = line["faces"].emplace_back(face_matches_to_json(face.box, matches));
            entry["rotation"] = face.rotation;
            add_estimate_json(entry, estimate);
            if (pose) entry["pose"] = pose_to_json(*pose);
            if (assigned) entry["assigned"] = match_to_json(*assigned);
            if (top_features)
              entry["matches"][0]["features"] = app::features_to_json(*top_features);
            if (assigned_features)
              entry["assigned"]["features"] = app::features_to_json(*assigned_features);
            if (json) continue;
            std::cout << fmt::format("  face at {},{} {}x{}", face.box.x, face.box.y,
                                     face.box.width, face.box.height);
            if (pose)
              std::cout << fmt::format(", head {} (yaw {:.0f}, pitch {:.0f} degrees)",
                                       to_string(pose_bin(*pose)), pose->yaw, pose->pitch);
            if (estimate.known())
              std::cout << fmt::format(", looks {} ({:.0f} %), about {:.0f} (estimates)",
                                       to_string(estimate.gender), 100 * estimate.gender_confidence,
                                       estimate.age);
            std::cout << "\n";
            int rank = 1;
            for (const auto& m : matches)
              std::cout << fmt::format("    {}. {:<28} {:5.1f}%  {} {:.3f}{}  ({})\n", rank++,
                                       m.name, m.similarity_percent, metric, m.distance,
                                       m.same_person ? "  same person" : "", m.photo);
            if (top_features)
              std::cout << fmt::format("    feature shapes vs {}: {}\n", matches.front().name,
                                       app::features_text(*top_features));
            if (!matches.empty() && matches.front().percentile)
              std::cout << fmt::format("    closer to {} than {:.{}f} % of the gallery\n",
                                       matches.front().name, *matches.front().percentile,
                                       *matches.front().percentile < 99.f ? 0 : 1);
            if (assigned && (matches.empty() || assigned->identity != matches.front().identity)) {
              std::cout << fmt::format("    plays {} ({:.1f}%) in the unique cast\n",
                                       assigned->name, assigned->similarity_percent);
              if (assigned_features)
                std::cout << fmt::format("    feature shapes vs {}: {}\n", assigned->name,
                                         app::features_text(*assigned_features));
            }
          }
        });
  }
};

const CommandRegistration registration{command_of<MatchCommand>()};

}  // namespace
}  // namespace lookalike::cli

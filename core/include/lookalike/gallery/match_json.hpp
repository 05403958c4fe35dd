// JSON form of gallery matches, shared by `lookalike-cli match --json` and the live
// pipeline's JSON output, so both print the same shape:
//   {"box": [x, y, w, h], "matches": [{"name": N, "similarity": PERCENT, "distance": D,
//                                      "same_person": BOOL, "photo": SOURCE_PATH,
//                                      "percentile": P}]}
// "percentile" (closer to N than P % of the gallery's other photos, resemblance.hpp) is left
// out when the gallery has no quantiles. A head pose is {"yaw": Y, "pitch": P, "bin": "left"}.
// A face's gender/age estimate adds "gender" ("female", "male" or "unknown"),
// "gender_confidence" (0.5-1, 0 when unknown, to 0.01) and "age" (years, to 0.1; null when
// unknown).
// Similarity and percentile are rounded to 0.1 %, distances to 1e-4, angles to 0.1 degree.
// Pure functions, thread-safe.
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <vector>

#include "lookalike/engine/gender_age.hpp"
#include "lookalike/engine/head_pose.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike {

// Rounds to a multiple of `step`. Steps below 1 divide by their inverse (0.1 -> x*10/10) so the
// JSON shows 8.7, not 8.700000000000001.
inline double round_to(double value, double step) {
  if (step < 1) {
    const double per_unit = std::round(1 / step);
    return std::round(value * per_unit) / per_unit;
  }
  return std::round(value / step) * step;
}

inline nlohmann::json match_to_json(const IdentityMatch& match) {
  nlohmann::json out = {{"name", match.name},
                        {"similarity", round_to(match.similarity_percent, 0.1)},
                        {"distance", round_to(match.distance, 1e-4)},
                        {"same_person", match.same_person},
                        {"photo", match.photo}};
  if (match.percentile) out["percentile"] = round_to(*match.percentile, 0.1);
  return out;
}

inline nlohmann::json pose_to_json(const HeadPose& pose) {
  return {{"yaw", round_to(pose.yaw, 0.1)},
          {"pitch", round_to(pose.pitch, 0.1)},
          {"bin", std::string(to_string(pose_bin(pose)))}};
}

inline void add_estimate_json(nlohmann::json& face, const GenderAgeEstimate& estimate) {
  face["gender"] = to_string(estimate.gender);
  face["gender_confidence"] = round_to(estimate.gender_confidence, 0.01);
  face["age"] = estimate.known() ? nlohmann::json(round_to(estimate.age, 0.1)) : nlohmann::json();
}

inline nlohmann::json face_matches_to_json(const cv::Rect& box,
                                           const std::vector<IdentityMatch>& matches) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : matches) list.push_back(match_to_json(m));
  return {{"box", {box.x, box.y, box.width, box.height}}, {"matches", std::move(list)}};
}

}  // namespace lookalike

// What a gallery query returns. Shared by the CLI, the live pipeline and the UI.
//
// Contract: plain values. `distance` is in the metric's own unit (euclidean: L2 between
// descriptors; cosine: 1 - cosine similarity; mahalanobis: per-identity Mahalanobis).
// `similarity_percent` is the documented display mapping (similarity.hpp) and is independent of
// `same_person`, which is only the dlib verdict: euclidean distance < threshold (0.6).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lookalike/engine/head_pose.hpp"
#include "lookalike/engine/model_info.hpp"
#include "lookalike/gender.hpp"
#include "lookalike/types.hpp"

namespace lookalike {

enum class Metric { euclidean, cosine, mahalanobis };
// Every metric in menu order, and their names: the one table the CLI, the settings file and
// the UI's menu use.
std::span<const Metric> all_metrics();
std::string_view to_string(Metric metric);
Metric metric_from_string(std::string_view name);  // throws std::invalid_argument

// How photos of one identity combine into the identity's score.
enum class IdentityScore { best_photo, mean_of_top };

struct SearchOptions {
  int top_k = 3;
  Metric metric = Metric::euclidean;
  IdentityScore identity_score = IdentityScore::best_photo;
  int mean_of_top_n = 3;  // for IdentityScore::mean_of_top
  float same_person_threshold = kSamePersonDistance;
  bool allow_approximate = true;  // use the HNSW index when the gallery is big enough
};

struct IdentityMatch {
  std::uint32_t identity = 0;  // index into the gallery's identity table
  std::string name;            // display name
  float distance = 0.f;
  float euclidean = 0.f;  // L2 to the best photo, always filled: the same-person verdict uses it
  float similarity_percent = 0.f;
  bool same_person = false;
  std::string photo;  // source path of the closest photo of this identity
  // Closer to this identity's centre than this percent of the gallery's other photos
  // (resemblance.hpp); unknown for galleries without quantiles (format version 1).
  std::optional<float> percentile;
};

}  // namespace lookalike

namespace lookalike {

// The read-only face of a loaded gallery that the live pipeline and the UI use.
//
// Contract: implementations are immutable after construction and every method is const and
// thread-safe, so one instance is shared by all workers and the UI thread.
class IdentityMatcher {
 public:
  virtual ~IdentityMatcher() = default;
  virtual std::vector<IdentityMatch> match(const Embedding& query,
                                           const SearchOptions& options) const = 0;
  virtual std::size_t identity_count() const = 0;
  virtual std::size_t photo_count() const = 0;
  // The identity's representative aligned face crop (CV_8UC3 BGR, ~112 px), or an empty Mat.
  virtual cv::Mat thumbnail(std::uint32_t identity) const = 0;
  // The identity's crop in the head pose nearest `pose` (head_pose.hpp) when the gallery keeps
  // pose thumbnails, else thumbnail().
  virtual cv::Mat pose_thumbnail(std::uint32_t identity, const HeadPose& /*pose*/) const {
    return thumbnail(identity);
  }
  virtual std::string identity_name(std::uint32_t identity) const = 0;
  // The identity's gender (from the gallery's metadata or estimated from its photos); unknown
  // when the gallery does not say.
  virtual Gender identity_gender(std::uint32_t /*identity*/) const { return Gender::unknown; }
  // The engine the gallery's embeddings come from: queries must come from the same model
  // (same_model()), or distances are meaningless.
  virtual const ModelInfo& model() const = 0;
};

}  // namespace lookalike

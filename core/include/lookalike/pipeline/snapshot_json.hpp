// JSON forms of what the live pipeline publishes (the `lookalike-cli live --json` lines).
//
// Contract: pure functions over immutable values; thread-safe. Shapes (issue 4):
//   snapshot: {"seq", "t_ms", "status", "tracks": [{"id", "box": [x, y, w, h], "name"|null,
//              "similarity"|null, "matches": [match...]}], "metrics": {...}}
//   match:    the gallery's shape (lookalike/gallery/match_json.hpp, shared with `match --json`)
//   summary:  {"summary": {"frames", "processed", "dropped", "fps",
//              "face_to_name_ms_p50"|null, "face_to_name_ms_p95"|null}}
#pragma once

#include <nlohmann/json.hpp>
#include <span>

#include "lookalike/gallery/match_json.hpp"
#include "lookalike/pipeline/snapshot.hpp"
#include "lookalike/stats.hpp"  // percentile(), used for the summary's p50 / p95

namespace lookalike {

std::string_view to_string(SourceStatus status);

nlohmann::json track_to_json(const TrackView& track);
nlohmann::json metrics_to_json(const PipelineMetrics& metrics);
nlohmann::json snapshot_to_json(const Snapshot& snapshot);

struct RunSummary {
  std::uint64_t frames = 0;  // captured
  std::uint64_t processed = 0;
  std::uint64_t dropped = 0;
  double fps = 0;  // processed frames per wall-clock second of the run
  std::vector<double> face_to_name_ms;
};
nlohmann::json summary_to_json(const RunSummary& summary);

}  // namespace lookalike

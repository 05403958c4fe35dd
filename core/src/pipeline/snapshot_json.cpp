#include "lookalike/pipeline/snapshot_json.hpp"

#include <algorithm>
#include <cmath>

namespace lookalike {
namespace {

// Milliseconds and percentages are printed with 0.01 resolution (stable, short lines).
double round2(double v) {
  return std::round(v * 100.0) / 100.0;
}

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(round2(*v)) : nlohmann::json(nullptr);
}

}  // namespace

std::string_view to_string(SourceStatus status) {
  switch (status) {
    case SourceStatus::starting:
      return "starting";
    case SourceStatus::running:
      return "running";
    case SourceStatus::reconnecting:
      return "reconnecting";
    case SourceStatus::ended:
      return "ended";
    case SourceStatus::failed:
      return "failed";
  }
  return "unknown";
}

nlohmann::json track_to_json(const TrackView& t) {
  nlohmann::json matches = nlohmann::json::array();
  for (const IdentityMatch& m : t.matches) matches.push_back(match_to_json(m));
  nlohmann::json j = {
      {"id", t.id},
      {"box",
       {std::lround(t.box.x), std::lround(t.box.y), std::lround(t.box.width),
        std::lround(t.box.height)}},
      {"name", t.named() ? nlohmann::json(t.matches.front().name) : nlohmann::json(nullptr)},
      {"similarity", t.named() ? nlohmann::json(round_to(t.matches.front().similarity_percent, 0.1))
                               : nlohmann::json(nullptr)},
      {"matches", std::move(matches)}};
  add_estimate_json(j, t.gender_age);  // "unknown" unless the pipeline estimates them
  return j;
}

nlohmann::json metrics_to_json(const PipelineMetrics& m) {
  return {{"capture_fps", round2(m.capture_fps)},
          {"processed_fps", round2(m.processed_fps)},
          {"captured", m.captured},
          {"processed", m.processed},
          {"dropped", m.dropped},
          {"stale", m.stale},
          {"latency_ms",
           {{"detect", round2(m.latency.detect_ms)},
            {"landmarks", round2(m.latency.landmarks_ms)},
            {"embed", round2(m.latency.embed_ms)},
            {"search", round2(m.latency.search_ms)},
            {"total", round2(m.latency.total_ms)}}},
          {"detector_scale_percent", m.detector_scale_percent},
          {"reembed_interval", m.reembed_interval},
          {"degraded", m.degraded},
          {"workers", m.workers},
          {"named_tracks", m.face_to_name_ms.size()}};
}

nlohmann::json snapshot_to_json(const Snapshot& s) {
  nlohmann::json tracks = nlohmann::json::array();
  for (const TrackView& t : s.tracks) tracks.push_back(track_to_json(t));
  nlohmann::json j = {{"seq", s.seq},
                      {"t_ms", round2(s.t_ms)},
                      {"status", to_string(s.status)},
                      {"tracks", std::move(tracks)},
                      {"metrics", metrics_to_json(s.metrics)}};
  if (!s.status_message.empty() && s.status != SourceStatus::running)
    j["status_message"] = s.status_message;
  return j;
}

nlohmann::json summary_to_json(const RunSummary& s) {
  return {{"summary",
           {{"frames", s.frames},
            {"processed", s.processed},
            {"dropped", s.dropped},
            {"fps", round2(s.fps)},
            {"face_to_name_ms_p50", optional_number(percentile(s.face_to_name_ms, 50))},
            {"face_to_name_ms_p95", optional_number(percentile(s.face_to_name_ms, 95))}}}};
}

}  // namespace lookalike

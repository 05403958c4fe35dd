// What the live pipeline publishes for consumers (UI, headless runner).
//
// Contract: a Snapshot is immutable once published and shared as
// std::shared_ptr<const Snapshot>; consumers read it without locks and may keep it as long as
// they like. `frame` shares the pixels of the captured frame the snapshot describes (never
// written again). Sequence numbers of published snapshots never go backwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lookalike/engine/gender_age.hpp"
#include "lookalike/gallery/search_types.hpp"
#include "lookalike/types.hpp"

namespace lookalike {

enum class SourceStatus { starting, running, reconnecting, ended, failed };

struct TrackView {
  std::uint64_t id = 0;
  cv::Rect2f box;                      // smoothed, in frame pixels, moves every frame
  std::optional<Landmarks> landmarks;  // of the last detection, if any
  std::vector<IdentityMatch> matches;  // shown top-k (hysteresis applied); empty until named
  std::optional<Embedding> embedding;  // the track's running mean descriptor, once embedded
  float quality = 0.f;                 // of the best face seen so far
  // Gender and age estimated over the track's faces (PipelineOptions::estimate_gender_age):
  // estimates of how the face looks, unknown until the first one.
  GenderAgeEstimate gender_age;
  int age_frames = 0;     // frames since the track started
  int missed_frames = 0;  // consecutive frames without a detection
  bool named() const { return !matches.empty(); }
};

struct StageLatency {
  double detect_ms = 0, landmarks_ms = 0, embed_ms = 0, search_ms = 0, total_ms = 0;
};

struct PipelineMetrics {
  double capture_fps = 0;    // frames delivered by the source per second
  double processed_fps = 0;  // frames that went through detection per second
  std::uint64_t captured = 0;
  std::uint64_t processed = 0;
  std::uint64_t dropped = 0;         // frames overwritten in the mailbox before a worker took them
  StageLatency latency;              // moving averages
  int detector_scale_percent = 100;  // adaptive degradation: detector input size
  int reembed_interval = 0;          // adaptive degradation: frames between re-embeddings
  std::vector<double> face_to_name_ms;  // per named track: first frame -> first name
  // Additive (pipeline): frames a worker processed but a newer frame was published first
  // (their detections are discarded so that published seq never goes backwards).
  std::uint64_t stale = 0;
  int workers = 0;        // worker threads running
  bool degraded = false;  // adaptive speed currently trades quality for rate
};

struct Snapshot {
  std::uint64_t seq = 0;  // sequence number of the frame this describes
  // Additive (pipeline): publish counter, strictly increasing. A frame's snapshot may be
  // republished (same seq, higher version) when its recognition results or a status change
  // arrive after its boxes were published.
  std::uint64_t version = 0;
  // Additive (pipeline): the frame the tracks were last updated from (<= seq). The picture
  // (seq) runs at the source rate; detection may lag a frame or two behind it, and the boxes
  // are moved along each track's velocity to `seq`.
  std::uint64_t tracks_seq = 0;
  Clock::time_point captured_at{};  // capture timestamp of that frame
  double t_ms = 0;                  // capture time since the source started
  cv::Mat frame;                    // the frame (BGR), shared, never modified
  std::vector<TrackView> tracks;
  PipelineMetrics metrics;
  SourceStatus status = SourceStatus::starting;
  std::string status_message;  // e.g. "camera 0 lost, reconnecting" or the error
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace lookalike

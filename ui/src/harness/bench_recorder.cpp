#include "harness/bench_recorder.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <span>

#include "lookalike/file_util.hpp"
#include "lookalike/stats.hpp"

namespace lookalike::ui {

bool BenchRecorder::switch_now(bool source_showing) {
  switching_ = false;
  if (switches_ <= 0 || (switches_done_ == 0 && !source_showing)) return false;
  if (frames_to_switch_ > 0) {
    --frames_to_switch_;
    switching_ = true;
    return false;
  }
  if (switches_done_ >= switches_) return false;
  frames_to_switch_ = kFramesPerSwitch;
  ++switches_done_;
  switching_ = true;
  return true;
}

void BenchRecorder::frame(double cpu_ms, double frame_ms) {
  cpu_ms_.push_back(cpu_ms);
  frame_ms_.push_back(frame_ms);
  if (switching_) switch_cpu_ms_max_ = std::max(switch_cpu_ms_max_, cpu_ms);
}

void BenchRecorder::whole_frame(double ms) {
  if (switching_) switch_frame_ms_max_ = std::max(switch_frame_ms_max_, ms);
}

void BenchRecorder::source_frame_shown(std::uint64_t seq, double time_s) {
  if (!new_frame_seqs_.empty() && seq <= new_frame_seqs_.back()) return;
  new_frame_times_.push_back(time_s);
  new_frame_seqs_.push_back(seq);
}

void BenchRecorder::faces_shown(std::size_t faces) {
  max_faces_ = std::max(max_faces_, faces);
}

void BenchRecorder::write(const std::filesystem::path& file, double source_fps) const {
  nlohmann::json j;
  const auto n = frame_ms_.size();
  j["frames"] = n;
  j["frame_ms_p50"] = percentile(frame_ms_, 50).value_or(0);
  j["frame_ms_p99"] = percentile(frame_ms_, 99).value_or(0);
  j["frame_ms_max"] = n ? *std::max_element(frame_ms_.begin(), frame_ms_.end()) : 0.0;
  // Without glFinish: building the UI, uploading textures and submitting draw calls (what
  // the main thread spends when a GPU rasterizes).
  j["cpu_ms_p50"] = percentile(cpu_ms_, 50).value_or(0);
  j["cpu_ms_p99"] = percentile(cpu_ms_, 99).value_or(0);
  double displayed_fps = 0;
  std::vector<double> intervals;
  std::uint64_t skipped = 0;
  for (std::size_t i = 1; i < new_frame_times_.size(); ++i) {
    intervals.push_back((new_frame_times_[i] - new_frame_times_[i - 1]) * 1000.0);
    skipped += new_frame_seqs_[i] - new_frame_seqs_[i - 1] - 1;
  }
  if (new_frame_times_.size() > 1)
    displayed_fps = static_cast<double>(new_frame_times_.size() - 1) /
                    (new_frame_times_.back() - new_frame_times_.front());
  j["source_frames_displayed"] = new_frame_times_.size();
  j["source_frames_skipped"] = skipped;
  j["displayed_source_fps"] = displayed_fps;
  j["source_fps"] = source_fps;
  j["source_interval_ms_p50"] = percentile(intervals, 50).value_or(0);
  j["source_interval_ms_p99"] = percentile(intervals, 99).value_or(0);
  j["max_faces"] = max_faces_;
  if (switches_ > 0) {
    j["source_switches"] = switches_done_;
    j["switch_frame_ms_max"] = switch_frame_ms_max_;
    j["switch_cpu_ms_max"] = switch_cpu_ms_max_;  // the UI thread's own work in those frames
  }
  const std::string text = j.dump(2);
  write_file_atomically(file, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace lookalike::ui

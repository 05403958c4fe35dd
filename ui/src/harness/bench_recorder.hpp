// BenchRecorder: the UI benchmark's records (--bench-json, --bench-switches), kept out of the
// App: per-frame times with and without glFinish, when each new source frame was first shown,
// and the longest whole frame while the live source was being switched.
//
// Contract: main thread only; plain records, no GL. Source switching is scheduled here (once
// the source shows frames, one switch every kFramesPerSwitch frames, `switches` times) and done
// by the App where the source menu does it. write() throws std::runtime_error naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace lookalike::ui {

class BenchRecorder {
 public:
  static constexpr int kFramesPerSwitch = 5;

  explicit BenchRecorder(int switches) : switches_(switches) {}

  // Called once per frame before drawing; true when the App should switch the source now.
  // `source_showing`: a source frame is on screen (switching starts after the first one).
  bool switch_now(bool source_showing);
  // Between the first switch and kFramesPerSwitch frames after the last one.
  bool switching() const { return switching_; }
  bool switches_pending() const { return switches_done_ < switches_; }

  void frame(double cpu_ms, double frame_ms);                 // without / with glFinish
  void whole_frame(double ms);                                // switch, build, draw, swap
  void source_frame_shown(std::uint64_t seq, double time_s);  // repeats of a seq are ignored
  void faces_shown(std::size_t faces);

  void write(const std::filesystem::path& file, double source_fps) const;

 private:
  int switches_ = 0;
  int switches_done_ = 0;
  int frames_to_switch_ = 0;
  bool switching_ = false;
  double switch_frame_ms_max_ = 0;
  double switch_cpu_ms_max_ = 0;  // without glFinish
  std::vector<double> frame_ms_, cpu_ms_;
  std::vector<double> new_frame_times_;  // when a new source frame was first displayed
  std::vector<std::uint64_t> new_frame_seqs_;
  std::size_t max_faces_ = 0;
};

}  // namespace lookalike::ui

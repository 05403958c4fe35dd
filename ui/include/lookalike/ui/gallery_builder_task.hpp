// GalleryBuilderTask: builds a gallery from dropped identity folders in the background, with
// progress and cancel, through core's gallery builder.
//
// Contract: construction starts one std::jthread and returns at once. progress(), state() and
// message() are thread-safe snapshots for the UI. cancel() is non-blocking (the builder stops
// at its next checkpoint; the previous output file is left untouched). The destructor cancels
// and joins. Errors never escape the thread: they end in state `failed` with the message.
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lookalike::ui {

struct BuildProgress {
  std::size_t done = 0;   // photos processed (kept or skipped)
  std::size_t total = 0;  // photos found (0 while scanning)
  std::size_t identities = 0;
  double photos_per_second = 0;
};

class GalleryBuilderTask {
 public:
  enum class State { running, done, failed, cancelled };

  GalleryBuilderTask(std::vector<std::filesystem::path> sources, std::filesystem::path output);
  ~GalleryBuilderTask();
  GalleryBuilderTask(const GalleryBuilderTask&) = delete;
  GalleryBuilderTask& operator=(const GalleryBuilderTask&) = delete;

  void cancel() { worker_.request_stop(); }
  BuildProgress progress() const;
  State state() const;
  std::string message() const;
  const std::filesystem::path& output() const { return output_; }

 private:
  void run(std::stop_token stop);

  std::vector<std::filesystem::path> sources_;
  std::filesystem::path output_;
  mutable std::mutex mutex_;
  BuildProgress progress_;        // guarded
  State state_ = State::running;  // guarded
  std::string message_;           // guarded
  std::jthread worker_;           // last
};

// True when `folder` looks like a gallery source: it holds sub-folders that contain images.
bool looks_like_identity_folders(const std::filesystem::path& folder);

}  // namespace lookalike::ui

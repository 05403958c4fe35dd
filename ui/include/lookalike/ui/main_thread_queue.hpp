// MainThreadQueue: work that must run on the UI thread (GL texture creation and deletion,
// ImGui state), posted from any thread and drained by the main loop right after
// ImGui::NewFrame(), as in ImHex's deferred calls and Tracy's run queue.
//
// Contract: post() is thread-safe and never blocks on the main thread's work; it refuses
// (returns false) when `capacity` tasks are already waiting, so a stalled UI cannot make the
// queue grow without bound (posters retry later). drain() runs the queued tasks in FIFO order
// on the calling thread (the main thread); a throwing task is logged and skipped. clear()
// destroys pending tasks without running them (on the main thread, during shutdown).
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace lookalike::ui {

class MainThreadQueue {
 public:
  explicit MainThreadQueue(std::size_t capacity = 256) : capacity_(capacity) {}

  bool post(std::function<void()> task);
  std::size_t drain();  // returns the number of tasks run
  void clear();
  std::size_t pending() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;  // guarded
  std::size_t capacity_;
};

}  // namespace lookalike::ui

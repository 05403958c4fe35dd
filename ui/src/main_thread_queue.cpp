#include "lookalike/ui/main_thread_queue.hpp"

#include <spdlog/spdlog.h>

namespace lookalike::ui {

bool MainThreadQueue::post(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  if (tasks_.size() >= capacity_) return false;
  tasks_.push_back(std::move(task));
  return true;
}

std::size_t MainThreadQueue::drain() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(tasks_);
  }
  for (auto& task : batch) {
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("main-thread task failed: {}", e.what());
    }
  }
  return batch.size();
}

void MainThreadQueue::clear() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard lock(mutex_);
    batch.swap(tasks_);
  }
}

std::size_t MainThreadQueue::pending() const {
  std::lock_guard lock(mutex_);
  return tasks_.size();
}

}  // namespace lookalike::ui

#include "lookalike/app/task.hpp"

#include <spdlog/spdlog.h>

#include <exception>

namespace lookalike::app {

void Task::Context::report(double fraction, std::string text) {
  {
    std::lock_guard lock(task_.mutex_);
    task_.status_.fraction = fraction;
    task_.status_.text = std::move(text);
  }
  task_.notify();
}

Task::Task(std::string name, Body body, std::function<void()> on_change)
    : name_(std::move(name)), on_change_(std::move(on_change)) {
  worker_ = std::jthread([this, body = std::move(body)](std::stop_token stop) { run(stop, body); });
}

Task::~Task() {
  worker_.request_stop();
  if (worker_.joinable()) worker_.join();
}

Task::Status Task::status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

void Task::notify() const {
  if (on_change_) on_change_();
}

void Task::run(std::stop_token stop, const Body& body) {
  Context context(*this, stop);
  State end = State::failed;
  std::string error;
  try {
    end = body(context) ? State::done : State::cancelled;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unknown error";
  }
  if (end == State::failed) spdlog::error("{}: {}", name_, error);
  {
    std::lock_guard lock(mutex_);
    status_.state = end;
    status_.error = std::move(error);
  }
  notify();
}

}  // namespace lookalike::app

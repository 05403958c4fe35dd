// Task: one background job with progress, interruption and an error the UI can show (in the
// spirit of ImHex's Task). Used for long use cases started from the GUI (gallery download and
// install, model download) so that views only ever poll a snapshot.
//
// Contract: construction starts one std::jthread running `body(context)` and returns at once.
// The body reports through context.report() (thread-safe), checks context.stop() and returns
// true when it completed, false when it stopped early on request. An exception ends the task
// in State::failed with its what() as the error; nothing escapes the thread. status() is a
// thread-safe snapshot. cancel() never blocks. The destructor cancels and joins. `on_change`
// (optional) is called from the task's thread after each report and at the end: the GUI wakes
// its event loop with it (glfwPostEmptyEvent).
#pragma once

#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

namespace lookalike::app {

class Task {
 public:
  enum class State { running, done, failed, cancelled };
  struct Status {
    State state = State::running;
    double fraction = -1;  // 0..1, < 0 when unknown
    std::string text;      // what it is doing now / what it did
    std::string error;     // set in State::failed
  };

  class Context {
   public:
    std::stop_token stop() const { return stop_; }
    void report(double fraction, std::string text);

   private:
    friend class Task;
    Context(Task& task, std::stop_token stop) : task_(task), stop_(std::move(stop)) {}
    Task& task_;
    std::stop_token stop_;
  };

  using Body = std::function<bool(Context&)>;

  Task(std::string name, Body body, std::function<void()> on_change = {});
  ~Task();
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  const std::string& name() const { return name_; }
  void cancel() { worker_.request_stop(); }
  bool running() const { return status().state == State::running; }
  Status status() const;

 private:
  void run(std::stop_token stop, const Body& body);
  void notify() const;

  std::string name_;
  std::function<void()> on_change_;
  mutable std::mutex mutex_;
  Status status_;        // guarded
  std::jthread worker_;  // last: joined first
};

}  // namespace lookalike::app

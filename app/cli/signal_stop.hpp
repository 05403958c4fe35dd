// Turns Ctrl-C / SIGTERM into a std::stop_token for long-running subcommands.
//
// Contract: a handler for SIGINT and SIGTERM only posts a semaphore (async-signal-safe); a
// watcher thread waits on it and does the work outside the handler, so it does not matter
// which thread the kernel picks (BLAS and oneDNN start threads of their own). The first signal
// writes `message` to stderr and requests stop; a second one ends the process at once (exit
// 130). A signal the process was started with ignored (SIGINT of a shell's background job)
// stays ignored. The destructor restores the previous handlers and joins the watcher. One
// instance at a time per process.
#pragma once

#include <signal.h>

#include <atomic>
#include <stop_token>
#include <string>
#include <thread>

namespace lookalike::cli {

class StopOnSignal {
 public:
  explicit StopOnSignal(std::string message =
                            "\ninterrupt: finishing the current photos and saving the checkpoint "
                            "(press Ctrl-C again to quit at once)\n");
  ~StopOnSignal();
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  bool interrupted() const { return interrupted_.load(); }

 private:
  std::string message_;
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
  std::stop_source source_;
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> closing_{false};
  std::thread watcher_;
};

}  // namespace lookalike::cli

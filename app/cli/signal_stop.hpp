// Turns Ctrl-C / SIGTERM into a std::stop_token for long-running subcommands.
//
// Contract: construct on the main thread before starting any worker thread: SIGINT, SIGTERM
// and SIGUSR1 are blocked in the calling thread (and so in every thread created later) and a
// watcher thread receives them with sigwait(), so no work happens in a signal handler. The
// first SIGINT/SIGTERM requests stop; a second one ends the process at once (exit 130). The
// destructor wakes the watcher (SIGUSR1), joins it and restores the signal mask. One instance
// at a time per process.
#pragma once

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <stop_token>
#include <thread>

namespace lookalike::cli {

class StopOnSignal {
 public:
  StopOnSignal() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    sigaddset(&set_, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set_, &previous_);
    watcher_ = std::thread([this] {
      for (;;) {
        int sig = 0;
        if (sigwait(&set_, &sig) != 0) continue;
        if (sig == SIGUSR1) {
          if (closing_.load()) return;
          continue;
        }
        if (interrupted_.exchange(true)) _exit(130);  // second Ctrl-C: give up now
        constexpr char kMessage[] =
            "\ninterrupt: finishing the current photos and saving the checkpoint "
            "(press Ctrl-C again to quit at once)\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
        source_.request_stop();
      }
    });
  }
  ~StopOnSignal() {
    closing_ = true;
    pthread_kill(watcher_.native_handle(), SIGUSR1);
    watcher_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  std::stop_token token() const { return source_.get_token(); }
  bool interrupted() const { return interrupted_.load(); }

 private:
  sigset_t set_{};
  sigset_t previous_{};
  std::stop_source source_;
  std::atomic<bool> interrupted_{false};
  std::atomic<bool> closing_{false};
  std::thread watcher_;
};

}  // namespace lookalike::cli

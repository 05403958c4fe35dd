#include "signal_stop.hpp"

#include <semaphore.h>
#include <unistd.h>

#include <cerrno>

namespace lookalike::cli {
namespace {

sem_t g_signalled;  // posted by the handler, waited for by the watcher

extern "C" void post_signal(int) {
  const int saved = errno;
  sem_post(&g_signalled);
  errno = saved;
}

// Installs post_signal for `sig` unless the process was started with it ignored.
void install(int sig, struct sigaction& previous) {
  sigaction(sig, nullptr, &previous);
  if (previous.sa_handler == SIG_IGN) return;
  struct sigaction action {};
  action.sa_handler = post_signal;
  sigemptyset(&action.sa_mask);
  sigaction(sig, &action, nullptr);
}

}  // namespace

StopOnSignal::StopOnSignal(std::string message) : message_(std::move(message)) {
  sem_init(&g_signalled, 0, 0);
  install(SIGINT, previous_int_);
  install(SIGTERM, previous_term_);
  watcher_ = std::thread([this] {
    for (;;) {
      if (sem_wait(&g_signalled) != 0) continue;  // EINTR
      if (closing_.load()) return;
      if (interrupted_.exchange(true)) _exit(130);  // second signal: give up now
      [[maybe_unused]] auto n = ::write(STDERR_FILENO, message_.data(), message_.size());
      source_.request_stop();
    }
  });
}

StopOnSignal::~StopOnSignal() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
  closing_ = true;
  sem_post(&g_signalled);
  watcher_.join();
  sem_destroy(&g_signalled);
}

}  // namespace lookalike::cli

#include "signal_watcher.h"

#include <pthread.h>
#include <signal.h>

#include <ctime>

namespace iiot::simulator {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

SignalWatcher::SignalWatcher(std::function<void(int signal, int count)> handler) {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::jthread([set, handler = std::move(handler)](const std::stop_token& stop) {
    int count = 0;
    // Wake up now and then to notice the stop request; a signal ends the wait at once.
    const timespec tick{0, 100'000'000};
    while (!stop.stop_requested()) {
      const int signal = sigtimedwait(&set, nullptr, &tick);
      if (signal > 0) handler(signal, ++count);
    }
  });
}

SignalWatcher::~SignalWatcher() {
  thread_.request_stop();
  thread_.join();
}

}  // namespace iiot::simulator

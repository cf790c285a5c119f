// Receives SIGINT and SIGTERM on a dedicated thread and calls a handler there, so the handler
// may do anything (no async-signal-safety rules). Construct it in main before any other thread
// starts: the signals are blocked in the constructing thread and every thread started after
// (librdkafka's included) inherits that, so only this watcher receives them.
#pragma once

#include <functional>
#include <thread>

namespace iiot::simulator {

class SignalWatcher {
 public:
  // handler(signal, n): n counts the signals received so far (1 for the first).
  explicit SignalWatcher(std::function<void(int signal, int count)> handler);
  ~SignalWatcher();  // stops and joins the watcher thread
  SignalWatcher(const SignalWatcher&) = delete;
  SignalWatcher& operator=(const SignalWatcher&) = delete;

 private:
  std::jthread thread_;
};

}  // namespace iiot::simulator

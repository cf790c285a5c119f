// ChildProcess: a program run by a test (the gateway, the Python interop client), with its output
// in a log file. RAII: a child still running when the object dies is killed with SIGKILL and
// reaped, so a failing test never leaves a process behind; the child is also killed if the test
// process dies (PR_SET_PDEATHSIG). Used by one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace iiot::e2e {

// How a child ended: its exit code, or the signal that killed it.
struct ExitStatus {
  int code = -1;   // -1 if killed by a signal
  int signal = 0;  // 0 if it exited
  bool exited_ok() const { return signal == 0 && code == 0; }
  std::string describe() const;
};

class ChildProcess {
 public:
  // Starts argv[0] (a path) with argv; stdout and stderr are appended to log_path.
  // Throws std::runtime_error if the program cannot be started.
  ChildProcess(std::vector<std::string> argv, const std::string& log_path);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void signal(int sig);
  // Waits until the child ends; nullopt if it still runs after timeout.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  // SIGKILL and reap (no-op once ended).
  void kill();
  std::optional<ExitStatus> status() const { return status_; }

 private:
  bool reap(bool block);

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
};

}  // namespace iiot::e2e

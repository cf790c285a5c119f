// ChildProcess: a program run by a test (bin/consumer, the Python interop clients, Prometheus),
// its stdout and stderr either appended to a log file or read by a reader thread line by line.
// Used by the broker tests (tests/integration), the end-to-end tests (tests/e2e) and the
// operations tests (tests/ops).
//
// RAII: a child still running when the object dies is killed with SIGKILL and reaped, so a failing
// test never leaves a process behind; the child is also killed if the test process dies
// (PR_SET_PDEATHSIG). Used by one thread at a time; an OnLine callback runs on the reader thread,
// and tail() may be called from any thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace iiot::test_support {

// How a child ended: its exit code, or the signal that killed it.
struct ExitStatus {
  int code = -1;   // -1 if killed by a signal
  int signal = 0;  // 0 if it exited
  bool exited_ok() const { return signal == 0 && code == 0; }
  std::string describe() const;
};

class ChildProcess {
 public:
  // Variables set for the child on top of (or instead of) the test's own environment.
  using Environment = std::map<std::string, std::string>;
  using OnLine = std::function<void(std::string_view line)>;

  // Starts argv[0] (a path) with argv; stdout and stderr are appended to log_path.
  // Throws std::runtime_error if the program cannot be started.
  ChildProcess(std::vector<std::string> argv, const std::string& log_path,
               const Environment& extra_env = {});
  // The same with the output split into lines: on_line runs on the reader thread for each, and
  // the last lines are kept for tail().
  ChildProcess(std::vector<std::string> argv, OnLine on_line, const Environment& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends sig unless the child has ended.
  void signal(int sig);
  // Waits until the child ends (and its output has been read); nullopt if it still runs after
  // timeout.
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  ExitStatus wait();
  // SIGKILL and reap (no-op once ended).
  void kill();
  std::optional<ExitStatus> status() const { return status_; }
  // The last lines of output, for failure messages; empty when the output goes to a log file.
  std::string tail(std::size_t lines) const;

 private:
  // Forks and execs; the child's stdout and stderr become out_fd. Throws if fork fails.
  void start(std::vector<std::string> argv, const Environment& extra_env, int out_fd);
  bool reap(bool block);
  void read_output();
  void join_reader();

  pid_t pid_ = -1;
  std::optional<ExitStatus> status_;
  int out_fd_ = -1;  // the read end of the output pipe; -1 with a log file
  OnLine on_line_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;  // guarded by mutex_
  std::thread reader_;
};

}  // namespace iiot::test_support

// A child process for tests (e.g. bin/consumer): its stdout and stderr merged into one pipe that
// a reader thread splits into lines. The destructor kills (SIGKILL) a child still running and
// reaps it. Methods may be called from any thread.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace iiot::kafka_test {

class ChildProcess {
 public:
  using OnLine = std::function<void(std::string_view line)>;

  // Starts path with args (argv[1..]) and the environment plus extra_env. on_line runs on the
  // reader thread for every output line. Throws std::runtime_error if it cannot start.
  ChildProcess(const std::string& path, const std::vector<std::string>& args,
               const std::map<std::string, std::string>& extra_env, OnLine on_line);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void kill(int signal);
  // Waits for the child to end and its output to be read; returns the wait status.
  int wait();
  // The last lines of output (for failure messages).
  std::string tail(std::size_t lines) const;

 private:
  void read_output();

  pid_t pid_ = -1;
  int out_fd_ = -1;
  OnLine on_line_;
  std::optional<int> status_;
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;  // guarded by mutex_
  std::thread reader_;
};

}  // namespace iiot::kafka_test

#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace iiot::kafka_test {

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& extra_env, OnLine on_line)
    : on_line_(std::move(on_line)) {
  std::vector<std::string> argv_storage{path};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string name(entry.substr(0, entry.find('=')));
    if (!extra_env.contains(name)) env_storage.emplace_back(entry);
  }
  for (const auto& [name, value] : extra_env) env_storage.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  const int rc = ::posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    throw std::runtime_error("cannot start " + path + ": " + std::strerror(rc));
  }
  out_fd_ = pipe_fds[0];
  reader_ = std::thread([this] { read_output(); });
}

ChildProcess::~ChildProcess() {
  if (!status_) {
    kill(SIGKILL);
    wait();
  }
}

void ChildProcess::kill(int signal) {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

int ChildProcess::wait() {
  if (!status_) {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    status_ = status;
  }
  if (reader_.joinable()) reader_.join();
  return *status_;
}

std::string ChildProcess::tail(std::size_t count) const {
  const std::lock_guard lock(mutex_);
  std::string out;
  for (std::size_t i = lines_.size() > count ? lines_.size() - count : 0; i < lines_.size(); ++i) {
    out += lines_[i];
    out += '\n';
  }
  return out;
}

void ChildProcess::read_output() {
  std::string pending;
  std::array<char, 65536> buffer{};
  for (;;) {
    const ssize_t n = ::read(out_fd_, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pending.append(buffer.data(), static_cast<std::size_t>(n));
    std::size_t start = 0;
    for (std::size_t nl = pending.find('\n'); nl != std::string::npos;
         nl = pending.find('\n', start)) {
      const std::string_view line(pending.data() + start, nl - start);
      if (on_line_) on_line_(line);
      {
        const std::lock_guard lock(mutex_);
        lines_.emplace_back(line);
        // Only the tail is ever shown; keep memory bounded for chatty children.
        if (lines_.size() > 2000) lines_.erase(lines_.begin(), lines_.begin() + 1000);
      }
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty() && on_line_) on_line_(pending);
  ::close(out_fd_);
}

}  // namespace iiot::kafka_test

#include "support/child_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <utility>

extern char** environ;

namespace iiot::test_support {
namespace {

// Only the tail is ever shown; memory stays bounded for chatty children.
constexpr std::size_t kKeptLines = 2000;

std::vector<std::string> environment_with(const ChildProcess::Environment& extra) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string name(entry.substr(0, entry.find('=')));
    if (!extra.contains(name)) out.emplace_back(entry);
  }
  for (const auto& [name, value] : extra)
    out.push_back(std::string(name).append("=").append(value));
  return out;
}

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(code);
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const std::string& log_path,
                           const Environment& extra_env) {
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) throw std::runtime_error("cannot open " + log_path + ": " + std::strerror(errno));
  try {
    start(std::move(argv), extra_env, log_fd);
  } catch (const std::runtime_error&) {
    ::close(log_fd);
    throw;
  }
  ::close(log_fd);
}

ChildProcess::ChildProcess(std::vector<std::string> argv, OnLine on_line,
                           const Environment& extra_env)
    : on_line_(std::move(on_line)) {
  std::array<int, 2> pipe_fds{};
  if (::pipe2(pipe_fds.data(), O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  try {
    start(std::move(argv), extra_env, pipe_fds[1]);
  } catch (const std::runtime_error&) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw;
  }
  // The child holds the write end now; the pipe ends when the child (and whatever inherited it)
  // has exited.
  ::close(pipe_fds[1]);
  out_fd_ = pipe_fds[0];
  reader_ = std::thread([this] { read_output(); });
}

ChildProcess::~ChildProcess() {
  kill();
  join_reader();
}

void ChildProcess::start(std::vector<std::string> argv, const Environment& extra_env, int out_fd) {
  // Everything the child needs is prepared before fork: after it only async-signal-safe calls.
  std::vector<char*> args = pointers_to(argv);
  std::vector<std::string> env_storage = environment_with(extra_env);
  std::vector<char*> envp = pointers_to(env_storage);
  const pid_t parent = ::getpid();

  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    // The test process may block signals in some threads; the child starts with none blocked.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(out_fd, STDERR_FILENO);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::execve(args[0], args.data(), envp.data());
    static const char kMessage[] = "exec failed\n";
    (void)!::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    ::_exit(127);
  }
}

bool ChildProcess::reap(bool block) {
  if (status_) return true;
  int raw = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &raw, block ? 0 : WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r != pid_) return false;
  ExitStatus s;
  if (WIFEXITED(raw)) {
    s.code = WEXITSTATUS(raw);
  } else if (WIFSIGNALED(raw)) {
    s.signal = WTERMSIG(raw);
  }
  status_ = s;
  return true;
}

bool ChildProcess::running() {
  return !reap(false);
}

void ChildProcess::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<ExitStatus> ChildProcess::wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!reap(false)) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  join_reader();
  return status_;
}

ExitStatus ChildProcess::wait() {
  reap(true);
  join_reader();
  return *status_;
}

void ChildProcess::kill() {
  if (pid_ <= 0 || status_) return;
  ::kill(pid_, SIGKILL);
  reap(true);
  join_reader();
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

void ChildProcess::join_reader() {
  if (reader_.joinable()) reader_.join();
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
        if (lines_.size() > kKeptLines) {
          lines_.erase(lines_.begin(), lines_.begin() + kKeptLines / 2);
        }
      }
      start = nl + 1;
    }
    pending.erase(0, start);
  }
  if (!pending.empty() && on_line_) on_line_(pending);
  ::close(out_fd_);
}

}  // namespace iiot::test_support

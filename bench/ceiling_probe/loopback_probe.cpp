#include "ceiling_probe/loopback_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/process_metrics.h"

namespace iiot::bench {
namespace {

using Clock = std::chrono::steady_clock;

// Shared between the two processes (an anonymous shared mapping made before fork).
struct SharedState {
  std::atomic<std::uint64_t> received_bytes{0};
  std::atomic<std::uint64_t> connected{0};
  std::atomic<int> stop{0};
  std::atomic<int> failed{0};
  std::atomic<double> receiver_cpu_s{0};
};

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

void set_nonblocking(int fd) {
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

double cpu_now() {
  return process_cpu_times().total();
}

// The receiver process: connects, then drains until told to stop (or the parent is gone).
[[noreturn]] void receiver_main(const ProbeOptions& o, SharedState& shared, sockaddr_in address,
                                pid_t parent) {
  std::vector<int> fds;
  fds.reserve(o.connections);
  for (std::size_t i = 0; i < o.connections; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      shared.failed = 1;
      _exit(1);
    }
    set_nonblocking(fd);
    fds.push_back(fd);
    shared.connected.fetch_add(1, std::memory_order_relaxed);
  }
  const double cpu_start = cpu_now();
  std::vector<std::thread> threads;
  for (int t = 0; t < o.receiver_threads; ++t) {
    threads.emplace_back([&, t] {
      const int ep = epoll_create1(0);
      for (std::size_t i = static_cast<std::size_t>(t); i < fds.size();
           i += static_cast<std::size_t>(o.receiver_threads)) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = fds[i];
        epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev);
      }
      std::vector<char> buffer(256 * 1024);
      std::vector<epoll_event> events(1024);
      while (shared.stop.load(std::memory_order_relaxed) == 0 && getppid() == parent) {
        const int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 50);
        std::uint64_t got = 0;
        for (int e = 0; e < n; ++e) {
          for (;;) {
            const ssize_t r =
                recv(events[static_cast<std::size_t>(e)].data.fd, buffer.data(), buffer.size(), 0);
            if (r <= 0) break;
            got += static_cast<std::uint64_t>(r);
            if (static_cast<std::size_t>(r) < buffer.size()) break;
          }
        }
        if (got > 0) shared.received_bytes.fetch_add(got, std::memory_order_relaxed);
      }
      close(ep);
    });
  }
  for (auto& t : threads) t.join();
  shared.receiver_cpu_s = cpu_now() - cpu_start;
  _exit(0);
}

void sender_loop(const ProbeOptions& o, const std::vector<int>& fds, std::size_t first,
                 std::size_t stride, const std::atomic<bool>& stop,
                 std::atomic<std::uint64_t>& calls, std::atomic<std::uint64_t>& would_block) {
  std::vector<std::vector<char>> frames(static_cast<std::size_t>(std::max(o.batch, 1)),
                                        std::vector<char>(o.frame_bytes, 'x'));
  std::vector<iovec> iov;
  for (auto& f : frames) iov.push_back(iovec{f.data(), f.size()});
  std::uint64_t local_calls = 0;
  std::uint64_t local_blocked = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    for (std::size_t i = first; i < fds.size(); i += stride) {
      ssize_t r = 0;
      if (o.mode == ProbeMode::kSend) {
        r = send(fds[i], frames[0].data(), o.frame_bytes, MSG_NOSIGNAL);
      } else {
        r = writev(fds[i], iov.data(), static_cast<int>(iov.size()));
      }
      ++local_calls;
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) ++local_blocked;
    }
    calls.store(local_calls, std::memory_order_relaxed);
    would_block.store(local_blocked, std::memory_order_relaxed);
  }
}

}  // namespace

std::string to_string(ProbeMode mode) {
  return mode == ProbeMode::kSend ? "send" : "writev";
}

ProbeResult run_probe(const ProbeOptions& o) {
  const std::uint64_t limit = raise_open_file_limit();
  if (limit < o.connections + 64) {
    throw std::runtime_error("--connections " + std::to_string(o.connections) +
                             " needs more open files than the limit " + std::to_string(limit));
  }
  void* memory =
      mmap(nullptr, sizeof(SharedState), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) fail("mmap");
  auto* shared = new (memory) SharedState();

  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0) fail("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) fail("bind");
  if (listen(listener, SOMAXCONN) != 0) fail("listen");
  getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);

  const pid_t parent = getpid();
  const pid_t child = fork();
  if (child < 0) fail("fork");
  if (child == 0) {
    close(listener);
    receiver_main(o, *shared, address, parent);
  }

  std::vector<int> fds;
  fds.reserve(o.connections);
  const auto accept_deadline = Clock::now() + std::chrono::seconds(60);
  set_nonblocking(listener);
  while (fds.size() < o.connections && Clock::now() < accept_deadline &&
         shared->failed.load() == 0) {
    const int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      continue;
    }
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // as the gateway does
    set_nonblocking(fd);
    fds.push_back(fd);
  }
  close(listener);
  auto finish_child = [&] {
    shared->stop = 1;
    for (int i = 0; i < 200; ++i) {
      if (waitpid(child, nullptr, WNOHANG) == child) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
  };
  if (fds.size() < o.connections) {
    finish_child();
    throw std::runtime_error("only " + std::to_string(fds.size()) + " of " +
                             std::to_string(o.connections) + " loopback connections came up");
  }
  while (shared->connected.load() < o.connections && Clock::now() < accept_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }

  std::atomic<bool> stop{false};
  const auto threads = static_cast<std::size_t>(std::max(o.sender_threads, 1));
  std::vector<std::atomic<std::uint64_t>> calls(threads);
  std::vector<std::atomic<std::uint64_t>> blocked(threads);
  std::vector<std::thread> senders;
  for (std::size_t t = 0; t < threads; ++t) {
    senders.emplace_back([&, t] { sender_loop(o, fds, t, threads, stop, calls[t], blocked[t]); });
  }
  auto sum = [](const std::vector<std::atomic<std::uint64_t>>& v) {
    std::uint64_t s = 0;
    for (const auto& x : v) s += x.load();
    return s;
  };
  std::this_thread::sleep_for(std::chrono::duration<double>(o.warmup_s));
  const auto t0 = Clock::now();
  const std::uint64_t bytes0 = shared->received_bytes.load();
  const std::uint64_t calls0 = sum(calls);
  const std::uint64_t blocked0 = sum(blocked);
  const double cpu0 = cpu_now();
  std::this_thread::sleep_for(std::chrono::duration<double>(o.duration_s));
  const double window = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::uint64_t bytes1 = shared->received_bytes.load();
  const std::uint64_t calls1 = sum(calls);
  const std::uint64_t blocked1 = sum(blocked);
  const double cpu1 = cpu_now();
  stop = true;
  for (auto& s : senders) s.join();
  finish_child();
  for (int fd : fds) close(fd);

  ProbeResult r;
  r.window_s = window;
  r.received_bytes = bytes1 - bytes0;
  r.bytes_per_s = static_cast<double>(r.received_bytes) / window;
  r.frames_per_s = r.bytes_per_s / static_cast<double>(o.frame_bytes);
  r.syscalls_per_s = static_cast<double>(calls1 - calls0) / window;
  r.would_block = blocked1 - blocked0;
  r.sender_cpu_s = cpu1 - cpu0;
  r.receiver_cpu_s = shared->receiver_cpu_s.load();  // whole run of the receiver, for reference
  munmap(memory, sizeof(SharedState));
  return r;
}

}  // namespace iiot::bench

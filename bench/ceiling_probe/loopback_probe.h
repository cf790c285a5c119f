// LoopbackProbe: the raw loopback ceiling the gateway is compared with. This process listens on
// 127.0.0.1 and forks a receiver process that opens N connections and drains them all with
// epoll (like the load client, in another process); the N accepted sockets are the senders (like
// the gateway's). Senders write fixed-size frames round robin over the N sockets, one send() per
// frame (kSend) or one writev() of `batch` frames per socket (kWritev). Frames/s is what the
// receiver got in the measurement window, divided by the frame size. Runs once, from main.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace iiot::bench {

enum class ProbeMode { kSend, kWritev };

struct ProbeOptions {
  std::size_t connections = 1000;
  std::size_t frame_bytes = 256;
  ProbeMode mode = ProbeMode::kSend;
  int batch = 8;  // frames per writev
  double duration_s = 5;
  double warmup_s = 1;
  int sender_threads = 1;
  int receiver_threads = 1;
};

struct ProbeResult {
  double window_s = 0;
  std::uint64_t received_bytes = 0;
  double frames_per_s = 0;
  double bytes_per_s = 0;
  double syscalls_per_s = 0;      // send/writev calls by the senders in the window
  std::uint64_t would_block = 0;  // calls answered EAGAIN (the socket was full)
  double sender_cpu_s = 0;        // this process, in the window
  double receiver_cpu_s = 0;      // the receiver process, in the window
};

// Throws std::runtime_error on set-up failures (sockets, fork, limits).
ProbeResult run_probe(const ProbeOptions& options);

std::string to_string(ProbeMode mode);

}  // namespace iiot::bench

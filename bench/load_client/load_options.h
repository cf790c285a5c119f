// Command line of bench_load_client (docs/performance.md). parse_load_options() runs once in
// main; the result is a plain value.
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include "load_client/centrifugo_protocol.h"
#include "support/device_fleet.h"

namespace iiot::bench {

enum class LoadMode {
  kFast,   // reads every frame as soon as it arrives
  kStall,  // completes the handshake, sends its filter, then never reads (small receive buffer)
  kRate,   // reads at most rate_bytes_per_s
  kIdle,   // completes the handshake and does nothing else (no filter, no reads)
};

// Whose client protocol the connections speak: the gateway's (filter frames) or Centrifugo's
// (connect and subscribe commands, centrifugo_protocol.h), for the benchmark's peer comparison.
enum class LoadProtocol { kGateway, kCentrifugo };

struct LoadOptions {
  std::string host = "127.0.0.1";
  std::string port = "8081";
  std::string path = "/ws";
  std::size_t connections = 100;
  double connect_rate = 2000;     // new connections per second, all threads together
  std::size_t max_pending = 512;  // handshakes in flight, all threads together
  double match_fraction = 1.0;
  DeviceFleet fleet;
  std::size_t index_base = 0;  // global index of this process's first connection
  LoadMode mode = LoadMode::kFast;
  double rate_bytes_per_s = 0;  // kRate only
  double duration_s = 10;
  double warmup_s = 2;
  bool compression = false;
  bool tls = false;     // wss://: TLS under the WebSocket, the gateway's certificate verified
  std::string ca_file;  // tls only: CA certificates (PEM) for the verification; empty: system's
  int threads = 2;
  int stall_rcvbuf = 4096;       // SO_RCVBUF of stalled connections, so back-pressure comes soon
  double connect_timeout_s = 0;  // 0: 30 s + 2 x connections / connect_rate
  bool wait_go = false;          // after READY, wait for a "go" line on stdin
  std::string token;             // sent as "Authorization: Bearer <token>" when not empty
  bool latest = false;           // the filter asks for "delivery":"latest"
  std::string json_out;
  std::string label;
  LoadProtocol protocol = LoadProtocol::kGateway;
  CentrifugoChannels centrifugo;  // kCentrifugo only
};

std::string_view to_string(LoadMode mode);

// On --help or a usage error: the exit code to return (0 for --help, 2 for an error).
std::variant<LoadOptions, int> parse_load_options(int argc, char** argv);

}  // namespace iiot::bench

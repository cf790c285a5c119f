// LoadWorker: one I/O thread with its own io_context and a share of the load client's
// connections. It paces new connections (its share of --connect-rate, at most its share of
// --max-pending set-ups in flight), owns the LoadConnections, and keeps the counters and the
// latency histogram of its connections without locks. Counters are read by main only after
// stop() has joined the thread; RunControl is the only state shared while running.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "load_client/frame_inspector.h"
#include "load_client/load_options.h"
#include "load_client/pooled_read_socket.h"
#include "support/device_fleet.h"
#include "support/latency_recorder.h"
#include "text_formats/rfc3339_parser.h"

namespace iiot::bench {

class LoadConnection;

enum class Phase : int { kConnecting, kReady, kWarmup, kMeasure, kDone };

// Shared between main and the workers.
struct RunControl {
  std::atomic<Phase> phase{Phase::kConnecting};
  std::atomic<std::size_t> ready{0};
  std::atomic<std::size_t> failed{0};
};

struct WorkerResult {
  std::uint64_t deliveries = 0;  // event frames received in the measurement window
  std::uint64_t bytes = 0;       // their payload bytes
  std::uint64_t all_frames = 0;  // every frame received, any phase
  std::uint64_t unparsed_timestamps = 0;
  std::uint64_t disconnected = 0;            // connections lost after they were ready (any window)
  std::uint64_t retries = 0;                 // connection attempts repeated after a failure
  std::uint64_t compression_negotiated = 0;  // handshakes that agreed on permessage-deflate
  LatencyRecorder latency;                   // event timestamp -> receipt, measurement window only
};

class LoadWorker {
 public:
  LoadWorker(const LoadOptions& options, const SubscriptionPlan& plan, RunControl& control,
             boost::asio::ip::tcp::endpoint endpoint, std::vector<std::size_t> global_indices,
             double connect_rate, std::size_t max_pending);
  ~LoadWorker();
  LoadWorker(const LoadWorker&) = delete;
  LoadWorker& operator=(const LoadWorker&) = delete;

  void start();
  void stop();  // stops the io_context and joins the thread

  // Worker thread only.
  boost::asio::io_context& io() { return io_; }
  // --tls only: the client context (verifies the gateway's certificate).
  boost::asio::ssl::context& tls_context() { return *tls_; }
  const LoadOptions& options() const { return options_; }
  const SubscriptionPlan& plan() const { return plan_; }
  const boost::asio::ip::tcp::endpoint& endpoint() const { return endpoint_; }
  // Read chunks shared by this worker's plain connections (PooledReadSocket).
  ReadChunkPool& read_chunks() { return read_chunks_; }
  Phase phase() const { return control_.phase.load(std::memory_order_relaxed); }
  WorkerResult& result() { return result_; }
  // A new measurement window: the window's counters and latency start again from zero;
  // disconnects, retries and negotiated compression keep counting.
  void start_window();
  void set_up_finished(bool ok);  // a connection became ready or gave up
  // Counts one received text message and, in the measurement window, records its latency.
  FrameKind on_message(std::string_view payload);
  // Counts one received event of `bytes` bytes stamped `timestamp` (empty: not found) and, in the
  // measurement window, records its latency.
  void on_event(std::string_view timestamp, std::size_t bytes);

 private:
  void schedule_connects();
  void connect_some();

  const LoadOptions& options_;
  const SubscriptionPlan& plan_;
  RunControl& control_;
  const boost::asio::ip::tcp::endpoint endpoint_;
  const std::vector<std::size_t> global_indices_;
  const double connect_rate_;
  const std::size_t max_pending_;

  boost::asio::io_context io_{1};
  std::unique_ptr<boost::asio::ssl::context> tls_;  // --tls only
  boost::asio::steady_timer pacing_timer_{io_};
  std::thread thread_;
  std::chrono::steady_clock::time_point connect_start_;
  std::size_t started_ = 0;
  std::size_t pending_ = 0;
  ReadChunkPool read_chunks_;  // before connections_: outlives their sockets
  std::vector<std::shared_ptr<LoadConnection>> connections_;
  WorkerResult result_;
  text_formats::Rfc3339Parser parser_;
};

}  // namespace iiot::bench

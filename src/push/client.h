// Client: one WebSocket connection (the seed's Client). Runs entirely on its PushShard's thread,
// which is the only thread that touches it, so it needs no strand or lock; every async handler
// keeps it alive through shared_from_this(). Its counters are atomics so /stats can read them
// from any thread.
//
// Write side: the Client is the connection's only writer. Event frames arrive pre-framed and
// shared (PushEvent's WireFrames); they wait in a bounded ClientQueue, and once per turn of the
// shard's loop (PushShard::flush) everything queued leaves in one gather write of the shared
// buffers, within a WriteBudget, together with and after any control frames Beast has produced
// (pong, ping, close), which Beast hands to the WriteGate under its stream instead of writing
// them itself. Exactly one write is in flight.
//
// Memory: an idle connection holds no write state (the write batch and the queue's storage are
// allocated on use and released by sweep()) and, until it first sends a message, no read state
// either: it waits for the socket to become readable before it starts Beast's read.
//
// It holds the identity its handshake token proved: the scope narrows every filter the client
// asks for (the narrowed filter is the one indexed), a token's expiry closes it (4001) unless a
// `refresh` brought a new token of the same subject, and its messages are rate limited.
//
// Snapshot and resume (CONTRACT section 8): a `resume` or a filter asking for a snapshot starts a
// ReplaySession, fed by a ReplayService job off the shard thread; the client takes its frames at
// its own pace (at most half its queue, at most resume.max_replay_rate per second) and holds the
// live events meanwhile (ClientResume). Every replayed or snapshot frame and every held event is
// checked against the filter in force when it is queued, so a scope narrowed by a refresh during
// a replay applies to the rest of it.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "model/filter.h"
#include "push/client_deadlines.h"
#include "push/client_queue.h"
#include "push/client_resume.h"
#include "push/connection_stream.h"
#include "push/message_rate_limiter.h"
#include "push/push_event.h"
#include "push/write_gate.h"

namespace iiot::push {

class PushShard;

struct SessionOptions {
  QueueLimits queue;
  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds ping_interval{54000};
  std::chrono::milliseconds client_timeout{60000};
  std::uint64_t max_message_size = 1048576;
  std::size_t read_buffer_size = 1024;
  std::size_t write_buffer_size = 1024;
  bool enable_compression = true;
  int max_messages_per_second = 20;  // client messages; 0 = unlimited
  // Live events held for one client while its replay or snapshot runs (resume.max_replay_events).
  std::size_t max_held_events = 1000000;
};

// A point-in-time view of one client for /stats.
struct ClientInfo {
  std::string id;
  std::string remote;
  std::size_t queue_depth = 0;
  std::size_t queue_bytes = 0;
  std::uint64_t sent = 0;
  std::uint64_t dropped = 0;
  std::uint64_t conflated = 0;
};

class Client : public std::enable_shared_from_this<Client>,
               private WriteGate<ConnectionStream>::Listener {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using Gate = WriteGate<ConnectionStream>;
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Clock = std::chrono::steady_clock;

  // stream: plain, or TLS with its handshake done.
  Client(ConnectionStream stream, PushShard& shard, const SessionOptions& options, std::string id,
         std::string remote, const auth::Authenticator& authenticator, auth::Identity identity);
  ~Client() override;

  // Completes the WebSocket handshake for an upgrade request already read by HttpSession.
  void start(Request request);

  // A live event (a record or a checkpoint) that matches the client: queued, held while a replay
  // or snapshot runs, or skipped (ClientResume). `frames`: the event's frames as this shard's
  // fan-out holds them (the event's own when null). Shard thread only.
  void deliver(const PushEventPtr& event, ThreadFrames* frames = nullptr);

  // Queues a complete WebSocket frame (wire_frame.h); applies the delivery and overflow policies
  // and asks the shard for a flush at the end of this loop turn. device_id names the device of a
  // telemetry frame (its conflation key under "delivery":"latest"). kafka_timestamp (epoch when
  // unknown) starts the Kafka-to-client latency, recorded when the frame is taken into a write.
  // Shard thread only.
  void enqueue(const model::SharedFrame& frame, FrameClass cls, std::string_view device_id = {},
               std::chrono::system_clock::time_point kafka_timestamp = {});

  // Writes what is queued (called by the shard once per loop turn). Shard thread only.
  void flush();

  // The permessage-deflate window this client negotiated (server_no_context_takeover is always
  // part of our answer), 0 without compression: selects the event frame it is sent.
  int deflate_window_bits() const { return deflate_window_bits_; }

  // Starts the closing handshake (once); queued frames are discarded. Shard thread only.
  void close(const boost::beast::websocket::close_reason& reason);

  // Periodic upkeep from the shard: pings, client_timeout, write_timeout, token expiry.
  void sweep(Clock::time_point now);

  const std::string& id() const { return id_; }
  // The filter in force: the requested one narrowed by the token's scope.
  const model::Filter& filter() const { return filter_; }
  ClientInfo info() const;  // any thread

 private:
  struct WriteBatch;

  void on_accept(boost::beast::error_code ec);
  void wait_readable();
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle_text(std::string_view text);
  void apply_filter(model::Filter requested, std::chrono::system_clock::time_point now);
  void refresh(std::string_view token, std::chrono::system_clock::time_point now);
  void set_expiry(const auth::Identity& identity);
  void send_control(const std::string& frame);
  void control_output_ready() override;
  void teardown_started() override;
  void request_flush();
  // Snapshot and resume (CONTRACT section 8): a session feeds the client at its pace.
  void start_snapshot();
  void start_resume(const std::string& cursor);
  void start_session(std::shared_ptr<ReplaySession> session);
  void pump_session();
  void end_session();
  void abandon_session();
  void do_write();
  void write_some();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void fail(boost::beast::error_code ec, const char* what);
  void finish();
  ConnectionStream& stream() { return ws_.next_layer().next_layer(); }
  Socket& socket() { return stream().socket(); }

  boost::beast::websocket::stream<Gate> ws_;
  PushShard& shard_;
  const SessionOptions& options_;
  const std::string id_;
  const std::string remote_;
  const auth::Authenticator& authenticator_;
  auth::Identity identity_;
  ClientDeadlines deadlines_;  // timeouts, pings, token expiry (exp + leeway), slowness
  MessageRateLimiter rate_limiter_;
  model::Filter requested_;  // as the client asked
  model::Filter filter_;     // requested_ narrowed by identity_.scope; what the index holds
  ClientQueue queue_;
  ClientResume resume_;
  boost::asio::steady_timer session_timer_;
  std::uint64_t session_sent_ = 0;         // frames of the current session queued so far
  boost::beast::flat_buffer read_buffer_;  // empty unless a message is being read
  std::unique_ptr<WriteBatch> batch_;      // the write in flight; released when idle

  int deflate_window_bits_ = 0;
  bool open_ = false;  // handshake done, registered with the shard
  bool write_in_flight_ = false;
  bool flush_requested_ = false;
  bool reading_ = false;  // Beast's read loop runs (from the first message on)
  bool closing_ = false;
  bool finished_ = false;

  std::atomic<std::size_t> queue_depth_{0};
  std::atomic<std::size_t> queue_bytes_{0};
  std::atomic<std::uint64_t> sent_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> conflated_{0};
};

}  // namespace iiot::push

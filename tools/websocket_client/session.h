// One WebSocket connection to the gateway: resolve, connect, for wss:// the TLS handshake
// (server certificate and host name verified, SNI sent), the WebSocket handshake (optionally
// offering permessage-deflate), then a read loop and a write queue with exactly one write in
// flight. Keep-alive: Beast's idle timeout with keep-alive pings detects a silent server, and an
// application {"type":"ping"} every ping_interval must be answered (pong_received()) before the
// next one is due, or the connection is dropped.
//
// Owned by shared_ptr: every pending operation holds shared_from_this(), so the Session lives
// until its last handler has run. A Session is used once; reconnecting makes a new one.
// Runs on a single-threaded io_context (the implicit strand); none of its members may be called
// from another thread. The handler is called on that thread and must outlive the Session.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "websocket_client/client_options.h"
#include "websocket_client/client_stream.h"

namespace iiot::ws_client {

// How far a connection got before it ended.
enum class SessionPhase { kResolve, kConnect, kTlsHandshake, kHandshake, kOpen };
enum class FrameKind { kText, kBinary };

struct SessionEnd {
  SessionPhase phase = SessionPhase::kResolve;
  boost::system::error_code error;
  // The close frame the server sent, when error is websocket::error::closed.
  boost::beast::websocket::close_reason close;
  // The HTTP status when the server declined the upgrade (e.g. 403, 503); 0 otherwise.
  unsigned http_status = 0;
  std::string http_reason;
  // Set when this side dropped the connection on purpose (e.g. "no pong within 20s").
  std::string detail;
  bool closed_by_us = false;

  // A close we asked for, or a close frame with 1000 (normal) or 1001 (going away).
  bool clean() const;
  // One line for a log, e.g. "server closed: 1001 going away", "connect failed: Connection
  // refused".
  std::string describe() const;
};

struct SessionOpened {
  // The Sec-WebSocket-Extensions the server agreed to; empty when none.
  std::string extensions;
  bool compressed() const;
};

// Told what happens to a Session; called on the io_context's thread.
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual void on_open(const SessionOpened& opened) = 0;
  // text is valid only during the call.
  virtual void on_frame(std::string_view text, FrameKind kind) = 0;
  // Called exactly once, last.
  virtual void on_end(const SessionEnd& end) = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // options, handler and tls (null for ws://) must outlive the Session.
  Session(boost::asio::io_context& io, const ClientOptions& options, SessionHandler& handler,
          boost::asio::ssl::context* tls = nullptr);

  void start();
  // Queues a text frame. Ignored (returns false) unless open and not closing.
  bool send(std::string text);
  // The server answered the application ping.
  void pong_received() { awaiting_pong_ = false; }
  // Closes with 1000 after the write in flight; cancels a connection still being made.
  void close();
  // Drops the connection without a close handshake; detail explains why.
  void abort(std::string detail);

 private:
  using Stream = boost::beast::websocket::stream<ClientStream>;

  void on_resolve(boost::beast::error_code ec,
                  const boost::asio::ip::tcp::resolver::results_type& found);
  void on_connect(boost::beast::error_code ec, const boost::asio::ip::tcp::endpoint& endpoint);
  void on_tls_handshake(boost::beast::error_code ec);
  void start_handshake();
  void on_handshake(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void do_write();
  void on_write(boost::beast::error_code ec, std::size_t bytes);
  void start_close();
  void schedule_ping();
  void on_ping_timer(boost::beast::error_code ec);
  void finish(SessionPhase phase, boost::beast::error_code ec);

  const ClientOptions& options_;
  SessionHandler& handler_;
  boost::asio::ip::tcp::resolver resolver_;
  Stream ws_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::response<boost::beast::http::string_body> handshake_response_;
  boost::asio::steady_timer ping_timer_;
  std::deque<std::string> outbox_;

  SessionPhase phase_ = SessionPhase::kResolve;
  bool writing_ = false;
  bool close_requested_ = false;  // close() called; a close starts when no write is in flight
  bool closing_ = false;          // async_close started
  bool awaiting_pong_ = false;
  bool ended_ = false;
  std::string abort_detail_;
};

}  // namespace iiot::ws_client

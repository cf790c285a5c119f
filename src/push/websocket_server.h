// WebSocketServer: one listening port for HTTP and WebSocket (CONTRACT sections 2 and 3).
// GET {path} with an upgrade becomes a Client on a PushShard chosen round robin; /health,
// /ready, /stats and /metrics are answered by HttpSession from the shared GatewayStats.
// An upgrade must present a token the Authenticator accepts (401 before any upgrade otherwise);
// /stats and /metrics need an admin token when auth.admin_tokens_sha256 is set.
// With websocket.tls the port speaks TLS only (wss://, https://): each connection's TLS handshake
// runs in its HttpSession, bounded by handshake_timeout.
// The acceptor runs on the first shard's thread; start() and stop_accepting() are called by
// ConsumerService; admit()/respond() are called by HttpSessions on any shard thread.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "auth/authenticator.h"
#include "config/config.h"
#include "observability/gateway_stats.h"
#include "push/data_pusher.h"
#include "push/tls_context.h"

namespace iiot::push {

// Thrown by start() when the listener cannot be opened.
class ServerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class WebSocketServer {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  // tls: null for a plain port; else outlives the server.
  WebSocketServer(const config::WebSocketConfig& config, DataPusher& pusher,
                  observability::GatewayStats& stats, const auth::Authenticator& authenticator,
                  const TlsContext* tls = nullptr);
  ~WebSocketServer();

  void start();           // binds and starts accepting; throws ServerError
  void stop_accepting();  // closes the listener; open connections stay
  unsigned short port() const { return bound_port_; }

  // For HttpSession. An upgrade request for the WebSocket path: the client's identity if admitted
  // (a connection slot is then reserved), else the refusal to send (400, 403, 401, 503). remote
  // names the peer in logs.
  std::variant<auth::Identity, Response> admit(const Request& request, std::string_view remote);
  // Any other request: the endpoint's answer (or 404/405/426).
  Response respond(const Request& request) const;
  bool is_websocket_path(std::string_view target) const;
  std::string next_client_id();

  const config::WebSocketConfig& config() const { return config_; }
  DataPusher& pusher() { return pusher_; }
  const auth::Authenticator& authenticator() const { return authenticator_; }
  // A TLS handshake failed or timed out: counted, logged at debug.
  void tls_handshake_failed(std::string_view remote, boost::system::error_code ec);

 private:
  void do_accept();
  bool origin_allowed(const Request& request) const;
  bool admin_allowed(const Request& request) const;

  const config::WebSocketConfig& config_;
  DataPusher& pusher_;
  observability::GatewayStats& stats_;
  const auth::Authenticator& authenticator_;
  const TlsContext* tls_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::unique_ptr<boost::asio::steady_timer> accept_retry_;  // after an accept error (EMFILE)
  std::atomic<bool> stopping_{false};  // set by stop_accepting(): upgrades are refused (503)
  unsigned short bound_port_ = 0;
  std::atomic<std::uint64_t> next_id_;
};

}  // namespace iiot::push

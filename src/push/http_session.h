// HttpSession: one accepted connection until it becomes a WebSocket (on its shard's thread): the
// TLS handshake when the port speaks TLS, then HTTP requests, answering the endpoints, and
// handing a WebSocket upgrade over to a new Client together with the connection's stream. Kept
// alive by its own async handlers through shared_from_this().
//
// One deadline bounds each stage: the TLS handshake and the first request handshake_timeout
// each, an idle keep-alive connection connection_timeout, a response write write_timeout.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "push/connection_stream.h"
#include "push/push_shard.h"
#include "push/websocket_server.h"

namespace iiot::push {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(ConnectionStream stream, PushShard& shard, WebSocketServer& server);
  void run();

 private:
  void on_tls_handshake(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void send(WebSocketServer::Response response);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  // The dashboard's page, script or style sheet for a GET of their paths (405 for another
  // method); nullopt for any other path.
  std::optional<WebSocketServer::Response> dashboard_response(
      const WebSocketServer::Request& request) const;
  void upgrade(WebSocketServer::Request request, auth::Identity identity);
  // Ends the connection after the last response: TLS close_notify first when TLS.
  void shut_down();
  // Closes the socket when `limit` passes before the next call (or cancel_deadline()).
  void arm_deadline(std::chrono::milliseconds limit);
  void cancel_deadline();

  ConnectionStream stream_;
  PushShard& shard_;
  WebSocketServer& server_;
  const std::string remote_;  // the peer, for logs
  boost::asio::steady_timer deadline_;
  bool timed_out_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  bool first_request_ = true;
};

}  // namespace iiot::push

// HttpSession: reads HTTP requests on one accepted connection (on its shard's thread), answers
// the endpoints, and hands a WebSocket upgrade over to a new Client. Kept alive by its own
// async handlers through shared_from_this().
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <memory>
#include <optional>

#include "push/push_shard.h"
#include "push/websocket_server.h"

namespace iiot::push {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(boost::asio::ip::tcp::socket socket, PushShard& shard, WebSocketServer& server);
  void run();

 private:
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void send(WebSocketServer::Response response);
  void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
  void upgrade(WebSocketServer::Request request);
  // The dashboard's page, script or style sheet for a GET of their paths (405 for another
  // method); nullopt for any other path.
  std::optional<WebSocketServer::Response> dashboard_response(
      const WebSocketServer::Request& request) const;
  void upgrade(WebSocketServer::Request request, auth::Identity identity);

  boost::beast::tcp_stream stream_;
  PushShard& shard_;
  WebSocketServer& server_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  bool first_request_ = true;
};

}  // namespace iiot::push

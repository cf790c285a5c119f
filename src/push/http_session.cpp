#include "push/http_session.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include "push/embedded_file.h"

namespace iiot::push {

namespace beast = boost::beast;
namespace http = boost::beast::http;

namespace {
constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 64 * 1024;

std::string remote_of(const beast::tcp_stream& stream) {
  beast::error_code ec;
  const auto endpoint = stream.socket().remote_endpoint(ec);
  if (ec) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}
}  // namespace

HttpSession::HttpSession(boost::asio::ip::tcp::socket socket, PushShard& shard,
                         WebSocketServer& server)
    : stream_(std::move(socket)), shard_(shard), server_(server) {}

void HttpSession::run() {
  do_read();
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->body_limit(kMaxBodyBytes);
  // The first request (usually the upgrade) must arrive within handshake_timeout; an idle
  // keep-alive HTTP connection is closed after connection_timeout.
  stream_.expires_after(first_request_ ? server_.config().handshake_timeout
                                       : server_.config().connection_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void HttpSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) {
    if (ec != http::error::end_of_stream && ec != beast::error::timeout &&
        ec != boost::asio::error::operation_aborted) {
      spdlog::debug("http read from {} failed: {}", remote_of(stream_), ec.message());
      if (ec.category() == http::make_error_code(http::error::end_of_stream).category()) {
        WebSocketServer::Response bad{http::status::bad_request, 11};
        bad.set(http::field::content_type, "text/plain");
        bad.body() = "bad request: " + ec.message() + "\n";
        bad.keep_alive(false);
        send(std::move(bad));
        return;
      }
    }
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    return;
  }
  first_request_ = false;
  WebSocketServer::Request request = parser_->release();
  if (server_.is_websocket_path(request.target()) && request.method() == http::verb::get &&
      beast::websocket::is_upgrade(request)) {
    auto admitted = server_.admit(request, remote_of(stream_));
    if (auto* refusal = std::get_if<WebSocketServer::Response>(&admitted)) {
      refusal->keep_alive(false);
      send(std::move(*refusal));
      return;
    }
    upgrade(std::move(request), std::move(std::get<auth::Identity>(admitted)));
    return;
  }
  if (auto page = dashboard_response(request)) {
    send(std::move(*page));
    return;
  }
  send(server_.respond(request));
}

std::optional<WebSocketServer::Response> HttpSession::dashboard_response(
    const WebSocketServer::Request& request) const {
  const std::string_view target = request.target();
  const EmbeddedFile* file = find_dashboard_file(target.substr(0, target.find('?')));
  if (file == nullptr) return std::nullopt;
  WebSocketServer::Response res{http::status::ok, request.version()};
  res.keep_alive(request.keep_alive());
  if (request.method() != http::verb::get) {
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET");
    res.set(http::field::content_type, "text/plain");
    res.body() = "method not allowed\n";
    return res;
  }
  res.set(http::field::content_type, file->content_type);
  res.set(http::field::cache_control, "no-cache");
  res.set("X-Content-Type-Options", "nosniff");
  // The page loads nothing from elsewhere; it talks to this origin over HTTP and WebSocket.
  res.set("Content-Security-Policy",
          "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
          "frame-ancestors 'none'");
  res.body() = std::string(file->body);
  return res;
}

void HttpSession::upgrade(WebSocketServer::Request request, auth::Identity identity) {
  stream_.expires_never();
  const std::string remote = remote_of(stream_);
  auto client = std::make_shared<Client>(stream_.release_socket(), shard_, shard_.options(),
                                         server_.next_client_id(), remote, server_.authenticator(),
                                         std::move(identity));
  client->start(std::move(request));
}

void HttpSession::send(WebSocketServer::Response response) {
  response.prepare_payload();
  const bool keep_alive = response.keep_alive();
  auto held = std::make_shared<WebSocketServer::Response>(std::move(response));
  stream_.expires_after(server_.config().write_timeout);
  http::async_write(
      stream_, *held,
      [self = shared_from_this(), held, keep_alive](beast::error_code ec, std::size_t n) {
        self->on_write(keep_alive, ec, n);
      });
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
  if (ec || !keep_alive) {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return;
  }
  do_read();
}

}  // namespace iiot::push

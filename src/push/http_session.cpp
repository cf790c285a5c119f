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
constexpr std::size_t kMaxHeaderBytes = std::size_t{16} * 1024;
constexpr std::size_t kMaxBodyBytes = std::size_t{64} * 1024;

std::string remote_of(const ConnectionStream& stream) {
  beast::error_code ec;
  const auto endpoint = stream.socket().remote_endpoint(ec);
  if (ec) return "unknown";
  return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
}
}  // namespace

HttpSession::HttpSession(ConnectionStream stream, PushShard& shard, WebSocketServer& server)
    : stream_(std::move(stream)),
      shard_(shard),
      server_(server),
      remote_(remote_of(stream_)),
      deadline_(stream_.get_executor()) {}

void HttpSession::run() {
  if (!stream_.is_tls()) {
    do_read();
    return;
  }
  // A slow or garbage handshake only holds this connection, and only until the deadline.
  arm_deadline(server_.config().handshake_timeout);
  stream_.tls().async_handshake(
      boost::asio::ssl::stream_base::server,
      [self = shared_from_this()](beast::error_code ec) { self->on_tls_handshake(ec); });
}

void HttpSession::on_tls_handshake(beast::error_code ec) {
  if (ec) {
    server_.tls_handshake_failed(remote_,
                                 timed_out_ ? beast::error_code(beast::error::timeout) : ec);
    cancel_deadline();
    beast::error_code ignored;
    stream_.close(ignored);
    return;
  }
  do_read();
}

void HttpSession::arm_deadline(std::chrono::milliseconds limit) {
  deadline_.expires_after(limit);
  deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
    // A wait that completed after the deadline was moved on is not a timeout.
    if (ec || self->deadline_.expiry() > std::chrono::steady_clock::now()) return;
    self->timed_out_ = true;
    beast::error_code ignored;
    self->stream_.close(ignored);
  });
}

void HttpSession::cancel_deadline() {
  deadline_.cancel();
}

void HttpSession::do_read() {
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->body_limit(kMaxBodyBytes);
  // The first request (usually the upgrade) must arrive within handshake_timeout; an idle
  // keep-alive HTTP connection is closed after connection_timeout.
  arm_deadline(first_request_ ? server_.config().handshake_timeout
                              : server_.config().connection_timeout);
  http::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
}

void HttpSession::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  cancel_deadline();
  if (ec) {
    if (!timed_out_ && ec != http::error::end_of_stream &&
        ec != boost::asio::error::operation_aborted &&
        ec != boost::asio::ssl::error::stream_truncated) {
      spdlog::debug("http read from {} failed: {}", remote_, ec.message());
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
    stream_.close(ignored);
    return;
  }
  first_request_ = false;
  WebSocketServer::Request request = parser_->release();
  if (server_.is_websocket_path(request.target()) && request.method() == http::verb::get &&
      beast::websocket::is_upgrade(request)) {
    auto admitted = server_.admit(request, remote_);
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
  cancel_deadline();
  auto client = std::make_shared<Client>(std::move(stream_), shard_, shard_.options(),
                                         server_.next_client_id(), remote_, server_.authenticator(),
                                         std::move(identity));
  client->start(std::move(request));
}

void HttpSession::send(WebSocketServer::Response response) {
  response.prepare_payload();
  const bool keep_alive = response.keep_alive();
  auto held = std::make_shared<WebSocketServer::Response>(std::move(response));
  arm_deadline(server_.config().write_timeout);
  http::async_write(
      stream_, *held,
      [self = shared_from_this(), held, keep_alive](beast::error_code ec, std::size_t n) {
        self->on_write(keep_alive, ec, n);
      });
}

void HttpSession::on_write(bool keep_alive, beast::error_code ec, std::size_t /*bytes*/) {
  cancel_deadline();
  if (ec) {
    beast::error_code ignored;
    stream_.close(ignored);
    return;
  }
  if (!keep_alive) {
    shut_down();
    return;
  }
  do_read();
}

void HttpSession::shut_down() {
  if (!stream_.is_tls()) {
    beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
    return;
  }
  // close_notify tells the client the response is complete; the peer's answer is awaited no
  // longer than a write.
  arm_deadline(server_.config().write_timeout);
  stream_.tls().async_shutdown([self = shared_from_this()](beast::error_code) {
    self->cancel_deadline();
    beast::error_code ignored;
    self->stream_.close(ignored);
  });
}

}  // namespace iiot::push

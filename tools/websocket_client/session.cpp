#include "websocket_client/session.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/websocket/error.hpp>
#include <boost/beast/websocket/option.hpp>
#include <boost/beast/websocket/stream_base.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <utility>

namespace iiot::ws_client {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr std::string_view kUserAgent = "iiot-websocket-client/0.1";

std::string seconds_text(std::chrono::milliseconds ms) {
  const auto whole = ms.count() / 1000;
  const auto frac = ms.count() % 1000;
  if (frac == 0) return std::to_string(whole) + "s";
  return std::to_string(ms.count()) + "ms";
}

}  // namespace

bool SessionEnd::clean() const {
  if (closed_by_us) return true;
  return error == websocket::error::closed && (close.code == websocket::close_code::normal ||
                                               close.code == websocket::close_code::going_away);
}

std::string SessionEnd::describe() const {
  if (!detail.empty()) return detail;
  switch (phase) {
    case SessionPhase::kResolve:
      return "resolve failed: " + error.message();
    case SessionPhase::kConnect:
      return "connect failed: " + error.message();
    case SessionPhase::kTlsHandshake:
      return "TLS handshake failed: " + error.message();
    case SessionPhase::kHandshake:
      if (http_status != 0) {
        std::string text = "handshake refused: HTTP " + std::to_string(http_status);
        if (!http_reason.empty()) text += " " + http_reason;
        return text;
      }
      return "handshake failed: " + error.message();
    case SessionPhase::kOpen:
      break;
  }
  if (error == websocket::error::closed) {
    std::string text = "closed: " + std::to_string(close.code);
    if (!close.reason.empty()) {
      text += " \"" + std::string(close.reason.data(), close.reason.size()) + "\"";
    }
    return text;
  }
  if (error == beast::error::timeout) return "connection timed out (no data from the server)";
  return "connection lost: " + error.message();
}

bool SessionOpened::compressed() const {
  return extensions.find("permessage-deflate") != std::string::npos;
}

Session::Session(net::io_context& io, const ClientOptions& options, SessionHandler& handler,
                 net::ssl::context* tls)
    : options_(options), handler_(handler), resolver_(io), ws_(io, tls), ping_timer_(io) {}

void Session::start() {
  resolver_.async_resolve(options_.host, options_.port,
                          beast::bind_front_handler(&Session::on_resolve, shared_from_this()));
}

void Session::on_resolve(beast::error_code ec, const tcp::resolver::results_type& found) {
  if (ec) return finish(SessionPhase::kResolve, ec);
  if (close_requested_) return finish(SessionPhase::kResolve, net::error::operation_aborted);
  phase_ = SessionPhase::kConnect;
  auto& tcp_layer = beast::get_lowest_layer(ws_);
  tcp_layer.expires_after(options_.connect_timeout);
  tcp_layer.async_connect(found,
                          beast::bind_front_handler(&Session::on_connect, shared_from_this()));
}

void Session::on_connect(beast::error_code ec, const tcp::endpoint& /*endpoint*/) {
  if (ec) return finish(SessionPhase::kConnect, ec);
  ClientStream& stream = ws_.next_layer();
  if (!stream.is_tls()) return start_handshake();
  phase_ = SessionPhase::kTlsHandshake;
  SSL* ssl = stream.tls().native_handle();
  // SNI carries a host name only (RFC 6066), never an address.
  beast::error_code not_an_address;
  net::ip::make_address(options_.host, not_an_address);
  if (not_an_address && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                 const_cast<char*>(options_.host.c_str())) != 1) {
    return finish(SessionPhase::kTlsHandshake, beast::error_code(static_cast<int>(ERR_get_error()),
                                                                 net::error::get_ssl_category()));
  }
  // The certificate must name the host we asked for (a DNS name or an IP address SAN).
  stream.tls().set_verify_callback(net::ssl::host_name_verification(options_.host));
  beast::get_lowest_layer(ws_).expires_after(options_.connect_timeout);
  stream.tls().async_handshake(
      net::ssl::stream_base::client,
      beast::bind_front_handler(&Session::on_tls_handshake, shared_from_this()));
}

void Session::on_tls_handshake(beast::error_code ec) {
  if (ec) {
    // OpenSSL's reason alone ("certificate verify failed") does not say which check failed.
    const long verify = SSL_get_verify_result(ws_.next_layer().tls().native_handle());
    if (verify != X509_V_OK && abort_detail_.empty()) {
      abort_detail_ = "TLS handshake failed: server certificate not accepted (" +
                      std::string(X509_verify_cert_error_string(verify)) + ")";
    }
    return finish(SessionPhase::kTlsHandshake, ec);
  }
  start_handshake();
}

void Session::start_handshake() {
  phase_ = SessionPhase::kHandshake;
  // From here the websocket stream's own timeouts apply; the TCP layer's would fire mid-session.
  beast::get_lowest_layer(ws_).expires_never();

  websocket::stream_base::timeout timeouts{};
  timeouts.handshake_timeout = options_.connect_timeout;
  timeouts.idle_timeout =
      options_.idle_timeout.count() > 0
          ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(options_.idle_timeout)
          : websocket::stream_base::none();
  // With keep-alive pings, Beast pings at half the idle timeout and gives up at the full one.
  timeouts.keep_alive_pings = options_.idle_timeout.count() > 0;
  ws_.set_option(timeouts);

  websocket::permessage_deflate deflate;
  deflate.client_enable = options_.compression == Compression::kOn;
  ws_.set_option(deflate);

  ws_.set_option(websocket::stream_base::decorator([this](websocket::request_type& request) {
    request.set(http::field::user_agent, kUserAgent);
    if (options_.origin) request.set(http::field::origin, *options_.origin);
    if (options_.token) request.set(http::field::authorization, "Bearer " + *options_.token);
  }));

  ws_.async_handshake(handshake_response_, options_.authority(), options_.path,
                      beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
}

void Session::on_handshake(beast::error_code ec) {
  if (ec) return finish(SessionPhase::kHandshake, ec);
  phase_ = SessionPhase::kOpen;
  SessionOpened opened;
  opened.extensions = std::string(handshake_response_[http::field::sec_websocket_extensions]);
  handler_.on_open(opened);
  if (ended_) return;
  if (close_requested_) {
    start_close();
  } else {
    schedule_ping();
  }
  do_read();
}

void Session::do_read() {
  ws_.async_read(buffer_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) return finish(SessionPhase::kOpen, ec);
  const auto data = buffer_.cdata();
  const std::string_view text(static_cast<const char*>(data.data()), data.size());
  handler_.on_frame(text, ws_.got_text() ? FrameKind::kText : FrameKind::kBinary);
  buffer_.consume(bytes);
  if (!ended_) do_read();
}

bool Session::send(std::string text) {
  if (phase_ != SessionPhase::kOpen || close_requested_ || ended_) return false;
  outbox_.push_back(std::move(text));
  if (!writing_) do_write();
  return true;
}

void Session::do_write() {
  writing_ = true;
  ws_.text(true);
  ws_.async_write(net::buffer(outbox_.front()),
                  beast::bind_front_handler(&Session::on_write, shared_from_this()));
}

void Session::on_write(beast::error_code ec, std::size_t /*bytes*/) {
  writing_ = false;
  outbox_.pop_front();
  if (ec) {
    // The pending read reports the end; make its reason the write's failure.
    if (ec != net::error::operation_aborted && abort_detail_.empty()) {
      abort(std::string("write failed: ") + ec.message());
    }
    return;
  }
  if (close_requested_) {
    start_close();
  } else if (!outbox_.empty()) {
    do_write();
  }
}

void Session::close() {
  if (close_requested_ || ended_) return;
  close_requested_ = true;
  switch (phase_) {
    case SessionPhase::kResolve:
      resolver_.cancel();
      break;
    case SessionPhase::kConnect:
    case SessionPhase::kTlsHandshake:
    case SessionPhase::kHandshake:
      beast::get_lowest_layer(ws_).cancel();
      break;
    case SessionPhase::kOpen:
      // A close frame counts as a write, so it waits for the one in flight.
      if (!writing_) start_close();
      break;
  }
}

void Session::start_close() {
  if (closing_) return;
  closing_ = true;
  ping_timer_.cancel();
  ws_.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code ec) {
    // The read loop ends on the server's answering close frame. If the
    // handshake failed (e.g. timed out), drop the socket so it ends now.
    if (ec && !self->ended_) beast::get_lowest_layer(self->ws_).close();
  });
}

void Session::abort(std::string detail) {
  if (ended_) return;
  if (abort_detail_.empty()) abort_detail_ = std::move(detail);
  resolver_.cancel();
  beast::get_lowest_layer(ws_).close();
}

void Session::schedule_ping() {
  if (options_.ping_interval.count() <= 0) return;
  ping_timer_.expires_after(options_.ping_interval);
  ping_timer_.async_wait(beast::bind_front_handler(&Session::on_ping_timer, shared_from_this()));
}

void Session::on_ping_timer(beast::error_code ec) {
  if (ec || ended_ || closing_) return;
  if (awaiting_pong_) {
    return abort("no pong within " + seconds_text(options_.ping_interval));
  }
  if (send(boost::json::serialize(boost::json::object{{"type", "ping"}}))) awaiting_pong_ = true;
  schedule_ping();
}

void Session::finish(SessionPhase phase, beast::error_code ec) {
  if (ended_) return;
  ended_ = true;
  ping_timer_.cancel();
  SessionEnd end;
  end.phase = phase;
  end.error = ec;
  end.closed_by_us = close_requested_ && abort_detail_.empty();
  end.detail = abort_detail_;
  if (phase == SessionPhase::kOpen && ec == websocket::error::closed) end.close = ws_.reason();
  if (phase == SessionPhase::kHandshake && ec == websocket::error::upgrade_declined) {
    end.http_status = handshake_response_.result_int();
    end.http_reason = std::string(handshake_response_.reason());
  }
  handler_.on_end(end);
}

}  // namespace iiot::ws_client

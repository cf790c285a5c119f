#include "push/websocket_server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/beast/http/field.hpp>
#include <cstdio>
#include <future>
#include <random>

#include "auth/request_token.h"
#include "observability/stats_report.h"
#include "push/http_session.h"

namespace iiot::push {

namespace http = boost::beast::http;
namespace net = boost::asio;
using net::ip::tcp;

namespace {

WebSocketServer::Response text_response(const WebSocketServer::Request& request,
                                        http::status status, const std::string& content_type,
                                        std::string body) {
  WebSocketServer::Response res{status, request.version()};
  res.set(http::field::server, "iiot-gateway");
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(request.keep_alive());
  res.body() = std::move(body);
  return res;
}

// RFC 6750 section 3; the same answer for a missing, malformed or refused token, so a prober
// learns nothing about which.
WebSocketServer::Response unauthorized(const WebSocketServer::Request& request) {
  auto res = text_response(request, http::status::unauthorized, "text/plain",
                           "a valid token is required (Authorization: Bearer or ?token=)\n");
  res.set(http::field::www_authenticate, R"(Bearer error="invalid_token")");
  return res;
}

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

void add_filter_list(observability::ClientReport& report, const char* key,
                     const std::vector<std::string>& values) {
  if (!values.empty()) report.filter[key] = values;
}

template <typename Enum>
void add_enum_list(observability::ClientReport& report, const char* key,
                   const std::vector<Enum>& values) {
  if (values.empty()) return;
  auto& list = report.filter[key];
  for (Enum v : values) list.emplace_back(model::to_string(v));
}

observability::PushReport push_report(const DataPusher& pusher) {
  observability::PushReport report;
  report.queue_size = pusher.queue_depth();
  report.queue_capacity = pusher.queue_capacity();
  report.clients_limit = observability::kMaxClientsInStats;
  report.ring_capacity_bytes = pusher.ring_capacity();
  for (const auto& shard : pusher.shards()) {
    const std::size_t room = observability::kMaxClientsInStats - report.clients.size();
    if (room == 0) break;
    for (const ClientView& view : shard->client_views(room)) {
      observability::ClientReport c;
      c.id = view.info.id;
      c.remote = view.info.remote;
      c.queue_depth = view.info.queue_depth;
      c.queue_bytes = view.info.queue_bytes;
      c.sent = view.info.sent;
      c.dropped = view.info.dropped;
      c.conflated = view.info.conflated;
      c.delivery = std::string(model::to_string(view.filter.delivery));
      add_filter_list(c, "device_ids", view.filter.device_ids);
      add_filter_list(c, "device_types", view.filter.device_types);
      add_filter_list(c, "locations", view.filter.locations);
      add_enum_list(c, "alert_levels", view.filter.alert_levels);
      add_enum_list(c, "types", view.filter.types);
      report.clients.push_back(std::move(c));
    }
  }
  return report;
}

// RFC 6455 4.1: Sec-WebSocket-Key is the base64 encoding of 16 bytes, i.e. 22 characters of
// the base64 alphabet and "==". Beast only checks the length.
bool is_valid_websocket_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  return std::all_of(key.begin(), key.begin() + 22, [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
  });
}

}  // namespace

WebSocketServer::WebSocketServer(const config::WebSocketConfig& config, DataPusher& pusher,
                                 observability::GatewayStats& stats,
                                 const auth::Authenticator& authenticator, const TlsContext* tls)
    : config_(config),
      pusher_(pusher),
      stats_(stats),
      authenticator_(authenticator),
      tls_(tls),
      next_id_(std::random_device{}()) {}

WebSocketServer::~WebSocketServer() = default;

void WebSocketServer::start() {
  auto& io = pusher_.shards().front()->io();
  boost::system::error_code ec;
  const auto address = net::ip::make_address(config_.host, ec);
  if (ec) {
    throw ServerError("websocket.host: \"" + config_.host +
                      "\" is not an IP address (use e.g. 0.0.0.0 or 127.0.0.1)");
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(config_.port));
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw ServerError("cannot listen on " + config_.host + ":" + std::to_string(config_.port) +
                      ": " + ec.message() +
                      " (is another process using the port? change websocket.port)");
  }
  bound_port_ = acceptor->local_endpoint().port();
  acceptor_ = std::move(acceptor);
  accept_retry_ = std::make_unique<net::steady_timer>(io);
  spdlog::info("websocket server listening on {}:{} (path {}, {})", config_.host, bound_port_,
               config_.path,
               tls_ == nullptr            ? "plain ws:// and http://"
               : tls_->verifies_clients() ? "TLS only, client certificates required"
                                          : "TLS only");
  net::post(io, [this] { do_accept(); });
}

void WebSocketServer::stop_accepting() {
  stopping_.store(true, std::memory_order_relaxed);
  if (!acceptor_) return;
  // The acceptor belongs to the first shard's thread: close it there.
  std::promise<void> closed;
  net::post(pusher_.shards().front()->io(), [this, &closed] {
    boost::system::error_code ignored;
    acceptor_->close(ignored);
    accept_retry_->cancel();
    closed.set_value();
  });
  closed.get_future().wait();
}

void WebSocketServer::do_accept() {
  PushShard& shard = pusher_.next_shard();
  acceptor_->async_accept(
      shard.io(), [this, &shard](boost::system::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !acceptor_->is_open()) return;
        if (ec) {
          // E.g. out of file descriptors: retrying at once would spin; give
          // sockets time to close.
          spdlog::warn("accept failed: {}; retrying in 100 ms", ec.message());
          accept_retry_->expires_after(std::chrono::milliseconds(100));
          accept_retry_->async_wait([this](boost::system::error_code wait_ec) {
            if (!wait_ec && acceptor_->is_open()) do_accept();
          });
          return;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        net::post(shard.io(), [&shard, this, s = std::move(socket)]() mutable {
          auto stream = tls_ == nullptr ? ConnectionStream(std::move(s))
                                        : ConnectionStream(std::move(s), tls_->context());
          std::make_shared<HttpSession>(std::move(stream), shard, *this)->run();
        });
        do_accept();
      });
}

void WebSocketServer::tls_handshake_failed(std::string_view remote, boost::system::error_code ec) {
  // Scanners and misconfigured clients can fail handshakes at a high rate: debug only, the
  // counter (/stats tls_handshake_failures) shows the volume.
  stats_.push.tls_handshake_failures.fetch_add(1, std::memory_order_relaxed);
  spdlog::debug("TLS handshake from {} failed: {}", remote, ec.message());
}

bool WebSocketServer::is_websocket_path(std::string_view target) const {
  return path_of(target) == config_.path;
}

bool WebSocketServer::origin_allowed(const Request& request) const {
  if (!config_.check_origin) return true;
  const auto origin = request[http::field::origin];
  if (origin.empty()) return false;
  return std::any_of(
      config_.allowed_origins.begin(), config_.allowed_origins.end(),
      [&](const std::string& allowed) { return allowed == "*" || allowed == origin; });
}

bool WebSocketServer::admin_allowed(const Request& request) const {
  if (!authenticator_.admin_required()) return true;
  const auto token = auth::bearer_token(request[http::field::authorization]);
  return token && authenticator_.is_admin(*token);
}

std::variant<auth::Identity, WebSocketServer::Response> WebSocketServer::admit(
    const Request& request, std::string_view remote) {
  if (!is_valid_websocket_key(request[http::field::sec_websocket_key])) {
    stats_.push.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    return text_response(request, http::status::bad_request, "text/plain",
                         "bad request: Sec-WebSocket-Key must be the base64 of 16 bytes\n");
  }
  if (!origin_allowed(request)) {
    stats_.push.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    return text_response(request, http::status::forbidden, "text/plain", "origin not allowed\n");
  }
  if (stopping_.load(std::memory_order_relaxed)) {
    stats_.push.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    return text_response(request, http::status::service_unavailable, "text/plain",
                         "server shutting down\n");
  }
  // The token is judged before a connection slot is taken: an unauthenticated peer cannot use up
  // max_connections. Nothing of the token is logged, and the target only with its query redacted.
  auth::Identity identity;
  if (authenticator_.required()) {
    const auth::PresentedToken presented =
        auth::presented_token(request[http::field::authorization], request.target());
    auth::AuthResult result =
        presented.source == auth::PresentedToken::Source::kMalformed
            ? auth::AuthResult{auth::AuthFailure{"Authorization is not \"Bearer <token>\""}}
            : authenticator_.authenticate(presented.token, std::chrono::system_clock::now());
    if (const auto* failure = std::get_if<auth::AuthFailure>(&result)) {
      stats_.push.rejected_connections.fetch_add(1, std::memory_order_relaxed);
      spdlog::debug("handshake from {} for {} refused: {}", remote,
                    auth::redact_target(request.target()), failure->reason);
      return unauthorized(request);
    }
    identity = std::move(std::get<auth::Identity>(result));
  }
  const auto limit = static_cast<std::int64_t>(config_.max_connections);
  if (stats_.push.active_clients.fetch_add(1, std::memory_order_acq_rel) >= limit) {
    stats_.push.active_clients.fetch_sub(1, std::memory_order_acq_rel);
    stats_.push.rejected_connections.fetch_add(1, std::memory_order_relaxed);
    auto res = text_response(request, http::status::service_unavailable, "text/plain",
                             "too many connections (websocket.max_connections)\n");
    res.set(http::field::retry_after, "5");
    return res;
  }
  return identity;
}

WebSocketServer::Response WebSocketServer::respond(const Request& request) const {
  const std::string_view path = path_of(request.target());
  const bool known = path == "/health" || path == "/ready" || path == "/stats" ||
                     path == "/metrics" || path == config_.path;
  if (!known) return text_response(request, http::status::not_found, "text/plain", "not found\n");
  if (request.method() != http::verb::get) {
    auto res = text_response(request, http::status::method_not_allowed, "text/plain",
                             "method not allowed\n");
    res.set(http::field::allow, "GET");
    return res;
  }
  if (path == "/health") {
    return text_response(request, http::status::ok, "application/json",
                         observability::render_health_json(stats_));
  }
  if (path == "/ready") {
    const bool ready = observability::kafka_ready(stats_);
    return text_response(request, ready ? http::status::ok : http::status::service_unavailable,
                         "application/json",
                         ready ? R"({"status":"ready"})" : R"({"status":"not ready"})");
  }
  if ((path == "/stats" || path == "/metrics") && !admin_allowed(request)) {
    return unauthorized(request);
  }
  if (path == "/stats") {
    return text_response(request, http::status::ok, "application/json",
                         observability::render_stats_json(stats_, push_report(pusher_)));
  }
  if (path == "/metrics") {
    return text_response(request, http::status::ok, "text/plain; version=0.0.4; charset=utf-8",
                         observability::render_metrics(stats_, push_report(pusher_)));
  }
  auto res = text_response(request, http::status::upgrade_required, "text/plain",
                           "this path speaks WebSocket only\n");
  res.set(http::field::upgrade, "websocket");
  return res;
}

std::string WebSocketServer::next_client_id() {
  char buf[24];
  const auto n = next_id_.fetch_add(1, std::memory_order_relaxed);
  std::snprintf(buf, sizeof buf, "c-%08llx", static_cast<unsigned long long>(n & 0xffffffffULL));
  return buf;
}

}  // namespace iiot::push

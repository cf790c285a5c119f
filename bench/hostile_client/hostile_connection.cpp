#include "hostile_client/hostile_connection.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <sstream>

namespace iiot::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;

namespace {

constexpr std::chrono::seconds kClientHandshakeTimeout{30};
constexpr std::chrono::milliseconds kFloodTick{10};
// A valid Sec-WebSocket-Key (the RFC 6455 example): the gateway never gets to check it here.
constexpr std::string_view kKey = "dGhlIHNhbXBsZSBub25jZQ==";

const std::string& ping_message() {
  static const std::string text = boost::json::serialize(boost::json::object{{"type", "ping"}});
  return text;
}

// Everything, in the gateway's protocol: a filter with no constraint.
const std::string& subscribe_all_message() {
  static const std::string text = boost::json::serialize(
      boost::json::object{{"type", "filter"}, {"data", boost::json::object{}}});
  return text;
}

}  // namespace

std::string_view to_string(HostileKind kind) {
  switch (kind) {
    case HostileKind::kBadToken:
      return "bad_token";
    case HostileKind::kSlowloris:
      return "slowloris";
    case HostileKind::kOversize:
      return "oversize";
    case HostileKind::kInvalid:
      return "invalid";
    case HostileKind::kFlood:
      return "flood";
    case HostileKind::kNeverRead:
      return "never_read";
  }
  return "?";
}

std::optional<HostileKind> hostile_kind_from(std::string_view name) {
  for (const HostileKind kind : kHostileKinds) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

HostileConnection::HostileConnection(HostileShared& shared, HostileKind kind, std::size_t index)
    : shared_(shared), kind_(kind), index_(index), timer_(shared.io) {}

KindCounters& HostileConnection::counters() {
  return shared_.counters[static_cast<std::size_t>(kind_)];
}

void HostileConnection::start() {
  ++counters().connections;
  attempt();
}

void HostileConnection::attempt() {
  if (shared_.stopping) return;
  ++generation_;
  ++counters().attempts;
  live_ = true;
  writing_ = false;
  flood_owed_ = 0;
  trickled_ = 0;
  buffer_.clear();
  ws_.emplace(shared_.io);
  auto& socket = ws_->next_layer();
  error_code ec;
  socket.open(shared_.endpoint.protocol(), ec);
  if (!ec && kind_ == HostileKind::kNeverRead && shared_.options.never_read_rcvbuf > 0) {
    // Before connecting, so the advertised window is small from the start.
    socket.set_option(net::socket_base::receive_buffer_size(shared_.options.never_read_rcvbuf), ec);
  }
  if (ec) {
    ++counters().connect_failed;
    ended("socket: " + ec.message());
    return;
  }
  socket.async_connect(shared_.endpoint,
                       [self = shared_from_this(), gen = generation_](error_code e) {
                         if (gen == self->generation_) self->on_connect(e);
                       });
}

void HostileConnection::on_connect(error_code ec) {
  if (ec) {
    ++counters().connect_failed;
    ended("connect: " + ec.message());
    return;
  }
  ++counters().open;
  connected_ = true;
  connected_at_ = std::chrono::steady_clock::now();
  error_code ignored;
  ws_->next_layer().set_option(net::ip::tcp::no_delay(true), ignored);
  if (kind_ != HostileKind::kSlowloris) {
    handshake();
    return;
  }
  // The upgrade request a browser would send, serialized by Beast, then trickled byte by byte.
  http::request<http::empty_body> req{http::verb::get, shared_.options.path, 11};
  req.set(http::field::host, shared_.options.host + ":" + shared_.options.port);
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "Upgrade");
  req.set(http::field::sec_websocket_key, kKey);
  req.set(http::field::sec_websocket_version, "13");
  req.set(http::field::user_agent, "iiot-bench-hostile-client");
  if (!shared_.options.token.empty()) {
    req.set(http::field::authorization, "Bearer " + shared_.options.token);
  }
  std::ostringstream text;
  text << req;
  request_ = text.str();
  watch_slowloris();
  trickle();
}

void HostileConnection::trickle() {
  if (!live_ || trickled_ >= request_.size()) return;
  net::async_write(ws_->next_layer(), net::buffer(request_.data() + trickled_, 1),
                   [self = shared_from_this(), gen = generation_](error_code ec, std::size_t) {
                     if (gen != self->generation_ || !self->live_) return;
                     if (ec) return;  // the watch sees the hang-up
                     ++self->trickled_;
                     ++self->counters().bytes_trickled;
                     self->timer_.expires_after(self->shared_.options.slowloris_interval);
                     self->timer_.async_wait([self, gen](error_code e) {
                       if (!e && gen == self->generation_) self->trickle();
                     });
                   });
}

void HostileConnection::watch_slowloris() {
  // Whatever the gateway answers, read by Beast's HTTP parser: the header is enough.
  slowloris_answer_.emplace();
  http::async_read_header(
      ws_->next_layer(), buffer_, *slowloris_answer_,
      [self = shared_from_this(), gen = generation_](error_code ec, std::size_t) {
        if (gen != self->generation_ || !self->live_) return;
        if (!ec) {
          // An answer before the hang-up: the whole request got through in time (101), or the
          // gateway refused it.
          const unsigned status = self->slowloris_answer_->get().result_int();
          if (status == 101) {
            ++self->counters().upgraded;
            self->ended("upgraded (request complete within handshake_timeout)");
          } else {
            ++self->counters().refused;
            self->ended(std::to_string(status));
          }
          return;
        }
        const auto held = std::chrono::steady_clock::now() - self->connected_at_;
        self->counters().handshake_held_ms += static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::milliseconds>(held).count());
        ++self->counters().closed_before_upgrade;
        self->ended(ec == http::error::end_of_stream || ec == net::error::eof
                        ? "closed before upgrade"
                        : "before upgrade: " + ec.message());
      });
}

void HostileConnection::handshake() {
  const HostileOptions& o = shared_.options;
  ws_->set_option(websocket::stream_base::timeout{kClientHandshakeTimeout,
                                                  websocket::stream_base::none(), false});
  const std::string token =
      kind_ == HostileKind::kBadToken
          ? "not-a-token-" + std::to_string(index_) + "-" + std::to_string(generation_)
          : o.token;
  ws_->set_option(websocket::stream_base::decorator([token](websocket::request_type& req) {
    req.set(http::field::user_agent, "iiot-bench-hostile-client");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  }));
  ws_->auto_fragment(false);
  ws_->read_message_max(0);
  response_ = std::make_unique<websocket::response_type>();
  ws_->async_handshake(*response_, o.host + ":" + o.port, o.path,
                       [self = shared_from_this(), gen = generation_](error_code ec) {
                         if (gen == self->generation_) self->on_handshake(ec);
                       });
}

void HostileConnection::on_handshake(error_code ec) {
  if (ec) {
    if (response_ && response_->result_int() != 0 && response_->result_int() != 101) {
      ++counters().refused;
      ended(std::to_string(response_->result_int()));
    } else {
      ++counters().closed_before_upgrade;
      ended("handshake: " + ec.message());
    }
    return;
  }
  response_.reset();
  ++counters().upgraded;
  misbehave();
}

void HostileConnection::misbehave() {
  switch (kind_) {
    case HostileKind::kBadToken:
      // Admitted with a made-up token: the gateway did not check it. Counted, then again.
      ended("upgraded with a bad token");
      return;
    case HostileKind::kSlowloris:
      return;  // never here
    case HostileKind::kOversize: {
      read_loop();
      auto message = std::make_shared<std::string>(shared_.options.oversize_bytes, 'x');
      ws_->text(true);
      writing_ = true;
      ++counters().messages_sent;
      ws_->async_write(net::buffer(*message),
                       [self = shared_from_this(), message](error_code, std::size_t) {
                         self->writing_ = false;  // the read sees the gateway's answer
                       });
      return;
    }
    case HostileKind::kInvalid:
      read_loop();
      write_broken_frame();
      return;
    case HostileKind::kFlood:
      read_loop();
      flood_tick();
      return;
    case HostileKind::kNeverRead:
      ws_->text(true);
      ++counters().messages_sent;
      ws_->async_write(net::buffer(subscribe_all_message()),
                       [self = shared_from_this(), gen = generation_](error_code ec, std::size_t) {
                         if (gen == self->generation_ && ec) self->ended("write: " + ec.message());
                       });
      return;  // and never reads
  }
}

void HostileConnection::write_broken_frame() {
  // Alternating per attempt: a client frame without the mask RFC 6455 requires (text "hi"), or
  // a masked frame with the reserved opcode 0x3. Both are protocol errors: close 1002.
  if (generation_ % 2 == 0) {
    broken_ = std::string{'\x81', '\x02', 'h', 'i'};
  } else {
    broken_ = std::string{'\x83', '\x80', '\x11', '\x22', '\x33', '\x44'};
  }
  ++counters().messages_sent;
  net::async_write(ws_->next_layer(), net::buffer(broken_),
                   [self = shared_from_this()](error_code, std::size_t) {});
}

void HostileConnection::flood_tick() {
  if (!live_) return;
  flood_owed_ += shared_.options.flood_rate * std::chrono::duration<double>(kFloodTick).count();
  flood_write();
  timer_.expires_after(kFloodTick);
  timer_.async_wait([self = shared_from_this(), gen = generation_](error_code e) {
    if (!e && gen == self->generation_) self->flood_tick();
  });
}

void HostileConnection::flood_write() {
  if (!live_ || writing_ || flood_owed_ < 1) return;
  flood_owed_ -= 1;
  writing_ = true;
  ws_->text(true);
  ++counters().messages_sent;
  ws_->async_write(net::buffer(ping_message()),
                   [self = shared_from_this(), gen = generation_](error_code ec, std::size_t) {
                     if (gen != self->generation_) return;
                     self->writing_ = false;
                     if (!ec) self->flood_write();  // a failed write: the read sees why
                   });
}

void HostileConnection::read_loop() {
  ws_->async_read(buffer_,
                  [self = shared_from_this(), gen = generation_](error_code ec, std::size_t) {
                    if (gen == self->generation_) self->on_read(ec);
                  });
}

void HostileConnection::on_read(error_code ec) {
  if (!live_) return;
  if (ec) {
    ++counters().closed;
    if (ec == websocket::error::closed) {
      ended("close " + std::to_string(ws_->reason().code));
    } else if (ec == net::error::operation_aborted) {
      // Beast gave up the read because a write of ours failed: the gateway hung up on us (with
      // our unread bytes in its buffer the kernel resets the connection, and the close frame it
      // sent before is lost with it).
      ended("hung up during our write");
    } else {
      ended(ec == net::error::eof ? "eof" : "reset: " + ec.message());
    }
    return;
  }
  const auto data = buffer_.cdata();
  const std::string_view text(static_cast<const char*>(data.data()), data.size());
  if (text.find("\"rate_limited\"") != std::string_view::npos) ++counters().rate_limited;
  buffer_.consume(buffer_.size());
  read_loop();
}

void HostileConnection::ended(const std::string& outcome) {
  if (!live_) return;
  live_ = false;
  counters().count_outcome(outcome);
  if (connected_) {
    connected_ = false;
    --counters().open;
  }
  if (ws_ && ws_->next_layer().is_open()) {
    error_code ignored;
    ws_->next_layer().close(ignored);
  }
  retry_later();
}

void HostileConnection::retry_later() {
  if (shared_.stopping) return;
  ++generation_;  // whatever of the old attempt is still in flight is ignored
  timer_.expires_after(shared_.options.retry_pause);
  timer_.async_wait([self = shared_from_this(), gen = generation_](error_code e) {
    if (!e && gen == self->generation_) self->attempt();
  });
}

}  // namespace iiot::bench

#include "load_client/beast_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>

#include "load_client/centrifugo_protocol.h"
#include "load_client/load_worker.h"

namespace iiot::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

constexpr int kMaxAttempts = 5;
constexpr std::chrono::milliseconds kRetryPause{200};
constexpr std::chrono::seconds kHandshakeTimeout{20};
// Room for a whole event frame (about 300 bytes) in one read; Beast's own read buffer is
// larger, so it never reads the socket directly into this one.
constexpr std::size_t kReadBufferBytes = 512;
// The client writes only its filter (or Centrifugo's set-up and pongs): Beast's default of
// 4 KiB per connection, kept for the connection's life, would buy nothing.
constexpr std::size_t kWriteBufferBytes = 512;

}  // namespace

template <class NextLayer>
BasicBeastConnection<NextLayer>::BasicBeastConnection(LoadWorker& worker, std::size_t global_index)
    : worker_(worker), index_(global_index) {}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::start() {
  const LoadOptions& o = worker_.options();
  const bool subscribes =
      o.mode == LoadMode::kFast || o.mode == LoadMode::kRate || o.mode == LoadMode::kStall;
  centrifugo_ = o.protocol == LoadProtocol::kCentrifugo;
  if (centrifugo_) {
    // Idle connections still connect (Centrifugo closes a connection that never does), but
    // subscribe to nothing.
    const auto channels = subscribes ? centrifugo_channels(worker_.plan(), index_, o.centrifugo)
                                     : std::vector<std::string>{};
    filter_frame_ = centrifugo_setup_frame(channels);
    replies_expected_ = 1 + channels.size();
  } else if (subscribes) {
    filter_frame_ = worker_.plan().filter_frame(index_, o.latest);
  }
  attempt();
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::attempt() {
  ++attempts_;
  if constexpr (kTls) {
    ws_.emplace(worker_.io().get_executor(), worker_.tls_context());
  } else {
    ws_.emplace(worker_.io(), worker_.read_chunks());
  }
  const LoadOptions& o = worker_.options();
  auto& socket = beast::get_lowest_layer(*ws_);
  beast::error_code ec;
  socket.open(worker_.endpoint().protocol(), ec);
  if (!ec && o.mode == LoadMode::kStall && o.stall_rcvbuf > 0) {
    // Set before connecting so the advertised window is small from the start.
    socket.set_option(net::socket_base::receive_buffer_size(o.stall_rcvbuf), ec);
  }
  if (ec) {
    set_up_failed(ec);
    return;
  }
  socket.async_connect(worker_.endpoint(), [self = this->shared_from_this()](beast::error_code e) {
    self->on_connect(e);
  });
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::on_connect(beast::error_code ec) {
  if (ec) {
    set_up_failed(ec);
    return;
  }
  beast::error_code ignored;
  beast::get_lowest_layer(*ws_).set_option(net::ip::tcp::no_delay(true), ignored);
  if constexpr (kTls) {
    // The gateway's certificate must name the address dialled (an IP address or a host name);
    // a host name also goes out as SNI.
    const std::string& host = worker_.options().host;
    auto& tls = ws_->next_layer();
    beast::error_code parse_ec;
    net::ip::make_address(host, parse_ec);
    if (parse_ec && SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME,
                             TLSEXT_NAMETYPE_host_name, const_cast<char*>(host.c_str())) != 1) {
      set_up_failed(
          beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()));
      return;
    }
    tls.set_verify_callback(net::ssl::host_name_verification(host));
    tls.async_handshake(
        net::ssl::stream_base::client,
        [self = this->shared_from_this()](beast::error_code e) { self->on_tls_handshake(e); });
  } else {
    websocket_handshake();
  }
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::on_tls_handshake(beast::error_code ec) {
  if (ec) {
    set_up_failed(ec);
    return;
  }
  websocket_handshake();
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::websocket_handshake() {
  const LoadOptions& o = worker_.options();
  ws_->set_option(
      websocket::stream_base::timeout{kHandshakeTimeout, websocket::stream_base::none(), false});
  ws_->set_option(
      websocket::stream_base::decorator([token = o.token](websocket::request_type& req) {
        req.set(beast::http::field::user_agent, "iiot-bench-load-client");
        if (!token.empty()) req.set(beast::http::field::authorization, "Bearer " + token);
      }));
  if (o.compression) {
    websocket::permessage_deflate pmd;
    pmd.client_enable = true;
    ws_->set_option(pmd);
  } else {
    ws_->write_buffer_bytes(kWriteBufferBytes);
  }
  ws_->auto_fragment(false);
  response_ = std::make_unique<websocket::response_type>();
  ws_->async_handshake(
      *response_, o.host + ":" + o.port, o.path,
      [self = this->shared_from_this()](beast::error_code e) { self->on_handshake(e); });
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::on_handshake(beast::error_code ec) {
  if (ec) {
    set_up_failed(ec);
    return;
  }
  if ((*response_)[beast::http::field::sec_websocket_extensions].find("permessage-deflate") !=
      beast::string_view::npos) {
    ++worker_.result().compression_negotiated;
  }
  response_.reset();
  if (worker_.options().mode == LoadMode::kIdle && !centrifugo_) {
    set_up_done();
    return;
  }
  ws_->text(true);
  writing_ = true;
  ws_->async_write(net::buffer(filter_frame_),
                   [self = this->shared_from_this()](beast::error_code e, std::size_t) {
                     self->writing_ = false;
                     self->on_filter_written(e);
                   });
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::on_filter_written(beast::error_code ec) {
  if (ec) {
    set_up_failed(ec);
    return;
  }
  if (worker_.options().mode == LoadMode::kStall) {
    set_up_done();
    return;
  }
  refilled_at_ = std::chrono::steady_clock::now();
  do_read();  // ready at the filter_ack, or at Centrifugo's last set-up reply
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::do_read() {
  if (!read_buffer_) read_buffer_ = std::make_unique_for_overwrite<char[]>(kReadBufferBytes);
  // `this` rather than a shared_ptr, on the one path taken per message: the worker's list keeps
  // every connection until the worker's thread has stopped, and a read still pending then is
  // destroyed with the io_context, never run.
  ws_->async_read_some(net::buffer(read_buffer_.get(), kReadBufferBytes),
                       [this](beast::error_code ec, std::size_t n) { on_read(ec, n); });
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::on_read(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    if (!set_up_) {
      set_up_failed(ec);
    } else if (ec != net::error::operation_aborted) {
      ++worker_.result().disconnected;
    }
    return;
  }
  const std::string_view data(read_buffer_.get(), bytes);
  bool keep_reading = true;
  if (!ws_->is_message_done()) {
    message_.append(data);
  } else if (message_.empty()) {
    keep_reading = on_message(data);
  } else {
    message_.append(data);
    keep_reading = on_message(message_);
    message_.clear();  // keeps its capacity for the next long message
  }
  if (!keep_reading) return;
  if (worker_.options().mode == LoadMode::kRate) {
    pace_then_read(bytes);
  } else {
    do_read();
  }
}

template <class NextLayer>
bool BasicBeastConnection<NextLayer>::on_message(std::string_view message) {
  if (centrifugo_) return on_centrifugo_frame(message);
  if (worker_.on_message(message) == FrameKind::kFilterAck && !set_up_) set_up_done();
  return true;
}

template <class NextLayer>
bool BasicBeastConnection<NextLayer>::on_centrifugo_frame(std::string_view frame) {
  bool failed = false;
  for_each_centrifugo_reply(frame, [&](std::string_view line) {
    const CentrifugoReply reply = inspect_centrifugo_reply(line);
    switch (reply.kind) {
      case CentrifugoReplyKind::kPublication:
        worker_.on_event(reply.timestamp, line.size());
        break;
      case CentrifugoReplyKind::kPing:
        send_pong();
        break;
      case CentrifugoReplyKind::kReply:
        if (!set_up_ && replies_expected_ > 0 && --replies_expected_ == 0) set_up_done();
        break;
      case CentrifugoReplyKind::kError:
        std::fprintf(stderr, "bench_load_client: connection %zu: Centrifugo error (id %lld): %s\n",
                     index_, static_cast<long long>(reply.id), reply.error.c_str());
        failed = true;
        break;
      case CentrifugoReplyKind::kOther:
        break;
    }
  });
  if (!failed) return true;
  if (!set_up_) {
    // A refused connect or subscribe is a set-up failure, not something a retry fixes.
    set_up_ = true;
    worker_.set_up_finished(false);
  } else {
    ++worker_.result().disconnected;
  }
  beast::error_code ignored;
  beast::get_lowest_layer(*ws_).close(ignored);
  return false;
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::send_pong() {
  if (writing_) {
    pong_owed_ = true;
    return;
  }
  static const std::string kPong = "{}";
  writing_ = true;
  pong_owed_ = false;
  ws_->async_write(net::buffer(kPong),
                   [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                     self->writing_ = false;
                     if (!ec && self->pong_owed_) self->send_pong();
                   });
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::pace_then_read(std::size_t bytes) {
  const double rate = worker_.options().rate_bytes_per_s;
  const auto now = std::chrono::steady_clock::now();
  // A burst allowance of 100 ms of reading, so the pace is smooth but not one frame at a time.
  tokens_ = std::min(tokens_ + std::chrono::duration<double>(now - refilled_at_).count() * rate,
                     rate * 0.1);
  refilled_at_ = now;
  tokens_ -= static_cast<double>(bytes);
  if (tokens_ >= 0) {
    do_read();
    return;
  }
  if (!timer_) timer_ = std::make_unique<net::steady_timer>(worker_.io());
  timer_->expires_after(std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::duration<double>(-tokens_ / rate)));
  timer_->async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (!ec) self->do_read();
  });
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::set_up_failed(beast::error_code ec) {
  if (set_up_) return;
  if (attempts_ >= kMaxAttempts || worker_.phase() != Phase::kConnecting) {
    set_up_ = true;
    worker_.set_up_finished(false);
    std::fprintf(stderr, "bench_load_client: connection %zu gave up: %s\n", index_,
                 ec.message().c_str());
    return;
  }
  ++worker_.result().retries;
  beast::error_code ignored;
  beast::get_lowest_layer(*ws_).close(ignored);
  if (!timer_) timer_ = std::make_unique<net::steady_timer>(worker_.io());
  timer_->expires_after(kRetryPause * attempts_);
  timer_->async_wait([self = this->shared_from_this()](beast::error_code e) {
    if (!e) self->attempt();
  });
}

template <class NextLayer>
void BasicBeastConnection<NextLayer>::set_up_done() {
  set_up_ = true;
  worker_.set_up_finished(true);
  std::string().swap(filter_frame_);  // only a retried set-up writes it again
}

template class BasicBeastConnection<PooledReadSocket>;
template class BasicBeastConnection<beast::ssl_stream<WorkerSocket>>;

}  // namespace iiot::bench

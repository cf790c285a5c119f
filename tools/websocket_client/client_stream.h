// ClientStream: the byte stream under the client's WebSocket, plain TCP (ws://) or TLS (wss://,
// OpenSSL through Beast's ssl_stream), chosen at run time so one Session type serves both.
// Its next_layer() is the beast::tcp_stream under either kind (connect, timeouts, close), which
// is also what beast::get_lowest_layer() reaches. Single-threaded, like the Session that owns it.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <memory>
#include <utility>

namespace iiot::ws_client {

class ClientStream {
 public:
  using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = boost::beast::tcp_stream::executor_type;

  // tls: null for ws://; else outlives the stream.
  ClientStream(boost::asio::io_context& io, boost::asio::ssl::context* tls)
      : plain_(io), tls_(tls != nullptr ? std::make_unique<TlsStream>(io, *tls) : nullptr) {}

  bool is_tls() const { return tls_ != nullptr; }
  TlsStream& tls() { return *tls_; }  // is_tls() only
  boost::beast::tcp_stream& next_layer() { return tls_ ? tls_->next_layer() : plain_; }
  const boost::beast::tcp_stream& next_layer() const { return tls_ ? tls_->next_layer() : plain_; }
  executor_type get_executor() { return next_layer().get_executor(); }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& data) {
          if (tls_) {
            tls_->async_read_some(data, std::move(handler));
          } else {
            plain_.async_read_some(data, std::move(handler));
          }
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& data) {
          if (tls_) {
            tls_->async_write_some(data, std::move(handler));
          } else {
            plain_.async_write_some(data, std::move(handler));
          }
        },
        token, buffers);
  }

 private:
  boost::beast::tcp_stream plain_;  // the connection when plain; unused under TLS
  std::unique_ptr<TlsStream> tls_;
};

// Beast's WebSocket teardown: TLS sends close_notify before the TCP teardown.
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, ClientStream& stream, TeardownHandler&& handler) {
  using boost::beast::async_teardown;
  using boost::beast::websocket::async_teardown;
  if (stream.is_tls()) {
    async_teardown(role, stream.tls(), std::forward<TeardownHandler>(handler));
  } else {
    async_teardown(role, stream.next_layer(), std::forward<TeardownHandler>(handler));
  }
}

}  // namespace iiot::ws_client

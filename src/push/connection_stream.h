// ConnectionStream: the byte stream of one accepted connection, plain TCP or TLS (OpenSSL through
// Beast's ssl_stream), chosen at run time by websocket.tls.enabled. HttpSession and Client use
// this one type for both, so neither is duplicated as a template.
//
// Plain: reads and writes go straight to the socket, so a Client's gather write stays one
// writev of the shared frames. TLS: they go through the ssl_stream, which copies a buffer
// sequence into one buffer of up to 16 KiB per write (one TLS record). The TLS state sits behind
// a pointer: a plain connection pays one null pointer for it.
//
// It is the lowest layer seen by Beast (no next_layer()); beast_close_socket() and
// async_teardown() below are Beast's customization points for it. Single-threaded: used on the
// owning connection's shard thread only.
#pragma once

#include <array>
#include <boost/asio/async_result.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <memory>
#include <type_traits>
#include <utility>

namespace iiot::push {

class ConnectionStream {
 public:
  using Socket = boost::asio::ip::tcp::socket;
  using TlsStream = boost::beast::ssl_stream<Socket>;
  using executor_type = Socket::executor_type;

  // A plain connection.
  explicit ConnectionStream(Socket socket) : socket_(std::move(socket)) {}
  // A TLS connection over `socket`; its server handshake is still to be done (tls()).
  ConnectionStream(Socket socket, boost::asio::ssl::context& context)
      : socket_(socket.get_executor()),
        tls_(std::make_unique<TlsStream>(std::move(socket), context)) {}

  bool is_tls() const { return tls_ != nullptr; }
  TlsStream& tls() { return *tls_; }  // is_tls() only
  // The TCP socket under either kind.
  Socket& socket() { return tls_ ? tls_->next_layer() : socket_; }
  const Socket& socket() const { return tls_ ? tls_->next_layer() : socket_; }
  executor_type get_executor() { return socket_.get_executor(); }

  void close(boost::beast::error_code& ec) { socket().close(ec); }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& data) {
          if (tls_) {
            tls_->async_read_some(data, std::move(handler));
          } else {
            socket_.async_read_some(data, std::move(handler));
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
            socket_.async_write_some(data, std::move(handler));
          }
        },
        token, buffers);
  }

 private:
  Socket socket_;  // the connection's socket when plain; unopened (executor only) under TLS
  std::unique_ptr<TlsStream> tls_;
};

inline void beast_close_socket(ConnectionStream& stream) {
  boost::beast::error_code ignored;
  stream.close(ignored);
}

// The server's lingering close of a TCP connection: the FIN goes out behind the close frame, then
// whatever the client still sends (the rest of an oversized message, a flood) is read and
// discarded until the client's FIN, and only then is the socket closed. Closing a socket with
// unread bytes sends a reset instead, and a client still writing meets that reset instead of
// reading the close frame (1009, 1008) waiting for it. Beast 1.81's own TCP teardown means to do
// this but leaves its loop after the first successful read (it tests the coroutine's byte count
// instead of the read's). Not bounded here: the owner closes the socket when the closing
// handshake outlasts its timeout (Client::sweep), which ends the wait with operation_aborted.
class LingeringClose {
 public:
  explicit LingeringClose(ConnectionStream::Socket& socket) : socket_(&socket) {}

  template <class Self>
  void operator()(Self& self, boost::beast::error_code ec = {}) {
    if (!started_) {
      started_ = true;
      boost::beast::error_code ignored;
      socket_->shutdown(ConnectionStream::Socket::shutdown_send, ignored);  // may be gone already
      socket_->non_blocking(true, ec);
      if (!ec) {
        socket_->async_wait(ConnectionStream::Socket::wait_read, std::move(self));
        return;
      }
    }
    while (!ec) {
      std::array<char, 8192> discard{};
      socket_->read_some(boost::asio::buffer(discard), ec);
      if (ec == boost::asio::error::would_block) {
        socket_->async_wait(ConnectionStream::Socket::wait_read, std::move(self));
        return;
      }
    }
    if (ec == boost::asio::error::eof) ec = {};
    boost::beast::error_code ignored;
    socket_->close(ignored);
    self.complete(ec);
  }

 private:
  ConnectionStream::Socket* socket_;
  bool started_ = false;
};

// Beast's WebSocket teardown: TLS sends close_notify (and waits for the peer's, bounded by the
// closing-handshake timeout) before the TCP teardown; a plain server connection lingers
// (LingeringClose).
template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, ConnectionStream& stream,
                    TeardownHandler&& handler) {
  using boost::beast::async_teardown;
  using boost::beast::websocket::async_teardown;
  if (stream.is_tls()) {
    async_teardown(role, stream.tls(), std::forward<TeardownHandler>(handler));
  } else if (role == boost::beast::role_type::server) {
    // async_compose takes the handler as an lvalue and moves from it.
    boost::asio::async_compose<std::decay_t<TeardownHandler>, void(boost::beast::error_code)>(
        LingeringClose(stream.socket()), handler, stream.socket());
  } else {
    async_teardown(role, stream.socket(), std::forward<TeardownHandler>(handler));
  }
}

}  // namespace iiot::push

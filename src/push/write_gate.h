// WriteGate: the next layer under a Client's boost::beast::websocket::stream, which makes the
// connection's own writer the only one that writes to the socket.
//
// Reads pass through to the socket: Beast keeps the reading side, the handshake and its
// control-frame rules. A ClientCloseCheck follows the bytes read up to the client's close frame
// and corrects the status code of Beast's answer to it where RFC 6455 asks for another one (1002
// for an invalid or reserved code, 1007 for a reason that is not UTF-8).
//
// Beast's writes (the 101 response, pongs, pings, the close frame) are not written here: their
// bytes are appended to a control buffer, Beast's write completes at once
// (posted, never inline), and the Listener is told there is output. The writer then takes the
// control bytes and sends them ahead of its queued data frames in its next gather write, so a
// control frame never lands inside a data frame. Beast issues each control frame as one
// write_some of the whole frame, so the buffer only ever holds whole frames.
//
// Teardown (after a close, or a protocol error answered by Beast) waits until the writer has
// flushed everything, then runs Beast's teardown of the lowest layer. A write error the writer
// met is reported to Beast's next write.
//
// Generic over the stream below (a ConnectionStream: TCP, or TLS over TCP). Single-threaded:
// used on the owning connection's thread only.
#pragma once

#include <algorithm>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

#include "push/client_close_check.h"

namespace iiot::push {

template <class Stream>
class WriteGate {
 public:
  using next_layer_type = Stream;
  using executor_type = typename Stream::executor_type;

  // Told (synchronously, inside Beast's write) that control bytes are waiting.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void control_output_ready() = 0;
    // Beast has begun to tear the connection down (after a closing handshake, or after answering
    // a protocol error with a close frame); the teardown waits for the client's FIN, so its owner
    // bounds it.
    virtual void teardown_started() = 0;
  };

  template <class... Args>
  explicit WriteGate(Listener& listener, Args&&... args)
      : next_(std::forward<Args>(args)...), listener_(&listener) {}

  Stream& next_layer() { return next_; }
  const Stream& next_layer() const { return next_; }
  executor_type get_executor() { return next_.get_executor(); }

  template <class MutableBufferSequence, class ReadToken>
  auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
    return boost::asio::async_initiate<ReadToken, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const MutableBufferSequence& data) {
          auto executor = boost::asio::get_associated_executor(handler, next_.get_executor());
          next_.async_read_some(
              data, boost::asio::bind_executor(
                        executor, [this, data, handler = std::move(handler)](
                                      boost::beast::error_code ec, std::size_t n) mutable {
                          inspect_received(data, n);
                          std::move(handler)(ec, n);
                        }));
        },
        token, buffers);
  }

  template <class ConstBufferSequence, class WriteToken>
  auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
    return boost::asio::async_initiate<WriteToken, void(boost::beast::error_code, std::size_t)>(
        [this](auto handler, const ConstBufferSequence& data) {
          boost::beast::error_code ec = error_;
          std::size_t n = 0;
          if (!ec) {
            n = boost::asio::buffer_size(data);
            const std::size_t old = control_.size();
            control_.resize(old + n);
            boost::asio::buffer_copy(boost::asio::buffer(control_.data() + old, n), data);
            close_check_.correct_answer(
                std::span(reinterpret_cast<std::uint8_t*>(control_.data() + old), n));
            listener_->control_output_ready();
          }
          boost::asio::post(next_.get_executor(),
                            boost::beast::bind_front_handler(std::move(handler), ec, n));
        },
        token, buffers);
  }

  // The writer's side.
  bool has_control() const { return !control_.empty(); }
  // Moves the waiting control bytes into `out` for one write.
  void take_control(std::string& out) {
    out = std::move(control_);
    control_.clear();
  }
  // The writer met an error: Beast's later writes fail with it.
  void set_error(boost::beast::error_code ec) {
    if (!error_) error_ = ec;
  }
  // The writer has written everything it took and has nothing in flight.
  void writer_idle() {
    if (teardown_ && control_.empty()) start_teardown();
  }
  void set_writer_busy(bool busy) { writer_busy_ = busy; }

  // Beast's teardown of this layer (found by argument-dependent lookup, below).
  template <class Handler>
  void async_teardown_after_flush(boost::beast::role_type role, Handler&& handler) {
    listener_->teardown_started();
    teardown_ =
        std::make_unique<Teardown<std::decay_t<Handler>>>(role, std::forward<Handler>(handler));
    if (!writer_busy_ && control_.empty()) start_teardown();
  }

 private:
  // Beast's teardown handler, held until the writer has flushed.
  struct PendingTeardown {
    virtual ~PendingTeardown() = default;
    virtual void start(Stream& stream) = 0;
  };
  template <class Handler>
  struct Teardown final : PendingTeardown {
    Teardown(boost::beast::role_type r, Handler&& h) : role(r), handler(std::move(h)) {}
    void start(Stream& stream) override {
      using boost::beast::websocket::async_teardown;
      async_teardown(role, stream, std::move(handler));
    }
    boost::beast::role_type role;
    Handler handler;
  };

  template <class MutableBufferSequence>
  void inspect_received(const MutableBufferSequence& data, std::size_t n) {
    if (close_check_.done()) return;
    for (auto it = boost::asio::buffer_sequence_begin(data);
         n > 0 && it != boost::asio::buffer_sequence_end(data); ++it) {
      const boost::asio::const_buffer buffer = *it;
      const std::size_t k = std::min(buffer.size(), n);
      close_check_.on_received(std::span(static_cast<const std::uint8_t*>(buffer.data()), k));
      n -= k;
    }
  }

  void start_teardown() {
    auto pending = std::move(teardown_);
    pending->start(next_);
  }

  Stream next_;
  Listener* listener_;
  std::string control_;
  boost::beast::error_code error_;
  bool writer_busy_ = false;
  std::unique_ptr<PendingTeardown> teardown_;
  ClientCloseCheck close_check_;
};

template <class Stream, class TeardownHandler>
void async_teardown(boost::beast::role_type role, WriteGate<Stream>& gate,
                    TeardownHandler&& handler) {
  gate.async_teardown_after_flush(role, std::forward<TeardownHandler>(handler));
}

}  // namespace iiot::push

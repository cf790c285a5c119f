// PooledReadSocket: the byte stream under a plain connection's Beast websocket::stream, and the
// reason the load client costs little per delivery and nothing per idle connection. It reads
// reactor style: while nothing has arrived it holds no buffer, only a wait for readability; once
// the socket is readable it takes a chunk from its worker's ReadChunkPool, reads whatever the
// kernel has (up to a chunk) in one non-blocking read, and serves Beast's reads (at most Beast's
// 1.5 KiB read buffer at a time) from the chunk, giving it back once Beast has taken every byte.
// A dense burst of frames then costs one system call per chunk instead of one per 1.5 KiB, and
// ten thousand quiet connections hold no read buffer of their own beyond Beast's.
//
// It only moves bytes: the HTTP upgrade, the WebSocket framing, pings and the closing handshake
// are all Beast's. Writes go straight to the socket. Worker thread only; its state is shared
// with its own pending wait, so a wait that ends after the stream is gone touches nothing freed.
#pragma once

#include <boost/asio/basic_stream_socket.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

namespace iiot::bench {

// The worker's socket: bound to its io_context's executor type rather than the type-erased
// any_io_executor, whose copies (Beast copies the executor at every step of every read) cost more
// than the rest of a read.
using WorkerSocket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

// Read chunks of one worker, reused: taking and giving back allocates nothing once the pool has
// as many chunks as the most connections that held one at the same time. Worker thread only.
class ReadChunkPool {
 public:
  static constexpr std::size_t kChunkBytes = std::size_t{16} * 1024;
  using Chunk = std::unique_ptr<char[]>;

  Chunk take() {
    if (free_.empty()) return std::make_unique_for_overwrite<char[]>(kChunkBytes);
    Chunk chunk = std::move(free_.back());
    free_.pop_back();
    return chunk;
  }
  void give(Chunk chunk) { free_.push_back(std::move(chunk)); }

 private:
  std::vector<Chunk> free_;
};

class PooledReadSocket {
 public:
  using executor_type = boost::asio::io_context::executor_type;
  using next_layer_type = WorkerSocket;
  using error_code = boost::beast::error_code;

  PooledReadSocket(boost::asio::io_context& io, ReadChunkPool& pool)
      : state_(std::make_shared<State>(io, pool)) {}
  // Closes the socket, so a wait still pending ends (aborted) instead of reading for a stream
  // that is gone.
  ~PooledReadSocket() {
    error_code ignored;
    state_->socket.close(ignored);
  }
  PooledReadSocket(const PooledReadSocket&) = delete;
  PooledReadSocket& operator=(const PooledReadSocket&) = delete;

  executor_type get_executor() { return state_->socket.get_executor(); }
  WorkerSocket& next_layer() { return state_->socket; }

  template <class MutableBufferSequence, class ReadHandler>
  auto async_read_some(const MutableBufferSequence& buffers, ReadHandler&& handler) {
    return boost::asio::async_initiate<ReadHandler, void(error_code, std::size_t)>(
        [state = state_](auto&& h, const MutableBufferSequence& b) {
          start_read(state, std::forward<decltype(h)>(h), b);
        },
        handler, buffers);
  }

  template <class ConstBufferSequence, class WriteHandler>
  auto async_write_some(const ConstBufferSequence& buffers, WriteHandler&& handler) {
    return state_->socket.async_write_some(buffers, std::forward<WriteHandler>(handler));
  }

  // Bytes read from the socket that Beast has not taken yet are dropped (the teardown drains
  // the socket itself).
  void drop_buffered() { state_->release(); }

 private:
  struct State {
    State(boost::asio::io_context& io, ReadChunkPool& chunk_pool)
        : socket(io.get_executor()), pool(chunk_pool) {}
    // Copies what `buffers` holds room for; gives the chunk back once it is empty.
    template <class MutableBufferSequence>
    std::size_t take(const MutableBufferSequence& buffers) {
      const std::size_t n = boost::asio::buffer_copy(
          buffers, boost::asio::const_buffer(chunk.get() + begin, end - begin));
      begin += n;
      if (begin == end) release();
      return n;
    }
    void release() {
      if (chunk) pool.give(std::move(chunk));
      begin = end = 0;
    }

    WorkerSocket socket;
    ReadChunkPool& pool;
    ReadChunkPool::Chunk chunk;  // only while it holds bytes Beast has not taken
    std::size_t begin = 0;
    std::size_t end = 0;
  };

  template <class Handler, class MutableBufferSequence>
  static void start_read(const std::shared_ptr<State>& state, Handler&& handler,
                         const MutableBufferSequence& buffers) {
    if (state->begin < state->end) {
      // Served from the chunk; completed as if by post, as an asynchronous read must be.
      const std::size_t n = state->take(buffers);
      boost::asio::post(
          state->socket.get_executor(),
          boost::beast::bind_front_handler(std::forward<Handler>(handler), error_code{}, n));
      return;
    }
    state->socket.async_wait(WorkerSocket::wait_read, [state, h = std::forward<Handler>(handler),
                                                       buffers](error_code ec) mutable {
      on_readable(state, ec, std::move(h), buffers);
    });
  }

  template <class Handler, class MutableBufferSequence>
  static void on_readable(const std::shared_ptr<State>& state, error_code ec, Handler&& handler,
                          const MutableBufferSequence& buffers) {
    std::size_t n = 0;
    if (!ec) {
      WorkerSocket& socket = state->socket;
      if (!socket.non_blocking()) socket.non_blocking(true, ec);
      if (!ec) {
        state->chunk = state->pool.take();
        state->end = socket.read_some(
            boost::asio::buffer(state->chunk.get(), ReadChunkPool::kChunkBytes), ec);
        state->begin = 0;
        if (ec) state->release();
      }
      if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
        start_read(state, std::forward<Handler>(handler), buffers);  // woken for nothing
        return;
      }
      if (!ec) n = state->take(buffers);
    }
    // Already on the worker's thread, in the completion of the wait.
    std::forward<Handler>(handler)(ec, n);
  }

  std::shared_ptr<State> state_;
};

// Beast's closing handshake ends with a teardown of the next layer: the socket's.
inline void teardown(boost::beast::role_type role, PooledReadSocket& stream,
                     boost::beast::error_code& ec) {
  stream.drop_buffered();
  boost::beast::websocket::teardown(role, stream.next_layer(), ec);
}

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, PooledReadSocket& stream,
                    TeardownHandler&& handler) {
  stream.drop_buffered();
  boost::beast::websocket::async_teardown(role, stream.next_layer(),
                                          std::forward<TeardownHandler>(handler));
}

}  // namespace iiot::bench

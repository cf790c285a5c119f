// RawConnection: a LoadConnection on a plain TCP socket with its own HTTP upgrade and WebSocket
// frame parser (RFC 6455, unmasked server frames, no extensions: it never offers
// permessage-deflate). Reads are reactor style: wait until readable, then one non-blocking read
// into the worker's shared buffer, so ten thousand idle connections cost no buffers; only a
// partial frame is kept per connection. Answers pings with pongs and treats a close frame as the
// end. Worker thread only; kept alive by its worker's list and by its own handlers.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "load_client/load_connection.h"

namespace iiot::bench {

class LoadWorker;

class RawConnection final : public LoadConnection,
                            public std::enable_shared_from_this<RawConnection> {
 public:
  RawConnection(LoadWorker& worker, std::size_t global_index);
  void start() override;

 private:
  using error_code = boost::system::error_code;

  void attempt();
  void on_connect(error_code ec);
  void wait_readable();
  void on_readable(error_code ec);
  // Consumes received bytes; false once the connection is over.
  bool consume(const char* data, std::size_t size);
  bool parse_handshake();
  // Parses whole frames from data; returns the bytes used.
  std::size_t parse_frames(const char* data, std::size_t size, bool& open);
  bool on_frame(unsigned opcode, bool fin, std::string_view payload);
  void send_frame(unsigned opcode, std::string_view payload);
  void flush_writes();
  void pace(std::size_t bytes);
  void ended(const char* why);
  void set_up_failed(const std::string& why);
  void set_up_done();

  LoadWorker& worker_;
  const std::size_t index_;
  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<boost::asio::steady_timer> timer_;  // retries and the rate mode
  std::string carry_;    // the handshake answer so far, or a partial frame
  std::string message_;  // a fragmented message being reassembled (never seen in practice)
  std::string writing_;  // bytes handed to the socket
  std::string pending_;  // bytes waiting for the write in flight
  bool write_in_flight_ = false;
  bool handshaken_ = false;
  bool set_up_ = false;
  bool filter_sent_ = false;
  int attempts_ = 0;
  double tokens_ = 0;  // rate mode: bytes we may still read
  std::chrono::steady_clock::time_point refilled_at_;
};

}  // namespace iiot::bench

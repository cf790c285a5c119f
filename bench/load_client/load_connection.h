// LoadConnection: one benchmark WebSocket connection, run entirely on its LoadWorker's thread.
// Set-up: TCP connect, WebSocket handshake (offering permessage-deflate with --compression on),
// then by mode: fast/rate send the filter and read until its filter_ack; stall sends the filter
// and never reads again; idle stops after the handshake. A failed set-up is retried a few times
// with a growing pause. Kept alive by its worker's list and by its own handlers.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "support/timestamp.h"

namespace iiot::bench {

class LoadWorker;

class LoadConnection : public std::enable_shared_from_this<LoadConnection> {
 public:
  LoadConnection(LoadWorker& worker, std::size_t global_index);
  void start();

 private:
  using Stream = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;

  void attempt();
  void on_connect(boost::beast::error_code ec);
  void on_handshake(boost::beast::error_code ec);
  void on_filter_written(boost::beast::error_code ec);
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void pace_then_read(std::size_t bytes);
  void set_up_failed(boost::beast::error_code ec);
  void set_up_done();

  LoadWorker& worker_;
  const std::size_t index_;
  std::optional<Stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::string filter_frame_;
  std::unique_ptr<boost::asio::steady_timer> timer_;  // retries and the rate mode
  TimestampParser& parser_;
  int attempts_ = 0;
  bool set_up_ = false;  // counted as ready or failed
  double tokens_ = 0;    // rate mode: bytes we may still read
  std::chrono::steady_clock::time_point refilled_at_;
};

}  // namespace iiot::bench

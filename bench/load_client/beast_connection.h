// BeastConnection: a LoadConnection on Boost.Beast's websocket::stream, used with --compression
// on (it offers permessage-deflate and reads whole messages, inflated), with --protocol
// centrifugo (set-up by connect and subscribe commands, every publication in a frame counted,
// server pings answered), and over TLS with --tls (TlsBeastConnection: the TLS handshake, the
// gateway's certificate and address verified, before the WebSocket one). Worker thread only;
// kept alive by its worker's list and by its own handlers.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include "load_client/load_connection.h"

namespace iiot::bench {

class LoadWorker;

// NextLayer: the socket, or Beast's ssl_stream over it.
template <class NextLayer>
class BasicBeastConnection final
    : public LoadConnection,
      public std::enable_shared_from_this<BasicBeastConnection<NextLayer>> {
 public:
  BasicBeastConnection(LoadWorker& worker, std::size_t global_index);
  void start() override;

 private:
  using Stream = boost::beast::websocket::stream<NextLayer>;
  static constexpr bool kTls = !std::is_same_v<NextLayer, boost::asio::ip::tcp::socket>;

  void attempt();
  void on_connect(boost::beast::error_code ec);
  void on_tls_handshake(boost::beast::error_code ec);
  void websocket_handshake();
  void on_handshake(boost::beast::error_code ec);
  void on_filter_written(boost::beast::error_code ec);
  // Handles every reply in a frame; false when an error reply ended the connection.
  bool on_centrifugo_frame(std::string_view frame);
  void send_pong();
  void do_read();
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void pace_then_read(std::size_t bytes);
  void set_up_failed(boost::beast::error_code ec);
  void set_up_done();

  LoadWorker& worker_;
  const std::size_t index_;
  std::optional<Stream> ws_;
  std::unique_ptr<boost::beast::websocket::response_type> response_;  // of the handshake
  boost::beast::flat_buffer buffer_;
  std::string filter_frame_;  // or Centrifugo's set-up frame
  bool centrifugo_ = false;
  std::size_t replies_expected_ = 0;  // Centrifugo set-up: connect + one per subscribe
  bool writing_ = false;              // a write is in flight (one at a time)
  bool pong_owed_ = false;            // a ping came while writing
  std::unique_ptr<boost::asio::steady_timer> timer_;  // retries and the rate mode
  int attempts_ = 0;
  bool set_up_ = false;  // counted as ready or failed
  double tokens_ = 0;    // rate mode: bytes we may still read
  std::chrono::steady_clock::time_point refilled_at_;
};

using BeastConnection = BasicBeastConnection<boost::asio::ip::tcp::socket>;
using TlsBeastConnection =
    BasicBeastConnection<boost::beast::ssl_stream<boost::asio::ip::tcp::socket>>;

}  // namespace iiot::bench

// BeastConnection: a LoadConnection on Boost.Beast's websocket::stream: the HTTP upgrade, the
// RFC 6455 framing, answering pings and the closing handshake are all Beast's. Every run uses
// it: plain (ws://), with --compression on (it offers permessage-deflate and reads inflated
// data), with --protocol centrifugo (set-up by connect and subscribe commands, every publication
// in a frame counted, server pings answered), and over TLS with --tls (TlsBeastConnection: the
// TLS handshake, the gateway's certificate and address verified, before the WebSocket one).
//
// It is built to cost the instrument little, since the load client shares the machine's cores
// with the gateway under test: a plain connection's stream runs over a PooledReadSocket (reactor
// style reads into chunks shared by the worker's connections: one system call per burst, no read
// buffer while quiet); messages are read with async_read_some into a small fixed buffer of the
// connection's own (allocated when the connection starts reading: idle and stalled connections
// never have one) and handed to the worker straight from it when they fit (a longer one is put
// together in a string whose capacity is kept), so reading allocates nothing per message;
// Beast's write buffer is kept small, since the client writes only its filter. Worker thread
// only; kept alive by its worker's list and by its own handlers.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "load_client/load_connection.h"
#include "load_client/pooled_read_socket.h"

namespace iiot::bench {

class LoadWorker;

// NextLayer: PooledReadSocket (plain), or Beast's ssl_stream over the socket (--tls).
template <class NextLayer>
class BasicBeastConnection final
    : public LoadConnection,
      public std::enable_shared_from_this<BasicBeastConnection<NextLayer>> {
 public:
  BasicBeastConnection(LoadWorker& worker, std::size_t global_index);
  void start() override;

 private:
  using Stream = boost::beast::websocket::stream<NextLayer>;
  static constexpr bool kTls = !std::is_same_v<NextLayer, PooledReadSocket>;

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
  // Hands one whole message to the worker; false when it ended the connection.
  bool on_message(std::string_view message);
  void pace_then_read(std::size_t bytes);
  void set_up_failed(boost::beast::error_code ec);
  void set_up_done();

  LoadWorker& worker_;
  const std::size_t index_;
  std::optional<Stream> ws_;
  std::unique_ptr<boost::beast::websocket::response_type> response_;  // of the handshake
  std::unique_ptr<char[]> read_buffer_;  // kReadBufferBytes, once reading starts
  std::string message_;                  // a message longer than read_buffer_, being put together
  std::string filter_frame_;             // or Centrifugo's set-up frame
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

using BeastConnection = BasicBeastConnection<PooledReadSocket>;
using TlsBeastConnection = BasicBeastConnection<boost::beast::ssl_stream<WorkerSocket>>;

}  // namespace iiot::bench

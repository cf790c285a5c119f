// HostileConnection: one misbehaving client of the gateway, for the benchmark's hostile scenario
// (docs/performance.md). Each connection has one kind and repeats its misbehaviour for as long as
// the process runs: when the gateway refuses or closes it, it waits --retry-pause and tries
// again. Runs on its HostileRun's I/O thread; kept alive by the run's list and by its handlers.
//
// Everything this client reads or writes correctly goes through Boost.Beast: the handshakes, the
// well-formed frames (filter, pings, the oversized message), reading the gateway's frames and
// close codes, and reading the HTTP answer to a trickled request. Bytes are put on the socket by
// hand in two places only, because they are attacks that a conforming library will not produce:
//  - slowloris: the upgrade request, serialized by Beast, is written one byte at a time straight
//    to the socket (Beast writes a request whole);
//  - invalid: a client frame without the mask RFC 6455 requires, or with the reserved opcode 0x3
//    (Beast always masks a client's frames and has no way to send a reserved opcode).
// Nothing here parses WebSocket frames or HTTP by hand.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace iiot::bench {

enum class HostileKind {
  kBadToken,   // handshakes with a wrong token: 401 expected, then again
  kSlowloris,  // sends its upgrade request one byte at a time, slower than handshake_timeout
  kOversize,   // sends one message larger than max_message_size: close 1009 expected
  kInvalid,    // sends an unmasked frame or one with a reserved opcode: close 1002 expected
  kFlood,      // sends pings far above max_client_messages_per_second: rate_limited, then 1008
  kNeverRead,  // subscribes to everything with a small receive buffer and never reads
};
inline constexpr std::array<HostileKind, 6> kHostileKinds = {
    HostileKind::kBadToken, HostileKind::kSlowloris, HostileKind::kOversize,
    HostileKind::kInvalid,  HostileKind::kFlood,     HostileKind::kNeverRead};

std::string_view to_string(HostileKind kind);
std::optional<HostileKind> hostile_kind_from(std::string_view name);

struct HostileOptions {
  std::string host = "127.0.0.1";
  std::string port = "8081";
  std::string path = "/ws";
  std::string token;  // a token the gateway accepts (every kind but bad_token presents it)
  std::chrono::milliseconds retry_pause{500};
  std::chrono::milliseconds slowloris_interval{100};  // between two bytes of the request
  std::size_t oversize_bytes =
      std::size_t{2} * 1024 * 1024;  // above the gateway's max_message_size
  double flood_rate = 400;           // messages per second per connection
  int never_read_rcvbuf = 4096;
};

// What the connections of one kind saw, summed; updated from the I/O thread, read by main.
struct KindCounters {
  std::atomic<std::uint64_t> connections{0};     // connections of this kind
  std::atomic<std::uint64_t> attempts{0};        // TCP connects started
  std::atomic<std::uint64_t> connect_failed{0};  // TCP connect refused or failed
  std::atomic<std::uint64_t> refused{0};         // handshake answered with a status other than 101
  std::atomic<std::uint64_t> closed_before_upgrade{0};  // the gateway hung up mid-handshake
  std::atomic<std::uint64_t> upgraded{0};               // handshakes answered 101
  std::atomic<std::uint64_t> closed{0};                 // upgraded connections the gateway ended
  std::atomic<std::uint64_t> rate_limited{0};           // `rate_limited` error frames received
  std::atomic<std::uint64_t> messages_sent{0};          // frames sent (flood, oversize, filter)
  std::atomic<std::uint64_t> bytes_trickled{0};         // slowloris bytes written
  std::atomic<std::uint64_t> handshake_held_ms{0};  // slowloris: connect to the gateway's hang-up
  std::atomic<std::int64_t> open{0};                // connected now (TCP up)

  mutable std::mutex mutex;
  std::map<std::string, std::uint64_t> outcomes;  // "401", "close 1009", "eof"...; guarded

  void count_outcome(const std::string& what) {
    std::lock_guard lock(mutex);
    ++outcomes[what];
  }
};

struct HostileShared {
  const HostileOptions& options;
  boost::asio::io_context& io;
  boost::asio::ip::tcp::endpoint endpoint;
  std::array<KindCounters, kHostileKinds.size()>& counters;
  std::atomic<bool>& stopping;
};

class HostileConnection final : public std::enable_shared_from_this<HostileConnection> {
 public:
  HostileConnection(HostileShared& shared, HostileKind kind, std::size_t index);
  void start();

 private:
  using error_code = boost::system::error_code;
  using Stream = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;

  KindCounters& counters();
  void attempt();
  void on_connect(error_code ec);
  void handshake();
  void on_handshake(error_code ec);
  void misbehave();  // after the upgrade, by kind
  void read_loop();
  void on_read(error_code ec);
  void trickle();  // slowloris: one more byte of the request
  void watch_slowloris();
  void write_broken_frame();
  void flood_tick();
  void flood_write();
  void ended(const std::string& outcome);
  void retry_later();

  HostileShared& shared_;
  const HostileKind kind_;
  const std::size_t index_;
  std::optional<Stream> ws_;
  std::unique_ptr<boost::beast::websocket::response_type> response_;
  boost::beast::flat_buffer buffer_;
  boost::asio::steady_timer timer_;
  std::string request_;  // slowloris: the serialized upgrade request
  std::size_t trickled_ = 0;
  // slowloris: the gateway's answer, if it answers before hanging up
  std::optional<boost::beast::http::response_parser<boost::beast::http::empty_body>>
      slowloris_answer_;
  std::string broken_;  // invalid: the broken frame being written
  std::chrono::steady_clock::time_point connected_at_;
  double flood_owed_ = 0;
  bool writing_ = false;
  bool live_ = false;       // this attempt has not ended yet
  bool connected_ = false;  // this attempt's TCP connection is up (counted in `open`)
  int generation_ = 0;
};

}  // namespace iiot::bench

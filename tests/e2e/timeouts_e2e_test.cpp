// Connection timers (CONTRACT section 2 "Closing and limits", section 6 write_timeout): the
// server pings every ping_interval, closes a client silent for client_timeout, a connection
// whose write blocks longer than write_timeout, and one that never completes its handshake.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json/serialize.hpp>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;

std::int64_t active_clients(unsigned short port) {
  return stat_value(get_stats(port), "active_clients");
}

bool connected(unsigned short port, const std::string& id) {
  const json::object stats = get_stats(port);
  for (const json::value& c : stats.at("clients").as_array()) {
    if (c.at("id").as_string() == id) return true;
  }
  return false;
}

TEST(TimeoutsE2E, TheServerPingsAndAReadingClientOutlivesClientTimeout) {
  TestTopics topics(1);
  GatewayProcess gateway(
      topics, {.websocket = {{"ping_interval", "\"200ms\""}, {"client_timeout", "\"1s\""}}});
  WsTestClient client(gateway.port());
  client.client_id();
  // Six pings take longer than client_timeout; the client's pongs keep it connected.
  ASSERT_TRUE(eventually([&] { return client.pings_received() >= 6; }, 30s))
      << "pings received: " << client.pings_received();
  EXPECT_FALSE(client.close_info().has_value());
  EXPECT_EQ(client.request(R"({"type":"ping"})", "pong").at("type").as_string(), "pong");
}

TEST(TimeoutsE2E, AClientSilentForClientTimeoutIsClosed) {
  TestTopics topics(1);
  // The server's close handshake with the silent client ends after handshake_timeout.
  GatewayProcess gateway(topics, {.websocket = {{"ping_interval", "\"200ms\""},
                                                {"client_timeout", "\"1s\""},
                                                {"handshake_timeout", "\"2s\""}}});
  WsTestClient reading(gateway.port());
  WsTestClient silent(gateway.port());
  reading.client_id();
  const std::string silent_id = silent.client_id();
  // Paused, the client answers no ping and sends nothing. Its read in progress would still
  // answer pings: a pong frame completes it first.
  silent.pause();
  silent.request(R"({"type":"ping"})", "pong");

  ASSERT_TRUE(eventually([&] { return !connected(gateway.port(), silent_id); }, 30s))
      << "the silent client is still connected";
  silent.resume();
  EXPECT_TRUE(silent.wait_closed(15s));
  EXPECT_FALSE(reading.close_info().has_value()) << "the reading client was closed too";
  EXPECT_EQ(active_clients(gateway.port()), 1);
}

TEST(TimeoutsE2E, AWriteBlockedLongerThanWriteTimeoutClosesTheConnection) {
  TestTopics topics(2);
  GatewaySettings settings;
  settings.websocket["write_timeout"] = "\"1s\"";
  // Queues that hold every record: the reading client must get all of them even when a loaded
  // machine starves its reader thread past the 100 ms a non-draining client is given. The stalled
  // client's write blocks on its 4 KiB receive buffer whatever its queue holds.
  settings.websocket["queue_size"] = "50000";
  settings.websocket["max_queue_bytes"] = std::to_string(256 << 20);
  GatewayProcess gateway(topics, settings);
  WsTestClient reading(gateway.port());
  WsTestClient stalled(gateway.port(), {.receive_buffer_bytes = 4096});
  reading.client_id();
  const std::string stalled_id = stalled.client_id();
  stalled.pause();

  RecordProducer producer;
  std::int64_t produced = 0;
  bool closed = false;
  for (int batch = 0; batch < 40 && !closed; ++batch) {
    for (int i = 0; i < 1000; ++i, ++produced) {
      const std::string id = "wt-" + std::to_string(produced % 4);
      producer.produce(topics.device_data, id,
                       to_json(DeviceRecord{.device_id = id,
                                            .seq = static_cast<std::uint64_t>(produced / 4),
                                            .padding_sensors = 12}));
    }
    producer.flush();
    ASSERT_TRUE(reading.wait_for_events(static_cast<std::size_t>(produced), 60s));
    closed = eventually([&] { return !connected(gateway.port(), stalled_id); }, 3s, 100ms);
  }
  ASSERT_TRUE(closed) << "the stalled client is still connected after " << produced << " records";
  const json::object stats = get_stats(gateway.port());
  EXPECT_EQ(stat_value(stats, "slow_consumer_disconnects"), 0) << json::serialize(stats);
  EXPECT_EQ(stat_value(stats, "active_clients"), 1);
  EXPECT_FALSE(reading.close_info().has_value());
}

TEST(TimeoutsE2E, AConnectionThatNeverSendsItsHandshakeIsClosed) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, {.websocket = {{"handshake_timeout", "\"500ms\""}}});
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  timeval tv{.tv_sec = 15, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(gateway.port());
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  char byte = 0;
  const ssize_t n = ::recv(fd, &byte, 1, 0);
  const int err = errno;
  ::close(fd);
  EXPECT_TRUE(n == 0 || (n < 0 && err == ECONNRESET))
      << "expected the server to close the idle connection; recv returned " << n << " errno "
      << err;
  EXPECT_EQ(http_get(gateway.port(), "/health").status, 200);
}

}  // namespace
}  // namespace iiot::e2e

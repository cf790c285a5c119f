// Closing and limits (CONTRACT section 2 "Closing and limits", section 6 check_origin): 503 past
// max_connections, 403 for a foreign or missing Origin, close 1009 for an oversized frame, 1003
// for a binary frame, 1007 for invalid UTF-8.
#include <gtest/gtest.h>

#include <memory>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

TEST(LimitsE2E, HandshakesPastMaxConnectionsAreAnswered503) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, {.websocket = {{"max_connections", "2"}}});
  auto first = std::make_unique<WsTestClient>(gateway.port());
  WsTestClient second(gateway.port());
  first->client_id();
  second.client_id();

  const HttpResponse refused = upgrade_request(gateway.port(), "/ws", std::nullopt);
  EXPECT_EQ(refused.status, 503) << refused.error << refused.body;
  try {
    WsTestClient third(gateway.port());
    ADD_FAILURE() << "a third connection was accepted";
  } catch (const HandshakeError& e) {
    EXPECT_EQ(e.status, 503) << e.what();
  }
  // The HTTP endpoints are not connections in this sense.
  EXPECT_EQ(http_get(gateway.port(), "/health").status, 200);

  // A freed slot is usable again.
  first->close();
  first.reset();
  ASSERT_TRUE(eventually([&] { return active_clients(gateway.port()) == 1; }, 15s));
  WsTestClient again(gateway.port());
  EXPECT_FALSE(again.client_id().empty());
}

TEST(LimitsE2E, CheckOriginRefusesForeignAndMissingOriginsWith403) {
  TestTopics topics(1);
  GatewayProcess gateway(
      topics,
      {.websocket = {{"check_origin", "true"},
                     {"allowed_origins", R"(["http://good.example", "https://b.example"])"}}});
  EXPECT_EQ(upgrade_request(gateway.port(), "/ws", "http://evil.example").status, 403);
  EXPECT_EQ(upgrade_request(gateway.port(), "/ws", "http://good.example.evil").status, 403);
  EXPECT_EQ(upgrade_request(gateway.port(), "/ws", std::nullopt).status, 403);
  try {
    WsTestClient foreign(gateway.port(), {.origin = "http://evil.example"});
    ADD_FAILURE() << "a foreign origin was accepted";
  } catch (const HandshakeError& e) {
    EXPECT_EQ(e.status, 403) << e.what();
  }
  EXPECT_EQ(upgrade_request(gateway.port(), "/ws", "https://b.example").status, 101);
  WsTestClient allowed(gateway.port(), {.origin = "http://good.example"});
  EXPECT_FALSE(allowed.client_id().empty());
  EXPECT_EQ(allowed.request(R"({"type":"ping"})", "pong").at("type").as_string(), "pong");
}

// RFC 6455 4.1/4.2.1: Sec-WebSocket-Key is the base64 of 16 bytes; anything else is a bad
// request, answered before any upgrade.
TEST(LimitsE2E, AWebSocketKeyThatIsNotBase64Of16BytesGets400) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  const auto handshake = [&](const std::optional<std::string>& key) {
    std::map<std::string, std::string> headers{
        {"Connection", "Upgrade"}, {"Upgrade", "websocket"}, {"Sec-WebSocket-Version", "13"}};
    if (key) headers["Sec-WebSocket-Key"] = *key;
    return http_request(gateway.port(), "GET", "/ws", headers).status;
  };
  EXPECT_EQ(handshake("dGhlIHNhbXBsZSBub25jZQ=="), 101);
  for (const std::string bad : {"", "short", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=",
                                "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25jZ!==",
                                "dGhlIHNhbXBsZSBub25jZSB0d28=", "dGhlIHNhbXBsZSBub25jZQ==x"}) {
    EXPECT_EQ(handshake(bad), 400) << "key '" << bad << "'";
  }
  EXPECT_EQ(handshake(std::nullopt), 400);
  WsTestClient client(gateway.port());
  EXPECT_FALSE(client.client_id().empty());
}

TEST(LimitsE2E, AStarInAllowedOriginsAllowsAnyOrigin) {
  TestTopics topics(1);
  GatewayProcess gateway(
      topics, {.websocket = {{"check_origin", "true"}, {"allowed_origins", R"(["*"])"}}});
  EXPECT_EQ(upgrade_request(gateway.port(), "/ws", "http://anything.example").status, 101);
  WsTestClient client(gateway.port(), {.origin = "http://other.example"});
  EXPECT_FALSE(client.client_id().empty());
}

TEST(LimitsE2E, AFrameLargerThanMaxMessageSizeIsClosedWith1009) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, {.websocket = {{"max_message_size", "256"}}});
  WsTestClient client(gateway.port());
  client.client_id();
  // A frame within the limit is served.
  const std::string small = R"({"type":"ping","pad":")" + std::string(200, 'x') + "\"}";
  ASSERT_LE(small.size(), 256u);
  EXPECT_EQ(client.request(small, "pong").at("type").as_string(), "pong");

  client.send_text(R"({"type":"ping","pad":")" + std::string(1024, 'x') + "\"}");
  EXPECT_EQ(client.wait_close_code(15s), 1009);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

// The client is still writing its oversized message when the gateway gives up on it: the gateway
// reads and discards the rest, so the client reads the 1009 close frame instead of meeting a TCP
// reset (what closing a socket with unread bytes sends).
TEST(LimitsE2E, AClientStillSendingAnOversizedMessageReadsThe1009CloseNotAReset) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, {.websocket = {{"max_message_size", "256"}}});
  WsTestClient client(gateway.port());
  client.client_id();
  // Far more than the socket buffers of both ends hold, so most of it is still to be written
  // when the gateway answers. The write either completes or is given up by the client's own
  // stream once it has read the close frame; a reset would fail it with a broken pipe.
  try {
    client.send_text(R"({"type":"ping","pad":")" + std::string(32 << 20, 'x') + "\"}");
  } catch (const std::runtime_error& e) {
    const std::string error = e.what();
    EXPECT_NE(error.find("Operation canceled"), std::string::npos) << error;
  }
  EXPECT_EQ(client.wait_close_code(15s), 1009);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

TEST(LimitsE2E, ABinaryFrameIsClosedWith1003) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  WsTestClient client(gateway.port());
  client.client_id();
  client.send_binary(std::string("\x01\x02\x03{\"type\":\"ping\"}", 18));
  EXPECT_EQ(client.wait_close_code(15s), 1003);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

TEST(LimitsE2E, InvalidUtf8TextIsClosedWith1007) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  WsTestClient client(gateway.port());
  client.client_id();
  client.send_text("{\"type\":\"ping\",\"x\":\"\xc3\x28\xff\"}");
  EXPECT_EQ(client.wait_close_code(15s), 1007);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

TEST(LimitsE2E, ConnectionSlotsAreReleasedHoweverAConnectionEnds) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, {.websocket = {{"max_connections", "5"}}});
  constexpr int kRounds = 6;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    {
      std::vector<std::unique_ptr<WsTestClient>> clients;
      for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<WsTestClient>(gateway.port()));
        clients.back()->client_id();
      }
      EXPECT_EQ(upgrade_request(gateway.port(), "/ws", std::nullopt).status, 503);
      // A handshake Beast refuses after admission (an unsupported version) must free its slot
      // too.
      clients[0]->close();
      const HttpResponse bad = http_request(gateway.port(), "GET", "/ws",
                                            {{"Connection", "Upgrade"},
                                             {"Upgrade", "websocket"},
                                             {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
                                             {"Sec-WebSocket-Version", "12"}});
      EXPECT_EQ(bad.status / 100, 4) << bad.status << " " << bad.error;
      clients[1]->close();           // normal close
      clients[2]->send_binary("x");  // closed by the server with 1003
      clients[2]->wait_closed(15s);
      // clients[3] and [4] vanish without a closing handshake.
    }
    ASSERT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s))
        << "active_clients stays at " << active_clients(gateway.port());
  }
  WsTestClient last(gateway.port());
  EXPECT_FALSE(last.client_id().empty());
  EXPECT_EQ(stat_value(get_stats(gateway.port()), "total_connections"), kRounds * 5 + 1);
}

}  // namespace
}  // namespace iiot::e2e

// The client's close frame, judged by RFC 6455 (sections 5.5.1, 7.4, 8.1): a valid status code
// is echoed; a code outside 1000-4999 or reserved (1004-1006, 1015, 1016-2999) and a 1-byte
// payload are answered 1002; a reason that is not UTF-8 is answered 1007. The close frames are
// written as raw bytes, so the test can send what a conforming client library refuses to.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

// A client frame (FIN set) with a 7-bit length, masked with `mask` unless it is nullopt.
std::string client_frame(std::uint8_t opcode, const std::string& payload,
                         std::optional<std::uint32_t> mask = 0x5a1ec0deU) {
  std::string frame;
  frame.push_back(static_cast<char>(0x80 | opcode));
  frame.push_back(static_cast<char>((mask ? 0x80 : 0) | payload.size()));
  std::uint8_t key[4] = {};
  if (mask) {
    for (int i = 0; i < 4; ++i) key[i] = static_cast<std::uint8_t>(*mask >> (24 - 8 * i));
    frame.append(reinterpret_cast<const char*>(key), 4);
  }
  for (std::size_t i = 0; i < payload.size(); ++i) {
    frame.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ key[i % 4]));
  }
  return frame;
}

std::string close_payload(std::uint16_t code, const std::string& reason = {}) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xff));
  return payload + reason;
}

// Connects, sends `frame` as raw bytes once welcomed, and returns the close code the server
// answered with (0 if it closed without a close frame, -1 if it did not close).
int answer_to(unsigned short port, const std::string& frame, bool compression = false) {
  WsTestClient client(port, {.compression = compression});
  client.client_id();
  client.send_raw(frame);
  return client.wait_close_code(15s);
}

TEST(CloseE2E, InvalidAndReservedCloseCodesAreAnswered1002) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  for (const std::uint16_t code : {5000, 65535, 1005, 999, 2999, 0, 1004, 1006, 1015, 1016}) {
    EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(code))), 1002) << code;
  }
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(5000, "bye"))), 1002);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

TEST(CloseE2E, ValidCloseCodesAreEchoed) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  for (const std::uint16_t code : {1000, 1001, 1003, 1011, 3000, 4000, 4999}) {
    EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(code))), code) << code;
  }
  // A close frame without a status code is answered 1000.
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, "")), 1000);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

TEST(CloseE2E, AReasonThatIsNotUtf8IsAnswered1007AndAUtf8ReasonClosesNormally) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(1000, "\xc3\x28"))), 1007);
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(4001, "ok \xed\xa0\x80"))),
            1007);
  EXPECT_EQ(answer_to(gateway.port(),
                      client_frame(0x8, close_payload(1001, "f\xc3\xa9rie \xe2\x82\xac"))),
            1001);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

TEST(CloseE2E, AOneBytePayloadAndAnUnmaskedCloseFrameAreAnswered1002) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, std::string(1, '\x03'))), 1002);
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(1000), std::nullopt)), 1002);
  // Unmasked and with a reason that is not UTF-8: the missing mask is the error answered.
  EXPECT_EQ(
      answer_to(gateway.port(), client_frame(0x8, close_payload(1000, "\xc3\x28"), std::nullopt)),
      1002);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

// Control frames are never compressed: with permessage-deflate negotiated the same answers hold,
// and a ping and a text message ahead of the close are served as usual.
TEST(CloseE2E, TheSameAnswersHoldWithPermessageDeflate) {
  TestTopics topics(1);
  GatewayProcess gateway(topics);
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(5000)), true), 1002);
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(1000, "\xc3\x28")), true),
            1007);
  EXPECT_EQ(answer_to(gateway.port(), client_frame(0x8, close_payload(3000)), true), 3000);

  WsTestClient client(gateway.port(), {.compression = true});
  client.client_id();
  std::size_t cursor = 0;
  client.send_raw(client_frame(0x9, "hi") + client_frame(0x1, R"({"type":"ping"})") +
                  client_frame(0x8, close_payload(1000, "\xff")));
  EXPECT_TRUE(client.next_of_type("pong", cursor).has_value());
  ASSERT_TRUE(client.wait_closed(15s));
  EXPECT_EQ(client.close_info()->code, 1007);
  EXPECT_TRUE(eventually([&] { return active_clients(gateway.port()) == 0; }, 15s));
}

}  // namespace
}  // namespace iiot::e2e

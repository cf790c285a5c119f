// Security end to end (CONTRACT section 7): tokens at the handshake (401 before any upgrade,
// header or query), scope narrowing enforced by the gateway, admin tokens on /stats and
// /metrics, expiry (4001) and refresh, the message rate limit (rate_limited, then 1008), and
// tokens kept out of /stats, /metrics and the gateway's log.
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "auth/test_token_signer.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;

// Tokens and their SHA-256 digests (computed with `printf %s TOKEN | sha256sum`).
constexpr const char* kScreenToken = "tok-screen-hall1-7f3a";
constexpr const char* kScreenDigest =
    "b71643dbf858672d601a31c89a86b163946438dd3fd0df5550e3057e3fbde308";
constexpr const char* kOpsToken = "tok-ops-all-91c2";
constexpr const char* kOpsDigest =
    "3849e4ef1816fb727b19ec7f2ae689be0e319751b98a73888d5888f136532824";
constexpr const char* kAdminToken = "tok-admin-3e55d";
constexpr const char* kAdminDigest =
    "ffcf20892056683ef31a00d32bf529878bbac3a675955c05c3a5d4417cfb1a27";

GatewaySettings token_mode(GatewaySettings settings = {}) {
  settings.auth["mode"] = "token";
  settings.auth["tokens"] = std::string("[{name: screen-1, sha256: \"") + kScreenDigest +
                            "\", scope: {device_ids: [dev-a, dev-b]}}, {name: ops, sha256: \"" +
                            kOpsDigest + "\"}]";
  return settings;
}

std::map<std::string, std::string> upgrade_headers() {
  return {{"Connection", "Upgrade"},
          {"Upgrade", "websocket"},
          {"Sec-WebSocket-Version", "13"},
          {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
}

HttpResponse upgrade_with(unsigned short port, const std::string& target,
                          std::optional<std::string> authorization) {
  auto headers = upgrade_headers();
  if (authorization) headers["Authorization"] = *authorization;
  return http_request(port, "GET", target, headers);
}

void expect_unauthorized(const HttpResponse& res, const std::string& what) {
  EXPECT_EQ(res.status, 401) << what << ": " << res.error << res.body;
  EXPECT_EQ(res.headers.count("upgrade"), 0U) << what;
  const auto it = res.headers.find("www-authenticate");
  ASSERT_NE(it, res.headers.end()) << what;
  EXPECT_EQ(it->second, R"(Bearer error="invalid_token")") << what;
}

std::vector<std::string> strings(const json::value& list) {
  std::vector<std::string> out;
  for (const auto& v : list.as_array()) out.emplace_back(v.as_string());
  return out;
}

TEST(AuthE2E, HandshakeWithoutOrWithABadTokenIs401WithoutUpgrade) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, token_mode());
  expect_unauthorized(upgrade_with(gateway.port(), "/ws", std::nullopt), "no token");
  expect_unauthorized(upgrade_with(gateway.port(), "/ws", "Bearer wrong-token"), "bad header");
  expect_unauthorized(upgrade_with(gateway.port(), "/ws?token=wrong-token", std::nullopt),
                      "bad query");
  expect_unauthorized(upgrade_with(gateway.port(), "/ws", std::string("Basic ") + kOpsToken),
                      "not a bearer");
  // The digest itself is not a token.
  expect_unauthorized(upgrade_with(gateway.port(), "/ws", std::string("Bearer ") + kOpsDigest),
                      "digest as token");
  try {
    WsTestClient refused(gateway.port(), {.bearer = "wrong-token"});
    ADD_FAILURE() << "a bad token was accepted";
  } catch (const HandshakeError& e) {
    EXPECT_EQ(e.status, 401) << e.what();
  }
  // Refused handshakes hold no connection slot; the HTTP endpoints stay open.
  EXPECT_EQ(active_clients(gateway.port()), 0);
  EXPECT_EQ(http_get(gateway.port(), "/health").status, 200);
  EXPECT_EQ(http_get(gateway.port(), "/ready").status, 200);
}

TEST(AuthE2E, TokenViaHeaderOrQueryOpensTheConnectionWithItsScope) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, token_mode());
  EXPECT_EQ(upgrade_with(gateway.port(), "/ws", std::string("Bearer ") + kOpsToken).status, 101);

  WsTestClient by_header(gateway.port(), {.bearer = kScreenToken});
  std::size_t cursor = 0;
  const auto welcome = by_header.next_of_type("welcome", cursor);
  ASSERT_TRUE(welcome);
  const json::object& data = welcome->at("data").as_object();
  EXPECT_EQ(strings(data.at("scope").at("device_ids")),
            (std::vector<std::string>{"dev-a", "dev-b"}));
  EXPECT_EQ(strings(data.at("filter").at("device_ids")),
            (std::vector<std::string>{"dev-a", "dev-b"}));

  WsTestClient by_query(gateway.port(), {.path = std::string("/ws?token=") + kOpsToken});
  cursor = 0;
  const auto open_welcome = by_query.next_of_type("welcome", cursor);
  ASSERT_TRUE(open_welcome);
  EXPECT_TRUE(open_welcome->at("data").at("scope").at("device_ids").as_array().empty());
  EXPECT_EQ(by_query.request(R"({"type":"ping"})", "pong").at("type").as_string(), "pong");
}

TEST(AuthE2E, ScopeNarrowsTheFilterAndTheGatewayEnforcesIt) {
  TestTopics topics(2);
  GatewayProcess gateway(topics, token_mode());
  WsTestClient scoped(gateway.port(), {.bearer = kScreenToken});
  WsTestClient narrowed(gateway.port(), {.bearer = kScreenToken});
  WsTestClient ops(gateway.port(), {.bearer = kOpsToken});
  scoped.client_id();
  ops.client_id();

  // Intersection per key; other keys pass through.
  const json::object ack = narrowed.request(
      R"({"type":"filter","data":{"device_ids":["dev-b","dev-c"],"types":["device_data"]}})",
      "filter_ack");
  EXPECT_EQ(strings(ack.at("data").at("device_ids")), std::vector<std::string>{"dev-b"});
  EXPECT_EQ(strings(ack.at("data").at("types")), std::vector<std::string>{"device_data"});

  // Asking only for what the scope excludes is forbidden and leaves the filter as it was.
  const json::object refused =
      narrowed.request(R"({"type":"filter","data":{"device_ids":["dev-c"]}})", "error");
  EXPECT_EQ(refused.at("data").at("code").as_string(), "forbidden");
  const json::object refused_empty =
      scoped.request(R"({"type":"filter","data":{"device_ids":["dev-z"]}})", "error");
  EXPECT_EQ(refused_empty.at("data").at("code").as_string(), "forbidden");

  RecordProducer producer;
  for (const char* device : {"dev-a", "dev-b", "dev-c"}) {
    producer.produce(topics.device_data, device, to_json(DeviceRecord{.device_id = device}));
  }
  producer.flush();
  ASSERT_TRUE(ops.wait_for_events(3, 30s));
  ASSERT_TRUE(scoped.wait_for_events(2, 30s));
  ASSERT_TRUE(narrowed.wait_for_events(1, 30s));
  // A ping answered after the events proves nothing more is on its way.
  scoped.request(R"({"type":"ping"})", "pong");
  narrowed.request(R"({"type":"ping"})", "pong");
  const auto scoped_keys = scoped.event_keys();
  EXPECT_EQ(std::set<std::string>(scoped_keys.begin(), scoped_keys.end()),
            (std::set<std::string>{device_key("dev-a", 0), device_key("dev-b", 0)}));
  EXPECT_EQ(narrowed.event_keys(), std::vector<std::string>{device_key("dev-b", 0)});
  EXPECT_EQ(ops.event_count(), 3U);
}

TEST(AuthE2E, AdminTokensGuardStatsAndMetricsOnly) {
  TestTopics topics(1);
  GatewaySettings settings;
  settings.auth["admin_tokens_sha256"] = std::string("[\"") + kAdminDigest + "\"]";
  GatewayProcess gateway(topics, settings);
  const std::map<std::string, std::string> admin{
      {"Authorization", std::string("Bearer ") + kAdminToken}};
  const std::map<std::string, std::string> wrong{{"Authorization", "Bearer not-admin"}};
  for (const char* path : {"/stats", "/metrics"}) {
    expect_unauthorized(http_request(gateway.port(), "GET", path), path);
    expect_unauthorized(http_request(gateway.port(), "GET", path, wrong), path);
    expect_unauthorized(
        http_request(gateway.port(), "GET", std::string(path) + "?token=" + kAdminToken), path);
    EXPECT_EQ(http_request(gateway.port(), "GET", path, admin).status, 200) << path;
  }
  EXPECT_EQ(http_get(gateway.port(), "/health").status, 200);
  EXPECT_EQ(http_get(gateway.port(), "/ready").status, 200);
  // WebSocket clients are not affected by admin tokens (auth.mode none).
  WsTestClient client(gateway.port());
  EXPECT_FALSE(client.client_id().empty());
}

// ---- JWT: expiry and refresh -------------------------------------------------------------------

const std::string kJwtSecret = "e2e-hmac-secret-0123456789abcdef-xyz";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string jwt_for(const std::string& subject, std::int64_t expires_in_s,
                    const std::string& secret = kJwtSecret) {
  return auth::testing::sign_jwt(
      "HS256", {{"sub", subject}, {"exp", unix_now() + expires_in_s}, {"iss", "e2e"}}, secret);
}

GatewaySettings jwt_mode() {
  GatewaySettings settings;
  const std::string secret_file = auth::testing::write_temp_file("e2e-jwt-secret", kJwtSecret);
  settings.auth["mode"] = "jwt";
  settings.auth["jwt"] =
      "{algorithms: [HS256], secret_file: \"" + secret_file + "\", issuer: e2e, leeway: 0s}";
  return settings;
}

std::string refresh_frame(const std::string& token) {
  return json::serialize(json::object{{"type", "refresh"}, {"data", {{"token", token}}}});
}

TEST(AuthE2E, ExpiredTokenClosesWith4001UnlessRefreshed) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, jwt_mode());
  expect_unauthorized(upgrade_with(gateway.port(), "/ws", "Bearer " + jwt_for("screen-9", -5)),
                      "expired at the handshake");
  expect_unauthorized(
      upgrade_with(gateway.port(), "/ws", "Bearer " + jwt_for("screen-9", 60, "other-secret")),
      "badly signed");

  WsTestClient lapsing(gateway.port(), {.bearer = jwt_for("screen-9", 3)});
  WsTestClient refreshed(gateway.port(), {.bearer = jwt_for("screen-9", 3)});
  WsTestClient bad_refresh(gateway.port(), {.bearer = jwt_for("screen-9", 3)});
  lapsing.client_id();

  const json::object ack =
      refreshed.request(refresh_frame(jwt_for("screen-9", 120)), "refresh_ack");
  EXPECT_TRUE(ack.at("data").at("expires_at").is_string());

  // Another subject's valid token, and a badly signed one, are refused; the connection stays.
  const json::object other = bad_refresh.request(refresh_frame(jwt_for("screen-10", 120)), "error");
  EXPECT_EQ(other.at("data").at("code").as_string(), "invalid_token");
  const json::object forged =
      bad_refresh.request(refresh_frame(jwt_for("screen-9", 120, "forged")), "error");
  EXPECT_EQ(forged.at("data").at("code").as_string(), "invalid_token");
  EXPECT_EQ(bad_refresh.request(R"({"type":"ping"})", "pong").at("type").as_string(), "pong");

  EXPECT_EQ(lapsing.wait_close_code(20s), 4001);
  EXPECT_EQ(lapsing.close_info()->reason, "token expired");
  EXPECT_EQ(bad_refresh.wait_close_code(20s), 4001);
  // Both lapsed at the same expiry: the refreshed one is still served.
  EXPECT_FALSE(refreshed.wait_closed(1s));
  EXPECT_EQ(refreshed.request(R"({"type":"ping"})", "pong").at("type").as_string(), "pong");
}

// ---- Message rate ------------------------------------------------------------------------------

TEST(AuthE2E, MessagesOverTheRateAreRefusedAndAFloodIsClosedWith1008) {
  TestTopics topics(1);
  GatewayProcess gateway(topics, {.websocket = {{"max_client_messages_per_second", "5"}}});
  WsTestClient client(gateway.port());
  client.client_id();
  // Burst of 2 x 5: a quick run of 30 pings gets at most about 10 pongs, the rest rate_limited.
  for (int i = 0; i < 30; ++i) client.send_text(R"({"type":"ping"})");
  const auto answered = [](const std::vector<ReceivedFrame>& frames) {
    std::size_t n = 0;
    for (const auto& f : frames) n += f.type == "pong" || f.type == "error" ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(client.wait_until([&](const auto& frames) { return answered(frames) == 30; }, 20s));
  std::size_t pongs = 0;
  std::size_t limited = 0;
  for (const auto& frame : client.frames()) {
    if (frame.type == "pong") ++pongs;
    if (frame.type == "error" &&
        parse_frame(frame.text).at("data").at("code").as_string() == "rate_limited") {
      ++limited;
    }
  }
  EXPECT_GE(pongs, 10U);
  EXPECT_LE(pongs, 15U);
  EXPECT_EQ(pongs + limited, 30U);

  // Far over ten times the rate, for longer than five seconds: closed with 1008.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!client.wait_closed(0ms) && std::chrono::steady_clock::now() < deadline) {
    try {
      client.send_text(R"({"type":"ping"})");
    } catch (const std::runtime_error&) {
      break;  // the server closed while we were writing
    }
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(client.wait_close_code(20s), 1008);
}

// ---- Tokens never leak -------------------------------------------------------------------------

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AuthE2E, TokensNeverAppearInStatsMetricsOrTheLog) {
  TestTopics topics(1);
  GatewaySettings settings = token_mode();
  settings.auth["admin_tokens_sha256"] = std::string("[\"") + kAdminDigest + "\"]";
  settings.log_level = "debug";  // the most the gateway ever writes
  GatewayProcess gateway(topics, settings);
  const std::string bad_query_token = "leaked-query-secret-5d1e";
  const std::string bad_header_token = "leaked-header-secret-0c9b";
  const std::string bad_refresh_token = "leaked-refresh-secret-77aa";

  WsTestClient by_query(gateway.port(), {.path = std::string("/ws?token=") + kOpsToken});
  WsTestClient by_header(gateway.port(), {.bearer = kScreenToken});
  by_query.client_id();
  by_header.client_id();
  expect_unauthorized(upgrade_with(gateway.port(), "/ws?token=" + bad_query_token, std::nullopt),
                      "bad query");
  expect_unauthorized(upgrade_with(gateway.port(), "/ws", "Bearer " + bad_header_token),
                      "bad header");
  const json::object refused = by_header.request(refresh_frame(bad_refresh_token), "error");
  EXPECT_EQ(refused.at("data").at("code").as_string(), "invalid_token");
  EXPECT_EQ(refused.at("data").at("message").as_string().find(bad_refresh_token),
            json::string::npos);
  EXPECT_EQ(http_request(gateway.port(), "GET", "/stats?token=" + bad_query_token).status, 401);

  const std::map<std::string, std::string> admin{
      {"Authorization", std::string("Bearer ") + kAdminToken}};
  const HttpResponse stats = http_request(gateway.port(), "GET", "/stats", admin);
  const HttpResponse metrics = http_request(gateway.port(), "GET", "/metrics", admin);
  ASSERT_EQ(stats.status, 200);
  ASSERT_EQ(metrics.status, 200);
  EXPECT_NE(stats.body.find("\"active_clients\":2"), std::string::npos) << stats.body;

  by_query.close();
  by_header.close();
  const std::optional<test_support::ExitStatus> exit = gateway.terminate();
  ASSERT_TRUE(exit && exit->exited_ok()) << "the gateway did not stop cleanly";
  const std::string log = read_file(gateway.log_path());
  ASSERT_FALSE(log.empty());
  for (const std::string& secret :
       {std::string(kOpsToken), std::string(kScreenToken), std::string(kAdminToken),
        bad_query_token, bad_header_token, bad_refresh_token}) {
    EXPECT_EQ(stats.body.find(secret), std::string::npos) << secret;
    EXPECT_EQ(metrics.body.find(secret), std::string::npos) << secret;
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
}

}  // namespace
}  // namespace iiot::e2e

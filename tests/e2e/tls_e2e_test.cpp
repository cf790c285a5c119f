// TLS and mutual TLS on the gateway's port (CONTRACT section 7, websocket.tls), end to end: a
// throwaway PKI made with the openssl command; wss:// clients receive records produced to Kafka;
// the HTTP endpoints answer over https://; plain clients, clients that do not trust the
// gateway's CA, and (with client_ca_file) clients without a certificate of that CA are refused;
// a stalled handshake times out without holding anyone else up; bin/websocket_client speaks
// wss:// with --ca-file, --cert and --key; bad certificate and key files stop the start with the
// file named.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "support/child_process.h"
#include "test_records.h"
#include "tls_test_client.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

std::string quoted(const std::string& s) {
  return "\"" + s + "\"";
}

std::string tls_block(const TestPki& pki, const std::string& extra = "") {
  return "{enabled: true, cert_file: " + quoted(pki.server_cert()) +
         ", key_file: " + quoted(pki.server_key()) + extra + "}";
}

// A gateway on TLS whose readiness is asked over https with `files`.
GatewaySettings tls_settings(const std::string& block, const TlsClientFiles& files) {
  GatewaySettings settings;
  settings.websocket["tls"] = block;
  settings.websocket["handshake_timeout"] = quoted("2s");
  settings.probe = [files](unsigned short port, const std::string& target) {
    return https_get(port, target, files, std::chrono::seconds(5)).status;
  };
  return settings;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Produces device-data records of `device` until a wss client sees one, and returns the frame.
std::optional<json::object> receive_device_data(WssTestClient& client, RecordProducer& producer,
                                                const TestTopics& topics,
                                                const std::string& device) {
  std::size_t seq = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    DeviceRecord record;
    record.device_id = device;
    record.seq = ++seq;
    producer.produce(topics.device_data, device, to_json(record));
    producer.flush();
    const auto text = client.next_text(std::chrono::seconds(10));
    if (!text) return std::nullopt;
    json::object frame = parse_frame(*text);
    while (frame_type(frame) != "device_data") {
      const auto next = client.next_text(std::chrono::seconds(10));
      if (!next) return std::nullopt;
      frame = parse_frame(*next);
    }
    if (frame.at("data").at("device").at("device_id").as_string() == device) return frame;
  }
  return std::nullopt;
}

// Runs bin/websocket_client with args until it exits, producing a record of `device` every
// 200 ms meanwhile (it only sees records produced while it is connected). Returns its exit status
// and its output.
std::pair<test_support::ExitStatus, std::string> run_example_client(std::vector<std::string> args,
                                                                    RecordProducer& producer,
                                                                    const TestTopics& topics,
                                                                    const std::string& device,
                                                                    const std::string& log_path) {
  args.insert(args.begin(), IIOT_WEBSOCKET_CLIENT_BIN);
  test_support::ChildProcess child(args, log_path);
  std::uint64_t seq = 0;
  std::optional<test_support::ExitStatus> status;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!(status = child.wait(std::chrono::milliseconds(200))) &&
         std::chrono::steady_clock::now() < deadline) {
    DeviceRecord record;
    record.device_id = device;
    record.seq = ++seq;
    producer.produce(topics.device_data, device, to_json(record));
    producer.flush();
  }
  if (!status) {
    child.kill();
    status = child.status();
  }
  return {*status, read_file(log_path)};
}

// A TCP connection that sends nothing: a TLS handshake that never starts.
class SilentConnection {
 public:
  explicit SilentConnection(unsigned short port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval limit{30, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  ~SilentConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  // Blocks until the server closes the connection (true) or 30 s pass (false).
  bool closed_by_server() {
    char byte = 0;
    return ::recv(fd_, &byte, 1, 0) == 0;
  }

 private:
  int fd_;
  bool connected_ = false;
};

TEST(TlsE2e, WssAndHttpsServeOnlyClientsThatSpeakTls) {
  const TestPki pki;
  const TestTopics topics(1);
  const TlsClientFiles trusting{pki.ca_cert()};
  GatewayProcess gateway(topics, tls_settings(tls_block(pki), trusting));
  const unsigned short port = gateway.port();

  // Held open without a byte sent while everything below is served.
  SilentConnection silent(port);
  ASSERT_TRUE(silent.connected());

  const HttpResponse health = https_get(port, "/health", trusting);
  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_NE(health.body.find("\"status\""), std::string::npos) << health.body;
  EXPECT_EQ(https_get(port, "/ready", trusting).status, 200);
  EXPECT_EQ(https_get(port, "/metrics", trusting).status, 200);
  const HttpResponse dashboard = https_get(port, "/", trusting);
  EXPECT_EQ(dashboard.status, 200) << dashboard.error;
  EXPECT_EQ(https_get(port, "/nowhere", trusting).status, 404);

  RecordProducer producer;
  {
    WssTestClient client(port, trusting);
    const auto welcome = client.next_text(std::chrono::seconds(10));
    ASSERT_TRUE(welcome);
    EXPECT_EQ(frame_type(parse_frame(*welcome)), "welcome");
    const auto frame = receive_device_data(client, producer, topics, "tls-dev-1");
    ASSERT_TRUE(frame) << "no device_data over wss://";
    EXPECT_EQ(frame->at("data").at("device").at("device_type").as_string(), "sensor");
  }
  {
    // min_version 1.2 (the default) lets a TLS 1.2 client in.
    TlsClientFiles tls12 = trusting;
    tls12.tls12_only = true;
    EXPECT_EQ(https_get(port, "/health", tls12).status, 200);
  }

  // A plain client gets no answer on the TLS port: no upgrade, no HTTP.
  EXPECT_THROW(WsTestClient plain(port), std::exception);
  const HttpResponse plain_http = http_get(port, "/health");
  EXPECT_EQ(plain_http.status, 0) << plain_http.body;

  // A client that does not trust the gateway's CA refuses it.
  const HttpResponse untrusting = https_get(port, "/health", TlsClientFiles{pki.other_ca_cert()});
  EXPECT_EQ(untrusting.status, 0);
  EXPECT_NE(untrusting.error.find("TLS handshake"), std::string::npos) << untrusting.error;

  // The silent connection is closed once handshake_timeout has passed.
  EXPECT_TRUE(silent.closed_by_server());

  // The plain attempts and the timed-out handshake are counted.
  const HttpResponse stats = https_get(port, "/stats", trusting);
  ASSERT_EQ(stats.status, 200) << stats.error;
  EXPECT_GE(stat_value(json::parse(stats.body).as_object(), "tls_handshake_failures"), 3);

  // The example client, verifying the gateway with --ca-file.
  const std::string log_dir = fs::path(gateway.log_path()).parent_path().string();
  const auto [good, good_output] = run_example_client(
      {"--addr", "wss://localhost:" + std::to_string(port) + "/ws", "--ca-file", pki.ca_cert(),
       "--json", "--count", "1", "--no-reconnect", "--device-ids", "tls-dev-cli"},
      producer, topics, "tls-dev-cli", log_dir + "/client-good.log");
  EXPECT_TRUE(good.exited_ok()) << good.describe() << "\n" << good_output;
  EXPECT_NE(good_output.find("\"device_id\":\"tls-dev-cli\""), std::string::npos) << good_output;

  // ... and refusing it when given another CA.
  const auto [bad, bad_output] =
      run_example_client({"--addr", "wss://localhost:" + std::to_string(port), "--ca-file",
                          pki.other_ca_cert(), "--no-reconnect"},
                         producer, topics, "tls-dev-cli", log_dir + "/client-bad.log");
  EXPECT_EQ(bad.code, 1) << bad.describe() << "\n" << bad_output;
  EXPECT_NE(bad_output.find("certificate"), std::string::npos) << bad_output;

  const auto exit = gateway.terminate();
  ASSERT_TRUE(exit && exit->exited_ok()) << "the gateway did not stop cleanly";
}

TEST(TlsE2e, ClientCaFileAdmitsOnlyClientsWithACertificateItSigned) {
  const TestPki pki;
  const TestTopics topics(1);
  const TlsClientFiles good{pki.ca_cert(), pki.client_cert(), pki.client_key()};
  const TlsClientFiles no_cert{pki.ca_cert()};
  const TlsClientFiles foreign_cert{pki.ca_cert(), pki.other_client_cert(), pki.other_client_key()};
  GatewayProcess gateway(topics,
                         tls_settings(tls_block(pki, ", client_ca_file: " + quoted(pki.ca_cert()) +
                                                         ", min_version: \"1.3\""),
                                      good));
  const unsigned short port = gateway.port();

  EXPECT_EQ(https_get(port, "/health", good).status, 200);
  EXPECT_EQ(https_get(port, "/health", no_cert).status, 0);
  EXPECT_EQ(https_get(port, "/health", foreign_cert).status, 0);
  EXPECT_THROW(WssTestClient refused(port, no_cert), std::runtime_error);
  EXPECT_THROW(WssTestClient refused(port, foreign_cert), std::runtime_error);
  // min_version 1.3: a TLS 1.2 client is refused even with a good certificate.
  TlsClientFiles tls12 = good;
  tls12.tls12_only = true;
  EXPECT_EQ(https_get(port, "/health", tls12).status, 0);

  RecordProducer producer;
  {
    WssTestClient client(port, good);
    const auto frame = receive_device_data(client, producer, topics, "mtls-dev-1");
    ASSERT_TRUE(frame) << "no device_data for the client with a good certificate";
  }

  const HttpResponse stats = https_get(port, "/stats", good);
  ASSERT_EQ(stats.status, 200) << stats.error;
  EXPECT_GE(stat_value(json::parse(stats.body).as_object(), "tls_handshake_failures"), 5);

  const std::string log_dir = fs::path(gateway.log_path()).parent_path().string();
  const auto [with_cert, with_cert_output] = run_example_client(
      {"--addr", "wss://127.0.0.1:" + std::to_string(port), "--ca-file", pki.ca_cert(), "--cert",
       pki.client_cert(), "--key", pki.client_key(), "--json", "--count", "1", "--no-reconnect",
       "--device-ids", "mtls-dev-cli"},
      producer, topics, "mtls-dev-cli", log_dir + "/client-cert.log");
  EXPECT_TRUE(with_cert.exited_ok()) << with_cert.describe() << "\n" << with_cert_output;
  EXPECT_NE(with_cert_output.find("\"device_id\":\"mtls-dev-cli\""), std::string::npos)
      << with_cert_output;

  const auto [without, without_output] =
      run_example_client({"--addr", "wss://localhost:" + std::to_string(port), "--ca-file",
                          pki.ca_cert(), "--no-reconnect"},
                         producer, topics, "mtls-dev-cli", log_dir + "/client-nocert.log");
  EXPECT_EQ(without.code, 1) << without.describe() << "\n" << without_output;
}

// One start of bin/consumer (or --check-config) with websocket.tls set to `block`; no broker is
// needed since certificate and key files are judged before anything starts.
std::pair<test_support::ExitStatus, std::string> start_with(const std::string& dir,
                                                            const std::string& block,
                                                            bool check_only) {
  const std::string config = dir + "/config.yaml";
  {
    std::ofstream out(config);
    out << "websocket:\n  host: \"127.0.0.1\"\n  port: " << free_port() << "\n  tls: " << block
        << "\nkafka:\n  brokers: [\"" << test_brokers() << "\"]\n";
  }
  std::vector<std::string> args{IIOT_CONSUMER_BIN, "-c", config};
  if (check_only) args.emplace_back("--check-config");
  const std::string log = dir + "/start.log";
  fs::remove(log);
  test_support::ChildProcess child(args, log);
  auto status = child.wait(std::chrono::seconds(30));
  if (!status) {
    child.kill();
    status = child.status();
  }
  return {*status, read_file(log)};
}

TEST(TlsE2e, BadCertificateOrKeyFilesStopTheStartNamingTheFile) {
  const TestPki pki;
  const std::string dir = fs::path(pki.ca_cert()).parent_path().string();
  const std::string garbage = pki.path("garbage.pem");
  std::ofstream(garbage) << "not a certificate\n";
  const std::string missing = pki.path("missing.key");

  struct Case {
    std::string block;
    std::string key;   // the config key the message must name
    std::string file;  // the file the message must name
  };
  const std::vector<Case> cases = {
      {"{enabled: true, cert_file: " + quoted(pki.server_cert()) +
           ", key_file: " + quoted(missing) + "}",
       "websocket.tls.key_file", missing},
      {"{enabled: true, cert_file: " + quoted(pki.server_cert()) +
           ", key_file: " + quoted(pki.stray_key()) + "}",
       "websocket.tls.key_file", pki.stray_key()},
      {"{enabled: true, cert_file: " + quoted(pki.server_cert()) +
           ", key_file: " + quoted(pki.client_key()) + "}",
       "websocket.tls.key_file", pki.client_key()},
      {"{enabled: true, cert_file: " + quoted(pki.server_cert()) +
           ", key_file: " + quoted(garbage) + "}",
       "websocket.tls.key_file", garbage},
      {"{enabled: true, cert_file: " + quoted(garbage) + ", key_file: " + quoted(pki.server_key()) +
           "}",
       "websocket.tls.cert_file", garbage},
      {"{enabled: true, cert_file: " + quoted(pki.server_cert()) +
           ", key_file: " + quoted(pki.server_key()) + ", client_ca_file: " + quoted(garbage) + "}",
       "websocket.tls.client_ca_file", garbage},
  };
  for (const Case& c : cases) {
    for (const bool check_only : {false, true}) {
      const auto [status, output] = start_with(dir, c.block, check_only);
      EXPECT_FALSE(status.exited_ok()) << c.block;
      EXPECT_EQ(status.signal, 0) << c.block;
      EXPECT_NE(output.find(c.key), std::string::npos) << output;
      EXPECT_NE(output.find(c.file), std::string::npos) << output;
    }
  }
  // The same files, correct, pass --check-config.
  const auto [ok, ok_output] =
      start_with(dir, tls_block(pki, ", client_ca_file: " + quoted(pki.ca_cert())), true);
  EXPECT_TRUE(ok.exited_ok()) << ok_output;
}

}  // namespace
}  // namespace iiot::e2e

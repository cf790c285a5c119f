// deploy/haproxy.cfg in front of two bin/consumer instances, each in its own consumer group
// (group_id with {port}): every client through HAProxy gets every matching event whichever
// instance it landed on; when one instance is killed with SIGKILL its clients reconnect through
// HAProxy, land on the other one and keep receiving; bin/websocket_client --resume resumes there
// with its cursor and misses nothing of what was produced while it was away.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json/object.hpp>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "delivery_check.h"
#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "support/child_process.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kHaproxy = "/usr/sbin/haproxy";

std::string replace_once(std::string text, const std::string& from, const std::string& to) {
  const auto pos = text.find(from);
  if (pos == std::string::npos) throw std::runtime_error("template lacks: " + from);
  return text.replace(pos, from.size(), to);
}

// deploy/haproxy.cfg with the ports of this test: its own global section (foreground, no
// chroot or user switch, log to stderr), the template's frontend bound to 127.0.0.1:proxy_port
// and its two servers pointing at the two gateways. Everything else is the template's.
std::string haproxy_config(unsigned short proxy_port, unsigned short gw1, unsigned short gw2) {
  std::ifstream in(IIOT_HAPROXY_TEMPLATE);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  const auto global = text.find("\nglobal\n");
  const auto defaults = text.find("\ndefaults\n");
  if (global == std::string::npos || defaults == std::string::npos) {
    throw std::runtime_error("deploy/haproxy.cfg: no global or defaults section");
  }
  text.replace(global, defaults - global,
               "\nglobal\n    log stderr format raw local0 info\n    maxconn 1000\n");
  text = replace_once(text, "bind *:8080", "bind 127.0.0.1:" + std::to_string(proxy_port));
  text = replace_once(text, "127.0.0.1:8081", "127.0.0.1:" + std::to_string(gw1));
  text = replace_once(text, "127.0.0.1:8082", "127.0.0.1:" + std::to_string(gw2));
  return text;
}

class Haproxy {
 public:
  Haproxy(unsigned short gw1, unsigned short gw2) : port_(free_port()) {
    dir_ = fs::temp_directory_path() / unique_name("iiot-haproxy");
    fs::create_directories(dir_);
    std::ofstream(dir_ / "haproxy.cfg") << haproxy_config(port_, gw1, gw2);
    child_ = std::make_unique<test_support::ChildProcess>(
        std::vector<std::string>{kHaproxy, "-db", "-f", (dir_ / "haproxy.cfg").string()},
        (dir_ / "haproxy.log").string());
  }
  ~Haproxy() {
    child_->kill();
    if (!::testing::Test::HasFailure()) {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    } else {
      std::fprintf(stderr, "---- haproxy log ----\n%s\n", log().c_str());
    }
  }
  Haproxy(const Haproxy&) = delete;
  Haproxy& operator=(const Haproxy&) = delete;

  unsigned short port() const { return port_; }
  bool running() { return child_->running(); }
  std::string log() const {
    std::ifstream in(dir_ / "haproxy.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  unsigned short port_;
  fs::path dir_;
  std::unique_ptr<test_support::ChildProcess> child_;
};

// The keys of the events a batch becomes: all of them, and those of device "ha-1" alone.
struct Batch {
  std::vector<std::string> all;
  std::vector<std::string> device_1;
};

// Produces `count` device records (seq from first_seq) over four devices and an alert for every
// seventh.
Batch produce_batch(const TestTopics& topics, std::uint64_t first_seq, int count) {
  RecordProducer producer;
  Batch batch;
  for (int i = 0; i < count; ++i) {
    const std::uint64_t seq = first_seq + static_cast<std::uint64_t>(i);
    const std::string id = "ha-" + std::to_string(seq % 4);
    std::vector<std::string> keys;
    producer.produce(topics.device_data, id, to_json(DeviceRecord{.device_id = id, .seq = seq}));
    keys.push_back(device_key(id, seq));
    if (seq % 7 == 0) {
      const std::string alert_id = "ha-al-" + std::to_string(seq);
      producer.produce(topics.alerts, id,
                       to_json(AlertRecord{.alert_id = alert_id, .device_id = id}));
      keys.push_back(alert_key(alert_id));
    }
    for (auto& k : keys) {
      if (id == "ha-1") batch.device_1.push_back(k);
      batch.all.push_back(std::move(k));
    }
  }
  producer.flush();
  return batch;
}

// The keys of `received` that are in `wanted`, as a sorted list (for describe_difference).
std::vector<std::string> received_of(const std::vector<std::string>& received,
                                     const std::set<std::string>& wanted) {
  std::vector<std::string> out;
  for (const auto& k : received) {
    if (wanted.contains(k)) out.push_back(k);
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The client receives every event of keys, once each.
void expect_all(WsTestClient& client, std::vector<std::string> keys, const std::string& who) {
  const std::set<std::string> wanted(keys.begin(), keys.end());
  eventually([&] { return received_of(client.event_keys(), wanted).size() >= wanted.size(); }, 60s,
             50ms);
  std::sort(keys.begin(), keys.end());
  const auto got = received_of(client.event_keys(), wanted);
  EXPECT_EQ(got, keys) << who << ": " << describe_difference(keys, got);
}

// Every event the client received is one of keys (a filtered client gets nothing else).
void expect_only(WsTestClient& client, const std::vector<std::string>& keys,
                 const std::string& who) {
  const std::set<std::string> allowed(keys.begin(), keys.end());
  for (const auto& k : client.event_keys()) {
    EXPECT_TRUE(allowed.contains(k)) << who << " received " << k;
  }
}

// One configuration for both instances: the group id differs by {port}. "latest": each instance
// starts at the end of the stream, as a service does.
GatewaySettings instance_settings() {
  return {.kafka = {{"group_id", "\"" + unique_name("ha") + "-{port}\""},
                    {"auto_offset_reset", "\"latest\""}}};
}

// Both servers pass the /ready check before clients arrive.
void wait_until_both_serve(GatewayProcess& gw1, GatewayProcess& gw2, Haproxy& proxy) {
  ASSERT_TRUE(eventually(
      [&] {
        return get_stats(gw1.port()).at("kafka").at("partitions_assigned").to_number<int>() == 4 &&
               get_stats(gw2.port()).at("kafka").at("partitions_assigned").to_number<int>() == 4 &&
               http_get(proxy.port(), "/ready").status == 200;
      },
      60s, 100ms))
      << proxy.log();
  std::this_thread::sleep_for(5s);  // two check intervals: both servers are up in HAProxy
}

TEST(HaproxyFailover, EveryClientGetsEveryEventAndSurvivesAnInstanceKill) {
  if (!fs::exists(kHaproxy)) {
    GTEST_SKIP() << kHaproxy << " is absent: install Debian's haproxy package "
                 << "(scripts/install-deps.sh) to run this test";
  }
  TestTopics topics(2);
  const GatewaySettings settings = instance_settings();
  auto gw1 = std::make_unique<GatewayProcess>(topics, settings);
  GatewayProcess gw2(topics, settings);
  Haproxy proxy(gw1->port(), gw2.port());
  wait_until_both_serve(*gw1, gw2, proxy);

  // leastconn spreads them over both instances; one client filters on one device.
  constexpr int kClients = 6;
  std::vector<std::unique_ptr<WsTestClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<WsTestClient>(proxy.port()));
    clients.back()->client_id();
  }
  clients[5]->request(R"({"type":"filter","data":{"device_ids":["ha-1"]}})", "filter_ack");
  const auto on_gw1 = get_stats(gw1->port()).at("active_clients").to_number<int>();
  const auto on_gw2 = get_stats(gw2.port()).at("active_clients").to_number<int>();
  EXPECT_EQ(on_gw1 + on_gw2, kClients);
  EXPECT_GT(on_gw1, 0) << "HAProxy sent every client to one instance";
  EXPECT_GT(on_gw2, 0) << "HAProxy sent every client to one instance";

  const Batch first = produce_batch(topics, 0, 60);
  for (int i = 0; i < 5; ++i) expect_all(*clients[i], first.all, "client " + std::to_string(i));
  expect_all(*clients[5], first.device_1, "filtered client");
  expect_only(*clients[5], first.device_1, "filtered client");

  // Kill one instance outright; its clients lose their connection.
  gw1->process().kill();
  std::vector<int> orphaned;
  for (int i = 0; i < kClients; ++i) {
    if (clients[i]->wait_closed(i == 0 ? 20s : 2s)) orphaned.push_back(i);
  }
  EXPECT_EQ(static_cast<int>(orphaned.size()), on_gw1);

  // They reconnect through HAProxy (redispatched while the dead server is still being
  // checked) and land on the survivor; the others never noticed.
  for (const int i : orphaned) {
    clients[i] = std::make_unique<WsTestClient>(proxy.port());
    clients[i]->client_id();
    if (i == 5) {
      clients[i]->request(R"({"type":"filter","data":{"device_ids":["ha-1"]}})", "filter_ack");
    }
  }
  EXPECT_EQ(get_stats(gw2.port()).at("active_clients").to_number<int>(), kClients);

  const Batch second = produce_batch(topics, 1000, 60);
  for (int i = 0; i < 5; ++i) {
    expect_all(*clients[i], second.all, "client " + std::to_string(i) + " after the kill");
  }
  expect_all(*clients[5], second.device_1, "filtered client after the kill");
  std::vector<std::string> both = first.device_1;
  both.insert(both.end(), second.device_1.begin(), second.device_1.end());
  expect_only(*clients[5], both, "filtered client");
}

// What bin/websocket_client --json printed: how often each event key came, and which came as a
// replay.
struct PrintedEvents {
  std::map<std::string, int> count;
  std::set<std::string> replayed;
};

PrintedEvents printed_events(const std::string& log_path) {
  std::ifstream in(log_path);
  PrintedEvents events;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line.front() != '{') continue;  // stderr's notes share the log
    const boost::json::object frame = parse_frame(line);
    const auto key = event_key(frame);
    if (!key) continue;
    ++events.count[*key];
    if (const auto* replay = frame.if_contains("replay");
        replay && replay->is_bool() && replay->as_bool()) {
      events.replayed.insert(*key);
    }
  }
  return events;
}

std::string log_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool printed_all(const std::string& log_path, const std::vector<std::string>& keys) {
  const PrintedEvents events = printed_events(log_path);
  return std::all_of(keys.begin(), keys.end(),
                     [&](const std::string& k) { return events.count.contains(k); });
}

// CONTRACT section 8 behind a load balancer: the example client with --resume loses its instance
// to SIGKILL while it is stopped; what is produced meanwhile is consumed by the other instance
// only. Continued, the client reconnects through HAProxy, lands on the survivor and resumes with
// the cursor of the dead one: it gets those records as replays, then live ones, each once.
TEST(HaproxyFailover, AResumingClientMissesNothingAcrossAnInstanceKill) {
  if (!fs::exists(kHaproxy)) {
    GTEST_SKIP() << kHaproxy << " is absent: install Debian's haproxy package "
                 << "(scripts/install-deps.sh) to run this test";
  }
  TestTopics topics(2);
  GatewaySettings settings = instance_settings();
  settings.resume["checkpoint_interval"] = "\"100ms\"";
  auto gw1 = std::make_unique<GatewayProcess>(topics, settings);
  auto gw2 = std::make_unique<GatewayProcess>(topics, settings);
  Haproxy proxy(gw1->port(), gw2->port());
  wait_until_both_serve(*gw1, *gw2, proxy);

  const fs::path log = fs::temp_directory_path() / (unique_name("iiot-ha-resume") + ".log");
  test_support::ChildProcess client(
      {IIOT_WEBSOCKET_CLIENT_BIN, "--addr", "127.0.0.1:" + std::to_string(proxy.port()), "--resume",
       "--json", "--backoff-max", "1s"},
      log.string());
  std::unique_ptr<GatewayProcess>* serving = nullptr;
  ASSERT_TRUE(eventually(
      [&] {
        for (auto* gw : {&gw1, &gw2}) {
          if (get_stats((*gw)->port()).at("active_clients").to_number<int>() == 1) serving = gw;
        }
        return serving != nullptr;
      },
      30s, 50ms));
  GatewayProcess& survivor = serving == &gw1 ? *gw2 : *gw1;

  const Batch before = produce_batch(topics, 0, 60);
  ASSERT_TRUE(eventually([&] { return printed_all(log.string(), before.all); }, 60s, 50ms))
      << log_text(log);
  std::this_thread::sleep_for(500ms);  // a checkpoint after the last of them (every 100 ms)

  client.signal(SIGSTOP);
  (*serving)->process().kill();
  const std::int64_t consumed = stat_value(get_stats(survivor.port()), "total_messages");
  const Batch during = produce_batch(topics, 1000, 60);
  // The survivor has pushed them (to nobody: it has no client) before the client is back, so they
  // can reach the client only as replays.
  wait_settled(survivor.port(), consumed + static_cast<std::int64_t>(during.all.size()),
               [] { return std::int64_t{0}; });
  client.signal(SIGCONT);

  ASSERT_TRUE(eventually(
      [&] { return get_stats(survivor.port()).at("active_clients").to_number<int>() == 1; }, 60s,
      50ms))
      << log_text(log);
  const Batch after = produce_batch(topics, 2000, 60);
  std::vector<std::string> all = before.all;
  all.insert(all.end(), during.all.begin(), during.all.end());
  all.insert(all.end(), after.all.begin(), after.all.end());
  EXPECT_TRUE(eventually([&] { return printed_all(log.string(), all); }, 60s, 50ms));

  const PrintedEvents events = printed_events(log.string());
  for (const auto& key : all) {
    EXPECT_EQ(events.count.contains(key) ? events.count.at(key) : 0, 1) << key;
  }
  for (const auto& key : during.all) {
    EXPECT_TRUE(events.replayed.contains(key)) << key << " was not a replay";
  }
  EXPECT_EQ(events.count.size(), all.size()) << "events that were never produced";
  client.signal(SIGTERM);
  EXPECT_TRUE(client.wait(10s).has_value());
  if (!::testing::Test::HasFailure()) fs::remove(log);
}

}  // namespace
}  // namespace iiot::e2e

// resume_replay_bench: how fast one resuming client is replayed its gap (CONTRACT section 8),
// from the in-memory ring and from Kafka (a gateway without a ring), with and without the
// per-client rate limit, how long until it is live, and what a replay does to a live client's
// latency meanwhile. Prints the figures; asserts nothing (docs/performance.md, "Replay").
//
//   build/release/tests/e2e/resume_replay_bench [records] [partitions]
//
// Runs against the broker of scripts/kafka.sh (IIOT_TEST_BROKERS), each run on its own topics,
// with bin/consumer as a child process, like the end-to-end tests.
#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "delivery_check.h"
#include "gateway_process.h"
#include "kafka_fixture.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// The cursor that names no partition: replay every partition from its earliest record.
constexpr const char* kFromTheStart = "MQ";  // base64url of "1"
constexpr int kDevices = 1000;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto i = static_cast<std::size_t>(std::lround(p * static_cast<double>(values.size() - 1)));
  return values[i];
}

// Round trips producer -> Kafka -> gateway -> live client, one record at a time, while `busy`.
std::vector<double> live_round_trips(const TestTopics& topics, WsTestClient& live,
                                     const std::atomic<bool>& busy, std::uint64_t& seq) {
  RecordProducer producer;
  std::vector<double> millis;
  while (busy.load()) {
    const std::size_t before = live.event_count();
    const auto sent = Clock::now();
    producer.produce(topics.device_data, "live",
                     to_json(DeviceRecord{.device_id = "live", .seq = seq++}));
    producer.flush();
    if (!live.wait_for_events(before + 1, 10s)) break;
    millis.push_back(1000 * seconds_since(sent));
    std::this_thread::sleep_for(20ms);
  }
  return millis;
}

struct RunResult {
  std::uint64_t replayed = 0;
  bool recovered = false;
  double seconds = 0;  // resume sent -> resume_ack received: the time until the client is live
  std::vector<double> live_ms;  // a live client's round trips during the replay
};

RunResult run(const TestTopics& topics, const GatewaySettings& settings, std::uint64_t records,
              std::uint64_t& seq) {
  GatewayProcess gateway(topics, settings);  // its own group: reads the backlog from the start
  wait_consumed(gateway.port(), static_cast<std::int64_t>(records), 300s);
  WsTestClient live(gateway.port());
  live.request(R"({"type":"filter","data":{"device_ids":["live"]}})", "filter_ack");

  // It counts what it is replayed: the bench measures the gateway's cost, not a client's
  // keeping a million frames on the same two cores.
  WsTestClient client(gateway.port(), {.keep_events = false});
  client.request(R"({"type":"filter","data":{"resume":true,"types":["device_data"]}})",
                 "filter_ack");
  std::atomic<bool> busy{true};
  RunResult result;
  std::thread prober([&] { result.live_ms = live_round_trips(topics, live, busy, seq); });
  const auto start = Clock::now();
  client.send_text(std::string(R"({"type":"resume","data":{"cursor":")") + kFromTheStart +
                   R"("}})");
  std::size_t cursor = 0;
  const auto ack = client.next_of_type("resume_ack", cursor, 600s);
  result.seconds = seconds_since(start);
  busy.store(false);
  prober.join();
  if (ack) {
    result.replayed = ack->at("data").at("replayed").to_number<std::uint64_t>();
    result.recovered = ack->at("data").at("recovered").as_bool();
  }
  return result;
}

void print(const char* label, const RunResult& r) {
  std::printf(
      "%-34s replayed %8llu  recovered %-5s  %6.2f s to live  %9.0f events/s  "
      "live client round trip during replay: p50 %.1f ms, p99 %.1f ms (%zu probes)\n",
      label, static_cast<unsigned long long>(r.replayed), r.recovered ? "true" : "false", r.seconds,
      r.seconds > 0 ? static_cast<double>(r.replayed) / r.seconds : 0.0, percentile(r.live_ms, 0.5),
      percentile(r.live_ms, 0.99), r.live_ms.size());
  std::fflush(stdout);
}

int main_impl(int argc, char** argv) {
  const std::uint64_t records = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000;
  const int partitions = argc > 2 ? std::atoi(argv[2]) : 4;
  TestTopics topics(partitions);
  {
    RecordProducer producer;
    for (std::uint64_t seq = 0; seq < records; ++seq) {
      const std::string id = "dev-" + std::to_string(seq % kDevices);
      producer.produce(topics.device_data, id, to_json(DeviceRecord{.device_id = id, .seq = seq}));
    }
    producer.flush(300s);
  }
  std::printf("backlog: %llu device_data records, %d devices, %d partitions\n",
              static_cast<unsigned long long>(records), kDevices, partitions);

  GatewaySettings base;
  base.resume["max_replay_events"] = std::to_string(records * 2);
  base.resume["memory_bytes"] = "1073741824";
  base.websocket["queue_size"] = "10000";
  base.websocket["max_queue_bytes"] = "268435456";
  base.retry_pushes_until_queued();
  base.log_level = "warn";
  std::uint64_t live_seq = 1'000'000'000;

  // A live client alone, for comparison.
  {
    GatewayProcess gateway(topics, base);
    wait_consumed(gateway.port(), static_cast<std::int64_t>(records), 300s);
    WsTestClient live(gateway.port());
    live.request(R"({"type":"filter","data":{"device_ids":["live"]}})", "filter_ack");
    std::atomic<bool> busy{true};
    std::vector<double> idle_ms;
    std::thread prober([&] { idle_ms = live_round_trips(topics, live, busy, live_seq); });
    std::this_thread::sleep_for(5s);
    busy.store(false);
    prober.join();
    std::printf("%-34s live client round trip, no replay: p50 %.1f ms, p99 %.1f ms (%zu probes)\n",
                "baseline", percentile(idle_ms, 0.5), percentile(idle_ms, 0.99), idle_ms.size());
  }

  GatewaySettings ring = base;
  print("ring, max_replay_rate 50000", run(topics, ring, records, live_seq));
  ring.resume["max_replay_rate"] = "1000000000";
  print("ring, unlimited rate", run(topics, ring, records, live_seq));
  GatewaySettings kafka = base;
  kafka.resume["memory_bytes"] = "0";
  print("kafka, max_replay_rate 50000", run(topics, kafka, records, live_seq));
  kafka.resume["max_replay_rate"] = "1000000000";
  print("kafka, unlimited rate", run(topics, kafka, records, live_seq));
  return 0;
}

}  // namespace
}  // namespace iiot::e2e

int main(int argc, char** argv) {
  try {
    return iiot::e2e::main_impl(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "resume_replay_bench: %s\n", e.what());
    return 1;
  }
}

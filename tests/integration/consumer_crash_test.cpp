// At least once across a crash of the service: bin/consumer (websocket disabled, trace logging)
// is SIGKILLed mid-stream and started again. Every record must be processed, and the only
// records processed twice must be ones the first process had processed but not yet committed.
//
// The duplicate bound is measured, not guessed: after the kill the group's committed offsets C
// are read from the broker (a killed process commits nothing more), and the records the first
// process logged at offsets >= C[partition] are exactly those "processed since the last commit".
// Each duplicate must be one of them, so duplicates <= that count. With auto-commit every
// 1000 ms that is at most about one second of records plus one poll batch.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "kafka_test_support.h"
#include "support/child_process.h"

namespace iiot::kafka_test {

using test_support::ChildProcess;
namespace {

using Position = std::pair<std::int32_t, std::int64_t>;  // partition, offset

std::string consumer_binary() {
  const char* env = std::getenv("IIOT_CONSUMER_BIN");
  return env != nullptr && *env != '\0' ? env : IIOT_CONSUMER_BIN;
}

// The (partition, offset) of each "processed topic=<t> partition=<p> offset=<o>" line of one
// topic, in log order.
class ProcessedLog {
 public:
  explicit ProcessedLog(const std::string& topic) : prefix_("processed topic=" + topic + " ") {}

  void on_line(std::string_view line) {
    const auto at = line.find(prefix_);
    if (at == std::string_view::npos) return;
    std::string_view rest = line.substr(at + prefix_.size());
    const auto p = number_after(rest, "partition=");
    const auto o = number_after(rest, "offset=");
    if (!p || !o) return;
    const std::lock_guard lock(mutex_);
    positions_.emplace_back(static_cast<std::int32_t>(*p), *o);
  }
  std::size_t size() const {
    const std::lock_guard lock(mutex_);
    return positions_.size();
  }
  std::vector<Position> positions() const {
    const std::lock_guard lock(mutex_);
    return positions_;
  }

 private:
  static std::optional<std::int64_t> number_after(std::string_view text, std::string_view key) {
    const auto at = text.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    const char* begin = text.data() + at + key.size();
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (ec != std::errc() || end == begin) return std::nullopt;
    return value;
  }

  std::string prefix_;
  mutable std::mutex mutex_;
  std::vector<Position> positions_;
};

std::string write_config(const std::string& group, const std::string& data,
                         const std::string& alerts, const std::string& dead_letter) {
  std::string path = "/tmp/" + unique_name("iiot-crash-test") + ".yaml";
  std::ofstream out(path);
  out << "websocket:\n"
         "  enabled: false\n"
         "kafka:\n"
         "  brokers: [\""
      << test_brokers()
      << "\"]\n"
         "  group_id: \""
      << group
      << "\"\n"
         "  client_id: \"iiot-crash-test\"\n"
         "  topics:\n"
         "    device_data: \""
      << data << "\"\n    alerts: \"" << alerts << "\"\n    dead_letter: \"" << dead_letter
      << "\"\n"
         "  auto_offset_reset: \"earliest\"\n"
         "  properties:\n"
         // The killed member leaves the group only when its session expires: keep that short.
         "    \"session.timeout.ms\": \"6000\"\n"
         "    \"heartbeat.interval.ms\": \"1000\"\n"
         "log:\n"
         "  level: \"trace\"\n";
  return path;
}

TEST(ConsumerCrashTest, EveryRecordIsProcessedAtLeastOnceAcrossASigkill) {
  const std::string binary = consumer_binary();
  ASSERT_EQ(::access(binary.c_str(), X_OK), 0)
      << binary << " does not exist: build the `consumer` target (or set IIOT_CONSUMER_BIN)";
  ASSERT_TRUE(broker_reachable());

  constexpr int kPartitions = 4;
  constexpr std::uint64_t kRecords = 30'000;
  const std::string data = unique_name("it-crash-data");
  const std::string alerts = unique_name("it-crash-alerts");
  const std::string dead_letter = unique_name("it-crash-dlq");
  const std::string group = unique_name("it-crash-group");
  const TopicsGuard topics({data, alerts, dead_letter});
  create_topic(data, kPartitions);
  create_topic(alerts, 1);
  create_topic(dead_letter, 1);
  const std::string config = write_config(group, data, alerts, dead_letter);
  const std::vector<std::string> argv{binary, "-c", config};
  const std::map<std::string, std::string> env{{"IIOT_LOG_LEVEL", "trace"}};

  ProcessedLog first_log(data);
  auto first = std::make_unique<ChildProcess>(
      argv, [&](std::string_view line) { first_log.on_line(line); }, env);

  // About 3,000 records a second, so the kill lands mid-stream.
  TestProducer producer;
  BackgroundProducer background(producer, data, 64, 30, kRecords);

  // Kill once the first process has processed a good part and committed some of it.
  const auto committed_something = [&] {
    for (const auto& [partition, offset] : committed_offsets(group, data, kPartitions)) {
      if (offset > 0) return true;
    }
    return false;
  };
  ASSERT_TRUE(
      wait_until([&] { return first_log.size() >= 5000 && committed_something(); }, 180s, 250ms))
      << "first consumer processed " << first_log.size() << " records; its output:\n"
      << first->tail(30);
  first->signal(SIGKILL);
  ASSERT_NE(first->wait().signal, 0) << "the first consumer had exited by itself:\n"
                                     << first->tail(30);
  const std::map<std::int32_t, std::int64_t> committed =
      committed_offsets(group, data, kPartitions);

  ProcessedLog second_log(data);
  ChildProcess second(
      argv, [&](std::string_view line) { second_log.on_line(line); }, env);

  ASSERT_EQ(background.wait(), "");
  ASSERT_TRUE(producer.flush(60s));
  std::map<Position, std::uint64_t> seq_at;
  for (const Delivery& d : producer.deliveries()) {
    ASSERT_TRUE(d.ok) << "seq " << d.tag << ": " << d.error;
    seq_at[{d.partition, d.offset}] = d.tag;
  }
  ASSERT_EQ(seq_at.size(), kRecords);

  const std::vector<Position> before = first_log.positions();
  const auto all_processed = [&] {
    std::set<Position> seen(before.begin(), before.end());
    for (const Position& p : second_log.positions()) seen.insert(p);
    return std::all_of(seq_at.begin(), seq_at.end(),
                       [&](const auto& entry) { return seen.contains(entry.first); });
  };
  const bool complete = wait_until(all_processed, 240s, 250ms);
  second.signal(SIGTERM);
  EXPECT_TRUE(second.wait().exited_ok()) << "SIGTERM should stop the service cleanly:\n"
                                         << second.tail(30);
  std::remove(config.c_str());

  const std::vector<Position> after = second_log.positions();
  std::set<Position> seen(before.begin(), before.end());
  seen.insert(after.begin(), after.end());
  std::set<std::uint64_t> missing;
  for (const auto& [position, seq] : seq_at) {
    if (!seen.contains(position)) missing.insert(seq);
  }
  EXPECT_TRUE(complete && missing.empty())
      << missing.size() << " of " << kRecords << " records never processed; second output:\n"
      << second.tail(30);

  // In flight at the kill: processed by the first process at or past the committed offset.
  std::set<Position> in_flight;
  for (const Position& p : before) {
    const std::int64_t c = committed.at(p.first);
    if (c < 0 || p.second >= c) in_flight.insert(p);
  }
  const std::set<Position> first_set(before.begin(), before.end());
  std::size_t duplicates = 0;
  for (const Position& p : std::set<Position>(after.begin(), after.end())) {
    if (!first_set.contains(p)) continue;
    ++duplicates;
    EXPECT_TRUE(in_flight.contains(p))
        << "partition " << p.first << " offset " << p.second
        << " was committed before the kill and processed again (committed " << committed.at(p.first)
        << ")";
  }
  EXPECT_LE(duplicates, in_flight.size());
  RecordProperty("processed_before_kill", static_cast<int>(before.size()));
  RecordProperty("in_flight_at_kill", static_cast<int>(in_flight.size()));
  RecordProperty("processed_twice", static_cast<int>(duplicates));
  std::printf(
      "processed before kill %zu, in flight (uncommitted) at kill %zu, processed twice %zu\n",
      before.size(), in_flight.size(), duplicates);
}

}  // namespace
}  // namespace iiot::kafka_test

// Command line of bin/device_simulator (CONTRACT section 5 plus test and benchmark options).
// parse_command_line() runs once in main; the result is a plain value.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace iiot::simulator {

enum class Verbosity { kNormal, kQuiet };

// What a record's Kafka value is: the gateway's record (CONTRACT section 1), or, for the
// benchmark's peer comparison, the same record as the data of a Centrifugo "publish" API command
// (see centrifugo_publish() in record_writer.h).
enum class RecordFormat { kGateway, kCentrifugo };

struct SimulatorOptions {
  std::string brokers = "127.0.0.1:9092";
  std::size_t devices = 100;
  double rate = 1000.0;                   // device-data records per second; 0 = as fast as possible
  double alert_rate = 5.0;                // alerts per second; 0 = no alerts
  std::chrono::milliseconds duration{0};  // 0 = no time limit
  std::uint64_t count = 0;                // device-data records to send; 0 = no limit
  double invalid_ratio = 0.0;             // share of records (both topics) deliberately invalid
  std::string topic_data = "iiot.device-data";
  std::string topic_alerts = "iiot.alerts";
  std::optional<std::uint64_t> seed;                  // nullopt: a random seed, printed at start
  std::chrono::milliseconds progress_interval{5000};  // 0 = no progress lines
  std::size_t payload_bytes = 0;                      // 0 = records at their natural size
  std::vector<std::pair<std::string, std::string>> properties;  // librdkafka overrides
  Verbosity verbosity = Verbosity::kNormal;
  RecordFormat record_format = RecordFormat::kGateway;
  // kCentrifugo only: the channel of a record; "{device_id}" is replaced by its device id.
  std::string centrifugo_channel = "devices";
};

// Parses argv. On --help or a usage error prints what CLI11 prints and returns the exit code
// (0 for --help, 2 for an error) instead of options.
std::variant<SimulatorOptions, int> parse_command_line(int argc, const char* const* argv);

}  // namespace iiot::simulator

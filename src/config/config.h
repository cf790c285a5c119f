// The gateway's configuration as plain structs (CONTRACT section 4), with the documented defaults.
// Loaded once at start-up by load_config(); read-only afterwards, so safe to share as const.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace iiot::config {

using Duration = std::chrono::milliseconds;

enum class OverflowPolicy { kDropOldest, kDisconnect };
enum class OffsetReset { kEarliest, kLatest };
enum class LogFormat { kText, kJson };

struct WebSocketConfig {
  bool enabled = true;
  std::string host = "0.0.0.0";
  int port = 8081;
  std::string path = "/ws";
  int max_connections = 100;
  int read_buffer_size = 1024;
  int write_buffer_size = 1024;
  Duration handshake_timeout = std::chrono::seconds(10);
  Duration connection_timeout = std::chrono::seconds(30);
  bool check_origin = false;
  std::vector<std::string> allowed_origins;
  int queue_size = 1000;
  int worker_count = 4;
  Duration write_timeout = std::chrono::seconds(10);
  Duration ping_interval = std::chrono::seconds(54);
  Duration client_timeout = std::chrono::seconds(60);
  std::int64_t max_message_size = 1048576;
  bool enable_compression = true;
  OverflowPolicy overflow_policy = OverflowPolicy::kDropOldest;
  std::int64_t max_queue_bytes = 4194304;
};

struct KafkaTopics {
  std::string device_data = "iiot.device-data";
  std::string alerts = "iiot.alerts";
  std::string dead_letter = "iiot.dead-letter";
};

struct KafkaConfig {
  std::vector<std::string> brokers = {"127.0.0.1:9092"};
  std::string group_id = "iiot-gateway";
  std::string client_id = "iiot-gateway";
  KafkaTopics topics;
  OffsetReset auto_offset_reset = OffsetReset::kLatest;
  std::map<std::string, std::string> properties;  // passed to librdkafka as is
};

struct ProcessorConfig {
  bool enable_push = true;
  bool async_push = true;
  int push_retry_attempts = 3;
  Duration push_retry_backoff = std::chrono::milliseconds(10);
  std::int64_t max_payload_bytes = 1048576;
};

struct LogConfig {
  std::string level = "info";  // trace | debug | info | warn | error
  LogFormat format = LogFormat::kText;
};

struct Config {
  WebSocketConfig websocket;
  KafkaConfig kafka;
  ProcessorConfig processor;
  LogConfig log;
};

// Thrown for any configuration problem. what() is the full user-facing line, e.g.
// "config error: websocket.port: must be 1..65535 (got 0)".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Environment lookup, injectable for tests. Returns nullptr when unset.
using EnvLookup = const char* (*)(const char* name);

// Parses YAML text, applies IIOT_<SECTION>_<KEY> overrides from env, validates. Throws ConfigError.
Config parse_config(const std::string& yaml_text, EnvLookup env = nullptr);
// Reads the file then parse_config(); a missing or unreadable file is a ConfigError too.
Config load_config(const std::string& path, EnvLookup env = nullptr);

// "500ms", "10s", "1m", "1h" (also "1.5s", "1m30s"); throws std::invalid_argument on bad input.
Duration parse_duration(const std::string& text);

}  // namespace iiot::config

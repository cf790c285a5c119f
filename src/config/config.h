// The gateway's configuration as plain structs (CONTRACT section 4), with the documented defaults.
// Loaded once at start-up by load_config(); read-only afterwards, so safe to share as const.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace iiot::config {

using Duration = std::chrono::milliseconds;

enum class OverflowPolicy { kDropOldest, kDisconnect };
enum class OffsetReset { kEarliest, kLatest };
enum class LogFormat { kText, kJson };
enum class AuthMode { kNone, kToken, kJwt };
enum class TlsVersion { kTls12, kTls13 };

// websocket.tls (CONTRACT section 7). The files are only named here; push::TlsContext reads and
// judges them at start (and for --check-config).
struct TlsConfig {
  bool enabled = false;        // true: the port serves wss:// and https:// only
  std::string cert_file;       // PEM chain, the server's certificate first
  std::string key_file;        // PEM private key of that certificate
  std::string client_ca_file;  // when set, clients must present a certificate it signed (mTLS)
  TlsVersion min_version = TlsVersion::kTls12;

  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

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
  int max_client_messages_per_second = 20;  // 0 = unlimited
  TlsConfig tls;

  friend bool operator==(const WebSocketConfig&, const WebSocketConfig&) = default;
};

struct KafkaTopics {
  std::string device_data = "iiot.device-data";
  std::string alerts = "iiot.alerts";
  std::string dead_letter = "iiot.dead-letter";

  friend bool operator==(const KafkaTopics&, const KafkaTopics&) = default;
};

struct KafkaConfig {
  std::vector<std::string> brokers = {"127.0.0.1:9092"};
  std::string group_id = "iiot-gateway";
  std::string client_id = "iiot-gateway";
  KafkaTopics topics;
  OffsetReset auto_offset_reset = OffsetReset::kLatest;
  std::map<std::string, std::string> properties;  // passed to librdkafka as is

  friend bool operator==(const KafkaConfig&, const KafkaConfig&) = default;
};

struct ProcessorConfig {
  bool enable_push = true;
  bool async_push = true;
  int push_retry_attempts = 3;
  Duration push_retry_backoff = std::chrono::milliseconds(10);
  std::int64_t max_payload_bytes = 1048576;

  friend bool operator==(const ProcessorConfig&, const ProcessorConfig&) = default;
};

// Snapshot and resume (CONTRACT section 8).
struct ResumeConfig {
  Duration checkpoint_interval = std::chrono::seconds(1);
  std::int64_t memory_bytes = 67108864;  // the ring of recent events kept for replays
  std::int64_t max_replay_events = 1000000;
  std::int64_t max_replay_rate = 50000;  // events/s per replaying client
  Duration state_ttl = std::chrono::hours(24);

  friend bool operator==(const ResumeConfig&, const ResumeConfig&) = default;
};

struct LogConfig {
  std::string level = "info";  // trace | debug | info | warn | error
  LogFormat format = LogFormat::kText;

  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

// A threshold rule's comparison of a sensor value with its limit (CONTRACT section 10).
enum class RuleOp { kGreater, kGreaterEqual, kLess, kLessEqual, kEqual, kNotEqual };

// One entry of `rules:` (CONTRACT section 10). The matchers have filter semantics: an empty list
// puts no constraint on its dimension. Sensor names are not checked (a fleet may add sensors).
struct RuleConfig {
  std::string name;  // unique among the rules
  std::vector<std::string> device_ids;
  std::vector<std::string> device_types;
  std::vector<std::string> locations;
  std::string sensor;
  RuleOp op = RuleOp::kGreater;
  double value = 0.0;
  Duration hold = Duration::zero();  // the rule's `for`: how long the condition must hold
  double clear_hysteresis = 0.0;     // >= 0
  std::string severity;              // info | warning | error | critical
  std::string title;
  std::string description;  // may hold {device_id} {device_type} {location} {sensor} {value}
                            // {unit} {limit} {rule}

  friend bool operator==(const RuleConfig&, const RuleConfig&) = default;
};

// What a token may see (CONTRACT section 7): the filter's keys, each list empty for "no
// constraint". Names are checked (alert_levels: info | warning | error | critical; types:
// device_data | alert); lists are kept as written.
struct ScopeConfig {
  std::vector<std::string> device_ids;
  std::vector<std::string> device_types;
  std::vector<std::string> locations;
  std::vector<std::string> alert_levels;
  std::vector<std::string> types;

  friend bool operator==(const ScopeConfig&, const ScopeConfig&) = default;
};

// One static token (auth.mode token): stored as the lower-case SHA-256 hex of the token.
struct TokenConfig {
  std::string name;
  std::string sha256;
  ScopeConfig scope;

  friend bool operator==(const TokenConfig&, const TokenConfig&) = default;
};

struct JwtConfig {
  std::vector<std::string> algorithms = {"HS256"};  // of HS256 HS384 HS512 RS256 RS384 RS512 ES256
  std::string secret_file;                          // HMAC key (HS*)
  std::string public_key_file;                      // PEM public key (RS*, ES*)
  std::string issuer;                               // when set, `iss` must equal it
  std::string audience;                             // when set, `aud` must contain it
  Duration leeway = std::chrono::seconds(30);
  std::string scope_claim = "iiot";

  friend bool operator==(const JwtConfig&, const JwtConfig&) = default;
};

// Key files are only named here; they are read (and judged) by auth::Authenticator at start.
struct AuthConfig {
  AuthMode mode = AuthMode::kNone;
  std::vector<TokenConfig> tokens;
  JwtConfig jwt;
  std::vector<std::string> admin_tokens_sha256;  // lower-case hex

  friend bool operator==(const AuthConfig&, const AuthConfig&) = default;
};

struct Config {
  WebSocketConfig websocket;
  KafkaConfig kafka;
  ProcessorConfig processor;
  ResumeConfig resume;
  LogConfig log;
  std::vector<RuleConfig> rules;  // in file order; no environment overrides
  AuthConfig auth;

  friend bool operator==(const Config&, const Config&) = default;
};

// Thrown for any configuration problem. what() is the full user-facing line, e.g.
// "config error: websocket.port: must be 1..65535 (got 0)".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Environment lookup, injectable for tests. Returns nullptr when unset.
using EnvLookup = const char* (*)(const char* name);

// Parses YAML text, applies IIOT_<SECTION>_<KEY> overrides from env, validates. Throws
// ConfigError. Order: unknown and duplicate keys are rejected while reading the file; then every
// scalar or list key named by a set variable (IIOT_WEBSOCKET_PORT, IIOT_KAFKA_TOPICS_ALERTS,
// IIOT_KAFKA_BROKERS as "a,b") replaces the file's value; then each value in force is type- and
// range-checked, so a file value hidden by a variable is never judged. Errors name the key and,
// for a variable, its name. kafka.properties and auth.tokens have no variable (their entries are
// structured).
Config parse_config(const std::string& yaml_text, EnvLookup env = nullptr);
// Reads the file then parse_config(); a missing or unreadable file is a ConfigError too, and YAML
// syntax errors name the file.
Config load_config(const std::string& path, EnvLookup env = nullptr);

// "500ms", "10s", "1m", "1h" (also "1.5s", "1m30s"; units ns, us, µs, μs, ms, s, m, h; "0" alone
// is zero; the full grammar is in docs/operations.md, "Duration values in the configuration").
// Throws std::invalid_argument on bad input, on overflow, and when the value is not a whole number
// of milliseconds (e.g. "500us").
Duration parse_duration(const std::string& text);
// The inverse, for logs and messages: 54000ms -> "54s", 90000ms -> "1m30s", 0 -> "0s".
std::string format_duration(Duration duration);

// The spelling used in the configuration file, e.g. OverflowPolicy::kDropOldest -> "drop_oldest".
std::string_view to_string(OverflowPolicy policy);
std::string_view to_string(OffsetReset reset);
std::string_view to_string(LogFormat format);
std::string_view to_string(RuleOp op);  // ">", ">=", "<", "<=", "==", "!="
std::string_view to_string(AuthMode mode);
std::string_view to_string(TlsVersion version);  // "1.2", "1.3"

// The JWT algorithms auth.jwt.algorithms accepts, in the file's spelling.
inline constexpr std::string_view kJwtAlgorithms[] = {"HS256", "HS384", "HS512", "RS256",
                                                      "RS384", "RS512", "ES256"};

}  // namespace iiot::config

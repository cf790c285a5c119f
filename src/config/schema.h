// The configuration schema: every key of the file, its type and its rule, written once in
// visit_fields(); Schema is the list of known keys and sections it yields, with suggestions for
// mistyped names. The same walk applies values (field_applier.cpp), so the known keys and the
// parsed fields cannot drift apart. `rules:` is not a field (its entries are structured) and is
// read by rule_reader.cpp. Internal to iiot_config.
// A Schema is immutable after construction; const use is thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/value_names.h"

namespace iiot::config {

inline constexpr std::string_view kRulesKey = "rules";
inline constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max();

struct Range {
  std::int64_t min;
  std::int64_t max = kUnbounded;
};

enum class TextRule { kAny, kNonEmpty, kUrlPath, kTopicName };
enum class ListRule { kMayBeEmpty, kNonEmpty };
enum class DurationRule { kPositive, kMayBeZero };

// Calls the visitor once per configuration key, in the order errors are reported.
template <typename Visitor>
void visit_fields(Config& config, Visitor& v) {
  WebSocketConfig& ws = config.websocket;
  v.boolean("websocket.enabled", ws.enabled);
  v.text("websocket.host", ws.host, TextRule::kAny);
  v.integer("websocket.port", ws.port, Range{1, 65535});
  v.text("websocket.path", ws.path, TextRule::kUrlPath);
  v.integer("websocket.max_connections", ws.max_connections, Range{1});
  v.integer("websocket.read_buffer_size", ws.read_buffer_size, Range{1});
  v.integer("websocket.write_buffer_size", ws.write_buffer_size, Range{1});
  v.duration("websocket.handshake_timeout", ws.handshake_timeout);
  v.duration("websocket.connection_timeout", ws.connection_timeout);
  v.boolean("websocket.check_origin", ws.check_origin);
  v.list("websocket.allowed_origins", ws.allowed_origins, ListRule::kMayBeEmpty);
  v.integer("websocket.queue_size", ws.queue_size, Range{1});
  v.integer("websocket.worker_count", ws.worker_count, Range{1, 256});
  v.duration("websocket.write_timeout", ws.write_timeout);
  v.duration("websocket.ping_interval", ws.ping_interval);
  v.duration("websocket.client_timeout", ws.client_timeout);
  v.integer("websocket.max_message_size", ws.max_message_size, Range{1});
  v.boolean("websocket.enable_compression", ws.enable_compression);
  v.choice("websocket.overflow_policy", ws.overflow_policy, kOverflowPolicies);
  v.integer("websocket.max_queue_bytes", ws.max_queue_bytes, Range{1});
  v.integer("websocket.max_client_messages_per_second", ws.max_client_messages_per_second,
            Range{0});
  v.boolean("websocket.tls.enabled", ws.tls.enabled);
  v.text("websocket.tls.cert_file", ws.tls.cert_file, TextRule::kAny);
  v.text("websocket.tls.key_file", ws.tls.key_file, TextRule::kAny);
  v.text("websocket.tls.client_ca_file", ws.tls.client_ca_file, TextRule::kAny);
  v.choice("websocket.tls.min_version", ws.tls.min_version, kTlsVersions);

  KafkaConfig& kafka = config.kafka;
  v.list("kafka.brokers", kafka.brokers, ListRule::kNonEmpty);
  v.text("kafka.group_id", kafka.group_id, TextRule::kNonEmpty);
  v.text("kafka.client_id", kafka.client_id, TextRule::kNonEmpty);
  v.text("kafka.topics.device_data", kafka.topics.device_data, TextRule::kTopicName);
  v.text("kafka.topics.alerts", kafka.topics.alerts, TextRule::kTopicName);
  v.text("kafka.topics.dead_letter", kafka.topics.dead_letter, TextRule::kTopicName);
  v.choice("kafka.auto_offset_reset", kafka.auto_offset_reset, kOffsetResets);
  v.mapping("kafka.properties", kafka.properties);

  ProcessorConfig& processor = config.processor;
  v.boolean("processor.enable_push", processor.enable_push);
  v.boolean("processor.async_push", processor.async_push);
  v.integer("processor.push_retry_attempts", processor.push_retry_attempts, Range{0});
  v.duration("processor.push_retry_backoff", processor.push_retry_backoff);
  v.integer("processor.max_payload_bytes", processor.max_payload_bytes, Range{1});

  ResumeConfig& resume = config.resume;
  v.duration("resume.checkpoint_interval", resume.checkpoint_interval);
  v.integer("resume.memory_bytes", resume.memory_bytes, Range{0});
  v.integer("resume.max_replay_events", resume.max_replay_events, Range{1});
  v.integer("resume.max_replay_rate", resume.max_replay_rate, Range{1});
  v.duration("resume.state_ttl", resume.state_ttl);

  LogConfig& log = config.log;
  v.text_choice("log.level", log.level, kLogLevels);
  v.choice("log.format", log.format, kLogFormats);

  AuthConfig& auth = config.auth;
  v.choice("auth.mode", auth.mode, kAuthModes);
  v.tokens("auth.tokens", auth.tokens);
  v.list("auth.jwt.algorithms", auth.jwt.algorithms, ListRule::kMayBeEmpty);
  v.text("auth.jwt.secret_file", auth.jwt.secret_file, TextRule::kAny);
  v.text("auth.jwt.public_key_file", auth.jwt.public_key_file, TextRule::kAny);
  v.text("auth.jwt.issuer", auth.jwt.issuer, TextRule::kAny);
  v.text("auth.jwt.audience", auth.jwt.audience, TextRule::kAny);
  v.duration("auth.jwt.leeway", auth.jwt.leeway, DurationRule::kMayBeZero);
  v.text("auth.jwt.scope_claim", auth.jwt.scope_claim, TextRule::kNonEmpty);
  v.list("auth.admin_tokens_sha256", auth.admin_tokens_sha256, ListRule::kMayBeEmpty);
}

enum class Shape { kScalar, kList, kMapping, kEntries };

// Known key paths and their shapes; every proper prefix of a key path is a section.
class Schema {
 public:
  Schema();

  const std::map<std::string, Shape, std::less<>>& keys() const { return keys_; }
  bool is_key(std::string_view path) const { return keys_.find(path) != keys_.end(); }
  bool is_section(std::string_view path) const { return sections_.find(path) != sections_.end(); }

  // The known name under `parent` closest to `name`, if it is close enough to be a likely typo.
  std::optional<std::string> suggest(std::string_view parent, std::string_view name) const;

  // The visitor interface of visit_fields(): records each key's shape.
  template <typename T>
  void integer(std::string_view path, T& /*value*/, Range /*range*/) {
    add(path, Shape::kScalar);
  }
  void boolean(std::string_view path, bool& /*value*/) { add(path, Shape::kScalar); }
  void text(std::string_view path, std::string& /*value*/, TextRule /*rule*/) {
    add(path, Shape::kScalar);
  }
  template <std::size_t N>
  void text_choice(std::string_view path, std::string& /*value*/,
                   const std::array<std::string_view, N>& /*names*/) {
    add(path, Shape::kScalar);
  }
  void duration(std::string_view path, Duration& /*value*/,
                DurationRule /*rule*/ = DurationRule::kPositive) {
    add(path, Shape::kScalar);
  }
  template <typename E, std::size_t N>
  void choice(std::string_view path, E& /*value*/, const NameTable<E, N>& /*names*/) {
    add(path, Shape::kScalar);
  }
  void list(std::string_view path, std::vector<std::string>& /*value*/, ListRule /*rule*/) {
    add(path, Shape::kList);
  }
  void mapping(std::string_view path, std::map<std::string, std::string>& /*value*/) {
    add(path, Shape::kMapping);
  }
  void tokens(std::string_view path, std::vector<TokenConfig>& /*value*/) {
    add(path, Shape::kEntries);
  }

 private:
  void add(std::string_view path, Shape shape) { keys_.emplace(path, shape); }

  std::map<std::string, Shape, std::less<>> keys_;
  std::set<std::string, std::less<>> sections_;
};

}  // namespace iiot::config

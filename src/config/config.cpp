#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <system_error>
#include <utility>

#include "text_formats/duration_text.h"

namespace iiot::config {
namespace {

template <typename E, std::size_t N = 2>
using NameTable = std::array<std::pair<std::string_view, E>, N>;

constexpr NameTable<OverflowPolicy> kOverflowPolicies{{
    {"drop_oldest", OverflowPolicy::kDropOldest},
    {"disconnect", OverflowPolicy::kDisconnect},
}};
constexpr NameTable<OffsetReset> kOffsetResets{{
    {"earliest", OffsetReset::kEarliest},
    {"latest", OffsetReset::kLatest},
}};
constexpr NameTable<LogFormat> kLogFormats{{
    {"text", LogFormat::kText},
    {"json", LogFormat::kJson},
}};
constexpr NameTable<AuthMode, 3> kAuthModes{{
    {"none", AuthMode::kNone},
    {"token", AuthMode::kToken},
    {"jwt", AuthMode::kJwt},
}};
constexpr NameTable<TlsVersion> kTlsVersions{{
    {"1.2", TlsVersion::kTls12},
    {"1.3", TlsVersion::kTls13},
}};
constexpr std::array<std::string_view, 5> kLogLevels{"trace", "debug", "info", "warn", "error"};
constexpr std::array<std::string_view, 4> kScopeAlertLevels{"info", "warning", "error", "critical"};
constexpr std::array<std::string_view, 2> kScopeTypes{"device_data", "alert"};
constexpr std::size_t kSha256HexLength = 64;

// Keys that have their own configuration entry; setting them again in kafka.properties would leave
// two sources of truth for the same librdkafka property.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kManagedKafkaProperties{{
    {"bootstrap.servers", "kafka.brokers"},
    {"group.id", "kafka.group_id"},
    {"client.id", "kafka.client_id"},
    {"auto.offset.reset", "kafka.auto_offset_reset"},
}};

constexpr std::int64_t kUnbounded = std::numeric_limits<std::int64_t>::max();
constexpr std::size_t kMaxTopicNameLength = 249;  // Kafka's own limit
constexpr std::size_t kMaxQuotedLength = 80;
constexpr std::string_view kDurationHint = "(use e.g. 500ms, 10s, 1m)";
constexpr std::string_view kRulesKey = "rules";

constexpr std::array<std::pair<std::string_view, RuleOp>, 6> kRuleOps{{
    {">", RuleOp::kGreater},
    {">=", RuleOp::kGreaterEqual},
    {"<", RuleOp::kLess},
    {"<=", RuleOp::kLessEqual},
    {"==", RuleOp::kEqual},
    {"!=", RuleOp::kNotEqual},
}};
constexpr std::array<std::string_view, 4> kSeverities{"info", "warning", "error", "critical"};

[[noreturn]] void fail(std::string_view path, std::string_view env_name, std::string_view message) {
  std::string line = "config error: ";
  line += path;
  if (!env_name.empty()) {
    line += " (from ";
    line += env_name;
    line += ')';
  }
  line += ": ";
  line += message;
  throw ConfigError(line);
}

std::string quote(std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "\"";
  const bool truncated = text.size() > kMaxQuotedLength;
  for (const char c : text.substr(0, kMaxQuotedLength)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4U];
      out += kHex[byte & 0xfU];
    } else {
      out += c;
    }
  }
  out += truncated ? "\"..." : "\"";
  return out;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return quote(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

template <std::size_t N>
std::string join_choices(const std::array<std::string_view, N>& names) {
  std::string out = N == 2 ? "" : "one of ";
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) {
      out += N == 2 ? " or " : ", ";
    }
    out += names[i];
  }
  return out;
}

template <typename E, std::size_t N>
std::array<std::string_view, N> names_of(const NameTable<E, N>& table) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) {
    names[i] = table[i].first;
  }
  return names;
}

template <typename E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [name, entry] : table) {
    if (entry == value) {
      return name;
    }
  }
  return "unknown";
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

// Optimal string alignment distance: a swapped pair of letters counts as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

// ---- Values as read from the file or the environment --------------------------------------------

// NOLINTNEXTLINE(bugprone-exception-escape): YAML::Node's assignment is not noexcept
struct RawValue {
  YAML::Node node;       // when the value came from the file
  std::string env_text;  // when the value came from the environment
  std::string env_name;  // the variable's name; empty for a file value
  bool from_env() const { return !env_name.empty(); }
};

using RawValues = std::map<std::string, RawValue, std::less<>>;

// One raw value on its way into a field: knows its key path and origin for error messages.
class FieldValue {
 public:
  FieldValue(std::string_view path, const RawValue& raw) : path_(path), raw_(raw) {}

  bool from_env() const { return raw_.from_env(); }
  const YAML::Node& node() const { return raw_.node; }
  const std::string& env_name() const { return raw_.env_name; }

  // The scalar text; anything else fails with "must be <expected> (got a list)".
  std::string_view scalar(std::string_view expected) const {
    if (raw_.from_env()) {
      return raw_.env_text;
    }
    if (!raw_.node.IsScalar()) {
      fail_expected(expected, describe(raw_.node));
    }
    return raw_.node.Scalar();
  }

  [[noreturn]] void fail(std::string_view message) const {
    config::fail(path_, env_name(), message);
  }

  [[noreturn]] void fail_expected(std::string_view expected, std::string_view got) const {
    fail("must be " + std::string(expected) + " (got " + std::string(got) + ")");
  }

 private:
  std::string_view path_;
  const RawValue& raw_;
};

struct Range {
  std::int64_t min;
  std::int64_t max = kUnbounded;
};

enum class TextRule { kAny, kNonEmpty, kUrlPath, kTopicName };
enum class ListRule { kMayBeEmpty, kNonEmpty };
enum class DurationRule { kPositive, kMayBeZero };

bool is_topic_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTopicNameLength || name == "." || name == "..") {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

void check_text(const FieldValue& field, std::string_view text, TextRule rule) {
  switch (rule) {
    case TextRule::kAny:
      return;
    case TextRule::kNonEmpty:
      if (text.empty()) {
        field.fail("must not be empty");
      }
      return;
    case TextRule::kUrlPath:
      // Emptiness is judged with websocket.enabled in validate_relations().
      if (!text.empty() && text.front() != '/') {
        field.fail_expected("a path starting with \"/\"", quote(text));
      }
      return;
    case TextRule::kTopicName:
      if (!is_topic_name(text)) {
        field.fail_expected("a Kafka topic name (1..249 characters of A-Z a-z 0-9 . _ -)",
                            quote(text));
      }
      return;
  }
}

// A SHA-256 digest as 64 hex digits, returned in lower case.
std::string sha256_hex_at(std::string_view path, std::string_view text,
                          std::string_view env_name = {}) {
  const bool hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (text.size() != kSha256HexLength || !hex) {
    // Only the length is echoed: the value may be a token pasted by mistake.
    fail(path, env_name,
         "must be a SHA-256 digest of 64 hex digits, e.g. from `printf %s TOKEN | sha256sum` "
         "(got " +
             std::to_string(text.size()) + " characters" + (hex ? "" : ", not all hex") + ")");
  }
  return lower(text);
}

// ---- The schema: every key, its type and its rule, written once --------------------------------

// Calls the visitor once per configuration key. The same walk builds the schema (known keys and
// their shapes) and applies values, so the two cannot drift apart.
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
  Schema() {
    Config scratch;
    visit_fields(scratch, *this);
    for (const auto& [path, shape] : keys_) {
      for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
        sections_.insert(path.substr(0, dot));
      }
    }
  }

  const std::map<std::string, Shape, std::less<>>& keys() const { return keys_; }
  bool is_key(std::string_view path) const { return keys_.find(path) != keys_.end(); }
  bool is_section(std::string_view path) const { return sections_.find(path) != sections_.end(); }

  // The known name under `parent` closest to `name`, if it is close enough to be a likely typo.
  std::optional<std::string> suggest(std::string_view parent, std::string_view name) const {
    std::optional<std::string> best;
    std::size_t best_distance = std::numeric_limits<std::size_t>::max();
    const auto consider = [&](const std::string& path) {
      const auto dot = path.rfind('.');
      const std::string_view path_parent =
          dot == std::string::npos ? std::string_view{} : std::string_view(path).substr(0, dot);
      if (path_parent != parent) {
        return;
      }
      const std::string_view candidate = dot == std::string::npos
                                             ? std::string_view(path)
                                             : std::string_view(path).substr(dot + 1);
      const std::size_t distance = edit_distance(lower(name), candidate);
      if (distance <= 2 && distance * 3 <= candidate.size() && distance < best_distance) {
        best_distance = distance;
        best = path;
      }
    };
    for (const auto& [path, shape] : keys_) {
      consider(path);
    }
    for (const auto& path : sections_) {
      consider(path);
    }
    return best;
  }

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

// ---- Collecting raw values ---------------------------------------------------------------------

std::string child_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

void collect_mapping(const YAML::Node& mapping, std::string_view prefix, const Schema& schema,
                     RawValues& raw) {
  std::set<std::string, std::less<>> seen;
  for (const auto& entry : mapping) {
    const YAML::Node& key = entry.first;
    const YAML::Node& value = entry.second;
    if (!key.IsScalar()) {
      fail(prefix.empty() ? "top level" : prefix, "",
           "keys must be plain names (got " + describe(key) + ")");
    }
    const std::string path = child_path(prefix, key.Scalar());
    if (!seen.insert(key.Scalar()).second) {
      fail(path, "", "duplicate key");
    }
    const bool section = schema.is_section(path);
    if (path == kRulesKey || (!section && schema.is_key(path))) {
      raw[path].node = value;  // a value, or rules: a list of mappings read by parse_rules()
    } else if (section) {
      if (value.IsNull()) {
        continue;  // "websocket:" with every key commented out
      }
      if (!value.IsMap()) {
        fail(path, "", "must be a mapping of keys (got " + describe(value) + ")");
      }
      collect_mapping(value, path, schema, raw);
    } else if (const auto suggestion = schema.suggest(prefix, key.Scalar())) {
      fail(path, "", "unknown key (did you mean " + *suggestion + "?)");
    } else {
      fail(path, "", "unknown key");
    }
  }
}

std::string env_name_for(std::string_view path) {
  std::string name = "IIOT_";
  for (const char c : path) {
    name += c == '.' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return name;
}

const char* real_getenv(const char* name) {
  return std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read once at start-up
}

void collect_env(const Schema& schema, EnvLookup env, RawValues& raw) {
  for (const auto& [path, shape] : schema.keys()) {
    if (shape == Shape::kMapping || shape == Shape::kEntries) {
      continue;  // no unambiguous variable name for "fetch.wait.max.ms"-like or structured entries
    }
    std::string name = env_name_for(path);
    if (const char* value = env(name.c_str()); value != nullptr) {
      raw[path] = RawValue{YAML::Node(), value, std::move(name)};
    }
  }
}

// ---- Applying raw values to the structs --------------------------------------------------------

class Applier {
 public:
  explicit Applier(const RawValues& raw) : raw_(raw) {}

  template <typename T>
  void integer(std::string_view path, T& value, Range range) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const std::string_view text = field.scalar("an integer");
    std::int64_t parsed = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
      field.fail_expected("an integer", quote(text));
    }
    const std::int64_t max = std::min<std::int64_t>(range.max, std::numeric_limits<T>::max());
    if (parsed < range.min || parsed > max) {
      const std::string got = " (got " + std::to_string(parsed) + ")";
      if (range.max != kUnbounded) {
        field.fail("must be " + std::to_string(range.min) + ".." + std::to_string(max) + got);
      }
      if (parsed < range.min) {
        field.fail("must be >= " + std::to_string(range.min) + got);
      }
      field.fail("must be <= " + std::to_string(max) + got);
    }
    value = static_cast<T>(parsed);
  }

  void boolean(std::string_view path, bool& value) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    constexpr std::string_view kExpected = "true or false";
    const std::string_view text = field.scalar(kExpected);
    const std::string folded = lower(text);
    if (folded == "true" || folded == "yes" || folded == "on" || folded == "1") {
      value = true;
    } else if (folded == "false" || folded == "no" || folded == "off" || folded == "0") {
      value = false;
    } else {
      field.fail_expected(kExpected, quote(text));
    }
  }

  void text(std::string_view path, std::string& value, TextRule rule) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const std::string_view text = field.scalar("a string");
    check_text(field, text, rule);
    value = std::string(text);
  }

  template <std::size_t N>
  void text_choice(std::string_view path, std::string& value,
                   const std::array<std::string_view, N>& names) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const std::string expected = join_choices(names);
    const std::string_view text = field.scalar(expected);
    if (std::find(names.begin(), names.end(), text) == names.end()) {
      field.fail_expected(expected, quote(text));
    }
    value = std::string(text);
  }

  template <typename E, std::size_t N>
  void choice(std::string_view path, E& value, const NameTable<E, N>& names) {
    std::string text;  // stays empty when the key is absent
    text_choice(path, text, names_of(names));
    if (!text.empty()) {
      value = std::find_if(names.begin(), names.end(), [&](const auto& e) {
                return e.first == text;
              })->second;
    }
  }

  void duration(std::string_view path, Duration& value,
                DurationRule rule = DurationRule::kPositive) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const std::string_view text = field.scalar("a duration such as 500ms, 10s or 1m");
    const auto parsed = text_formats::parse_go_duration(text);
    if (!parsed) {
      field.fail("invalid duration " + quote(text) + " " + std::string(kDurationHint));
    }
    if (*parsed % std::chrono::milliseconds(1) != std::chrono::nanoseconds::zero()) {
      field.fail_expected("a whole number of milliseconds", quote(text));
    }
    if (*parsed <= std::chrono::nanoseconds::zero() && rule == DurationRule::kPositive) {
      field.fail_expected("> 0", quote(text));
    }
    value = std::chrono::duration_cast<Duration>(*parsed);
  }

  void list(std::string_view path, std::vector<std::string>& value, ListRule rule) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    std::vector<std::string> items;
    const auto add = [&](std::string_view item) {
      if (item.empty()) {
        config::fail(std::string(path) + "[" + std::to_string(items.size()) + "]", field.env_name(),
                     "must not be empty");
      }
      items.emplace_back(item);
    };
    if (field.from_env()) {
      // Comma-separated; surrounding spaces are not part of an item; "" is the empty list.
      std::string_view rest = field.scalar("a list");
      if (!trim(rest).empty()) {
        for (auto comma = rest.find(','); true; comma = rest.find(',')) {
          add(trim(rest.substr(0, comma)));
          if (comma == std::string_view::npos) {
            break;
          }
          rest.remove_prefix(comma + 1);
        }
      }
    } else if (field.node().IsSequence()) {
      for (const auto& item : field.node()) {
        if (!item.IsScalar()) {
          config::fail(std::string(path) + "[" + std::to_string(items.size()) + "]", "",
                       "must be a string (got " + describe(item) + ")");
        }
        add(item.Scalar());
      }
    } else if (!field.node().IsNull()) {
      field.fail_expected("a list of strings", describe(field.node()));
    }
    if (rule == ListRule::kNonEmpty && items.empty()) {
      field.fail("must not be empty");
    }
    value = std::move(items);
  }

  void mapping(std::string_view path, std::map<std::string, std::string>& value) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const YAML::Node& node = field.node();
    std::map<std::string, std::string> entries;
    if (node.IsMap()) {
      for (const auto& entry : node) {
        if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
          field.fail("keys must be non-empty strings (got " + describe(entry.first) + ")");
        }
        const std::string& key = entry.first.Scalar();
        const std::string entry_path = std::string(path) + "[" + quote(key) + "]";
        if (!entry.second.IsScalar()) {
          config::fail(entry_path, "",
                       "must be a string, number or boolean (got " + describe(entry.second) + ")");
        }
        for (const auto& [property, owner] : kManagedKafkaProperties) {
          if (key == property) {
            config::fail(entry_path, "", "set " + std::string(owner) + " instead");
          }
        }
        if (!entries.emplace(key, entry.second.Scalar()).second) {
          config::fail(entry_path, "", "duplicate key");
        }
      }
    } else if (!node.IsNull()) {
      field.fail_expected("a mapping of strings", describe(node));
    }
    value = std::move(entries);
  }

  // auth.tokens: a list of {name, sha256, scope}; names unique, digests 64 hex digits.
  void tokens(std::string_view path, std::vector<TokenConfig>& value) {
    const RawValue* raw = find(path);
    if (raw == nullptr) {
      return;
    }
    const FieldValue field(path, *raw);
    const YAML::Node& node = field.node();
    std::vector<TokenConfig> entries;
    if (node.IsSequence()) {
      for (const auto& item : node) {
        const std::string item_path =
            std::string(path) + "[" + std::to_string(entries.size()) + "]";
        entries.push_back(token_entry(item_path, item));
      }
    } else if (!node.IsNull()) {
      field.fail_expected("a list of {name, sha256, scope} entries", describe(node));
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        const std::string at = std::string(path) + "[" + std::to_string(i) + "]";
        if (entries[i].name == entries[j].name) {
          config::fail(at + ".name", "",
                       "duplicate name (got " + quote(entries[i].name) + ", also in " +
                           std::string(path) + "[" + std::to_string(j) + "])");
        }
        if (entries[i].sha256 == entries[j].sha256) {
          config::fail(at + ".sha256", "",
                       "the same token as " + std::string(path) + "[" + std::to_string(j) + "] (" +
                           quote(entries[j].name) + ")");
        }
      }
    }
    value = std::move(entries);
  }

 private:
  static std::string scalar_at(const std::string& path, const YAML::Node& node) {
    if (!node.IsScalar()) {
      config::fail(path, "", "must be a string (got " + describe(node) + ")");
    }
    return node.Scalar();
  }

  static std::vector<std::string> names_at(const std::string& path, const YAML::Node& node,
                                           std::span<const std::string_view> allowed) {
    std::vector<std::string> items;
    if (node.IsNull()) {
      return items;
    }
    if (!node.IsSequence()) {
      config::fail(path, "", "must be a list of strings (got " + describe(node) + ")");
    }
    for (const auto& item : node) {
      const std::string item_path = path + "[" + std::to_string(items.size()) + "]";
      std::string text = scalar_at(item_path, item);
      if (text.empty()) {
        config::fail(item_path, "", "must not be empty");
      }
      if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), text) == allowed.end()) {
        std::string choices;
        for (const auto name : allowed) {
          choices += choices.empty() ? "one of " : ", ";
          choices += name;
        }
        config::fail(item_path, "", "must be " + choices + " (got " + quote(text) + ")");
      }
      items.push_back(std::move(text));
    }
    return items;
  }

  static ScopeConfig scope_entry(const std::string& path, const YAML::Node& node) {
    ScopeConfig scope;
    if (node.IsNull()) {
      return scope;
    }
    if (!node.IsMap()) {
      config::fail(path, "", "must be a mapping of filter lists (got " + describe(node) + ")");
    }
    const std::array<std::pair<std::string_view, std::vector<std::string>*>, 5> keys{{
        {"device_ids", &scope.device_ids},
        {"device_types", &scope.device_types},
        {"locations", &scope.locations},
        {"alert_levels", &scope.alert_levels},
        {"types", &scope.types},
    }};
    std::set<std::string, std::less<>> seen;
    for (const auto& entry : node) {
      const std::string key = scalar_at(path, entry.first);
      const std::string key_path = child_path(path, key);
      const auto it = std::find_if(keys.begin(), keys.end(),
                                   [&](const auto& known) { return known.first == key; });
      if (it == keys.end()) {
        config::fail(key_path, "",
                     "unknown key (a scope has device_ids, device_types, locations, "
                     "alert_levels and types)");
      }
      if (!seen.insert(key).second) {
        config::fail(key_path, "", "duplicate key");
      }
      std::span<const std::string_view> allowed;
      if (key == "alert_levels") {
        allowed = kScopeAlertLevels;
      } else if (key == "types") {
        allowed = kScopeTypes;
      }
      *it->second = names_at(key_path, entry.second, allowed);
    }
    return scope;
  }

  static TokenConfig token_entry(const std::string& path, const YAML::Node& node) {
    if (!node.IsMap()) {
      config::fail(path, "",
                   "must be a mapping {name, sha256, scope} (got " + describe(node) + ")");
    }
    TokenConfig token;
    bool has_name = false;
    bool has_digest = false;
    std::set<std::string, std::less<>> seen;
    for (const auto& entry : node) {
      const std::string key = scalar_at(path, entry.first);
      const std::string key_path = child_path(path, key);
      if (!seen.insert(key).second) {
        config::fail(key_path, "", "duplicate key");
      }
      if (key == "name") {
        token.name = scalar_at(key_path, entry.second);
        if (token.name.empty()) {
          config::fail(key_path, "", "must not be empty");
        }
        has_name = true;
      } else if (key == "sha256") {
        token.sha256 = sha256_hex_at(key_path, scalar_at(key_path, entry.second));
        has_digest = true;
      } else if (key == "scope") {
        token.scope = scope_entry(key_path, entry.second);
      } else {
        config::fail(key_path, "", "unknown key (a token has name, sha256 and scope)");
      }
    }
    if (!has_name) {
      config::fail(path + ".name", "", "required");
    }
    if (!has_digest) {
      config::fail(path + ".sha256", "", "required (the SHA-256 hex of the token)");
    }
    return token;
  }

  const RawValue* find(std::string_view path) const {
    const auto it = raw_.find(path);
    return it == raw_.end() ? nullptr : &it->second;
  }

  const RawValues& raw_;
};

// Rules that involve more than one key, checked once every value is in place.
void validate_relations(const Config& config, const RawValues& raw) {
  const auto source = [&](std::string_view path) -> std::string_view {
    const auto it = raw.find(path);
    return it == raw.end() ? std::string_view{} : std::string_view(it->second.env_name);
  };
  const WebSocketConfig& ws = config.websocket;
  if (ws.enabled) {
    constexpr std::string_view kRequired = "required when websocket.enabled is true";
    if (ws.host.empty()) {
      fail("websocket.host", source("websocket.host"), kRequired);
    }
    if (ws.path.empty()) {
      fail("websocket.path", source("websocket.path"), kRequired);
    }
  }
  if (ws.tls.enabled) {
    constexpr std::string_view kRequired = "required when websocket.tls.enabled is true";
    if (ws.tls.cert_file.empty()) {
      fail("websocket.tls.cert_file", source("websocket.tls.cert_file"), kRequired);
    }
    if (ws.tls.key_file.empty()) {
      fail("websocket.tls.key_file", source("websocket.tls.key_file"), kRequired);
    }
  }
  if (ws.ping_interval >= ws.client_timeout) {
    fail("websocket.ping_interval", source("websocket.ping_interval"),
         "must be shorter than websocket.client_timeout (got " + format_duration(ws.ping_interval) +
             ", client_timeout " + format_duration(ws.client_timeout) + ")");
  }

  // A dead-letter topic equal to an input topic would feed bad records back in forever.
  const KafkaTopics& topics = config.kafka.topics;
  const std::array<std::pair<std::string_view, const std::string*>, 3> named{{
      {"kafka.topics.device_data", &topics.device_data},
      {"kafka.topics.alerts", &topics.alerts},
      {"kafka.topics.dead_letter", &topics.dead_letter},
  }};
  for (std::size_t i = 0; i < named.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (*named[i].second == *named[j].second) {
        fail(named[i].first, source(named[i].first),
             "must differ from " + std::string(named[j].first) + " (both " +
                 quote(*named[i].second) + ")");
      }
    }
  }
}

// ---- Threshold rules ---------------------------------------------------------------------------

// Reads one entry of `rules:`; every error names rules[<index>].<key>.
class RuleReader {
 public:
  RuleReader(const YAML::Node& node, std::size_t index)
      : node_(node), prefix_(std::string(kRulesKey) + "[" + std::to_string(index) + "]") {}

  RuleConfig read() const {
    if (!node_.IsMap()) {
      fail(prefix_, "",
           "must be a mapping with name, sensor, op, value, severity and title (got " +
               describe(node_) + ")");
    }
    constexpr std::array<std::string_view, 12> kKeys{
        "name",  "device_ids", "device_types",     "locations", "sensor", "op",
        "value", "for",        "clear_hysteresis", "severity",  "title",  "description"};
    std::set<std::string, std::less<>> seen;
    for (const auto& entry : node_) {
      if (!entry.first.IsScalar()) {
        fail(prefix_, "", "keys must be plain names (got " + describe(entry.first) + ")");
      }
      const std::string& key = entry.first.Scalar();
      if (std::find(kKeys.begin(), kKeys.end(), key) == kKeys.end()) {
        fail(path(key), "", "unknown key (a rule has " + join_keys(kKeys) + ")");
      }
      if (!seen.insert(key).second) {
        fail(path(key), "", "duplicate key");
      }
    }

    RuleConfig rule;
    rule.name = required_text("name");
    rule.device_ids = list("device_ids");
    rule.device_types = list("device_types");
    rule.locations = list("locations");
    rule.sensor = required_text("sensor");
    {
      const std::string text = scalar(required("op"), "op", "one of > >= < <= == !=");
      const auto op = std::find_if(kRuleOps.begin(), kRuleOps.end(),
                                   [&](const auto& entry) { return entry.first == text; });
      if (op == kRuleOps.end()) {
        fail(path("op"), "", "must be one of > >= < <= == != (got " + quote(text) + ")");
      }
      rule.op = op->second;
    }
    rule.value = number(required("value"), "value");
    if (const YAML::Node n = node_["for"]; n) {
      rule.hold = hold(n);
    }
    if (const YAML::Node n = node_["clear_hysteresis"]; n) {
      rule.clear_hysteresis = number(n, "clear_hysteresis");
      if (rule.clear_hysteresis < 0) {
        fail(path("clear_hysteresis"), "", "must be >= 0 (got " + n.Scalar() + ")");
      }
    }
    {
      const std::string text = scalar(required("severity"), "severity", join_choices(kSeverities));
      if (std::find(kSeverities.begin(), kSeverities.end(), text) == kSeverities.end()) {
        fail(path("severity"), "",
             "must be " + join_choices(kSeverities) + " (got " + quote(text) + ")");
      }
      rule.severity = text;
    }
    rule.title = required_text("title");
    if (const YAML::Node n = node_["description"]; n && !n.IsNull()) {
      rule.description = scalar(n, "description", "a string");
    }
    return rule;
  }

  std::string path(std::string_view key) const { return prefix_ + "." + std::string(key); }

 private:
  template <std::size_t N>
  static std::string join_keys(const std::array<std::string_view, N>& keys) {
    std::string out;
    for (std::size_t i = 0; i < N; ++i) {
      out += i == 0 ? "" : ", ";
      out += keys[i];
    }
    return out;
  }

  YAML::Node required(std::string_view key) const {
    YAML::Node n = node_[std::string(key)];
    if (!n || n.IsNull()) {
      fail(path(key), "", "required");
    }
    return n;
  }

  std::string scalar(const YAML::Node& n, std::string_view key, std::string_view expected) const {
    if (!n.IsScalar()) {
      fail(path(key), "", "must be " + std::string(expected) + " (got " + describe(n) + ")");
    }
    return n.Scalar();
  }

  std::string required_text(std::string_view key) const {
    std::string text = scalar(required(key), key, "a string");
    if (text.empty()) {
      fail(path(key), "", "must not be empty");
    }
    return text;
  }

  double number(const YAML::Node& n, std::string_view key) const {
    const std::string text = scalar(n, key, "a number");
    const std::string_view t = trim(text);
    const char* begin = t.data();
    if (!t.empty() && t.front() == '+') {
      ++begin;
    }
    double parsed = 0;
    const auto [end, ec] = std::from_chars(begin, t.data() + t.size(), parsed);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(parsed)) {
      fail(path(key), "", "must be a number (got " + quote(text) + ")");
    }
    return parsed;
  }

  Duration hold(const YAML::Node& n) const {
    const std::string text = scalar(n, "for", "a duration such as 0s, 30s or 5m");
    if (!text.empty() && text.front() == '-') {
      fail(path("for"), "", "must not be negative (got " + quote(text) + ")");
    }
    const auto parsed = text_formats::parse_go_duration(text);
    if (!parsed) {
      fail(path("for"), "", "invalid duration " + quote(text) + " " + std::string(kDurationHint));
    }
    if (*parsed % std::chrono::milliseconds(1) != std::chrono::nanoseconds::zero()) {
      fail(path("for"), "", "must be a whole number of milliseconds (got " + quote(text) + ")");
    }
    return std::chrono::duration_cast<Duration>(*parsed);
  }

  std::vector<std::string> list(std::string_view key) const {
    const YAML::Node n = node_[std::string(key)];
    std::vector<std::string> items;
    if (!n || n.IsNull()) {
      return items;
    }
    if (!n.IsSequence()) {
      fail(path(key), "", "must be a list of strings (got " + describe(n) + ")");
    }
    for (const auto& item : n) {
      const std::string item_path = path(key) + "[" + std::to_string(items.size()) + "]";
      if (!item.IsScalar()) {
        fail(item_path, "", "must be a string (got " + describe(item) + ")");
      }
      if (item.Scalar().empty()) {
        fail(item_path, "", "must not be empty");
      }
      items.push_back(item.Scalar());
    }
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    return items;
  }

  YAML::Node node_;  // a handle: node[i] is a temporary
  std::string prefix_;
};

std::vector<RuleConfig> parse_rules(const RawValues& raw) {
  std::vector<RuleConfig> rules;
  const auto it = raw.find(kRulesKey);
  if (it == raw.end() || it->second.node.IsNull()) {
    return rules;
  }
  const YAML::Node& node = it->second.node;
  if (!node.IsSequence()) {
    fail(kRulesKey, "", "must be a list of rules (got " + describe(node) + ")");
  }
  std::map<std::string, std::size_t, std::less<>> index_of;
  for (std::size_t i = 0; i < node.size(); ++i) {
    RuleReader reader(node[i], i);
    RuleConfig rule = reader.read();
    if (const auto [at, inserted] = index_of.emplace(rule.name, i); !inserted) {
      fail(reader.path("name"), "",
           "must be unique (got " + quote(rule.name) + ", also rules[" +
               std::to_string(at->second) + "].name)");
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

bool is_hmac_algorithm(std::string_view name) {
  return name.starts_with("HS");
}

// auth: names and digests checked, digests normalised to lower case, and the keys each mode
// needs present. The key files themselves are read by auth::Authenticator.
void validate_auth(AuthConfig& auth, const RawValues& raw) {
  const auto source = [&](std::string_view path) -> std::string_view {
    const auto it = raw.find(path);
    return it == raw.end() ? std::string_view{} : std::string_view(it->second.env_name);
  };
  for (std::size_t i = 0; i < auth.admin_tokens_sha256.size(); ++i) {
    auth.admin_tokens_sha256[i] =
        sha256_hex_at("auth.admin_tokens_sha256[" + std::to_string(i) + "]",
                      auth.admin_tokens_sha256[i], source("auth.admin_tokens_sha256"));
  }
  JwtConfig& jwt = auth.jwt;
  for (std::size_t i = 0; i < jwt.algorithms.size(); ++i) {
    const std::string& name = jwt.algorithms[i];
    if (std::find(std::begin(kJwtAlgorithms), std::end(kJwtAlgorithms), name) ==
        std::end(kJwtAlgorithms)) {
      fail("auth.jwt.algorithms[" + std::to_string(i) + "]", source("auth.jwt.algorithms"),
           "must be one of HS256, HS384, HS512, RS256, RS384, RS512, ES256 (got " + quote(name) +
               ")");
    }
  }
  if (auth.mode == AuthMode::kToken && auth.tokens.empty()) {
    fail("auth.tokens", "", "must not be empty when auth.mode is token");
  }
  if (auth.mode != AuthMode::kJwt) {
    return;
  }
  if (jwt.algorithms.empty()) {
    fail("auth.jwt.algorithms", source("auth.jwt.algorithms"),
         "must not be empty when auth.mode is jwt");
  }
  const bool hmac = std::any_of(jwt.algorithms.begin(), jwt.algorithms.end(), is_hmac_algorithm);
  const bool asymmetric =
      std::any_of(jwt.algorithms.begin(), jwt.algorithms.end(),
                  [](const std::string& name) { return !is_hmac_algorithm(name); });
  if (hmac && jwt.secret_file.empty()) {
    fail("auth.jwt.secret_file", source("auth.jwt.secret_file"),
         "required when auth.jwt.algorithms has an HS algorithm");
  }
  if (asymmetric && jwt.public_key_file.empty()) {
    fail("auth.jwt.public_key_file", source("auth.jwt.public_key_file"),
         "required when auth.jwt.algorithms has an RS or ES algorithm");
  }
}

// `source` names the file in syntax errors; empty for text that did not come from a file.
Config parse_document(const std::string& yaml_text, std::string_view source, EnvLookup env) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    std::ostringstream line;
    line << "config error: ";
    if (!source.empty()) {
      line << source << ": ";
    }
    line << "YAML syntax error at line " << e.mark.line + 1 << ", column " << e.mark.column + 1
         << ": " << e.msg;
    throw ConfigError(line.str());
  }

  const Schema schema;
  RawValues raw;
  if (root.IsMap()) {
    collect_mapping(root, "", schema, raw);
  } else if (!root.IsNull()) {
    throw ConfigError(
        "config error: the document must be a mapping with the sections websocket, kafka, "
        "processor, resume, log and auth (got " +
        describe(root) + ")");
  }
  collect_env(schema, env != nullptr ? env : &real_getenv, raw);

  Config config;
  Applier applier(raw);
  visit_fields(config, applier);
  validate_relations(config, raw);
  config.rules = parse_rules(raw);
  validate_auth(config.auth, raw);
  return config;
}

}  // namespace

Config parse_config(const std::string& yaml_text, EnvLookup env) {
  return parse_document(yaml_text, "", env);
}

Config load_config(const std::string& path, EnvLookup env) {
  const auto cannot_read = [&](const std::string& reason) {
    return ConfigError("config error: cannot read config file " + quote(path) + ": " + reason);
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw cannot_read(std::make_error_code(std::errc::is_a_directory).message());
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno != 0 ? errno : EIO;
    throw cannot_read(std::error_code(error, std::generic_category()).message());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw cannot_read(std::make_error_code(std::errc::io_error).message());
  }
  return parse_document(text.str(), path, env);
}

Duration parse_duration(const std::string& text) {
  const auto parsed = text_formats::parse_go_duration(text);
  if (!parsed) {
    throw std::invalid_argument("invalid duration " + quote(text) + " " +
                                std::string(kDurationHint));
  }
  if (*parsed % std::chrono::milliseconds(1) != std::chrono::nanoseconds::zero()) {
    throw std::invalid_argument("duration " + quote(text) +
                                " is not a whole number of milliseconds");
  }
  return std::chrono::duration_cast<Duration>(*parsed);
}

std::string format_duration(Duration duration) {
  if (duration == Duration::zero()) {
    return "0s";
  }
  std::string out;
  if (duration < Duration::zero()) {
    out += '-';
    duration = -duration;
  }
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(duration);
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(duration - hours);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration - hours - minutes);
  const auto millis = duration - hours - minutes - seconds;
  if (hours.count() != 0) {
    out += std::to_string(hours.count()) + "h";
  }
  if (minutes.count() != 0) {
    out += std::to_string(minutes.count()) + "m";
  }
  if (seconds.count() != 0) {
    out += std::to_string(seconds.count()) + "s";
  }
  if (millis.count() != 0) {
    out += std::to_string(millis.count()) + "ms";
  }
  return out;
}

std::string_view to_string(OverflowPolicy policy) {
  return name_of(kOverflowPolicies, policy);
}
std::string_view to_string(OffsetReset reset) {
  return name_of(kOffsetResets, reset);
}
std::string_view to_string(LogFormat format) {
  return name_of(kLogFormats, format);
}
std::string_view to_string(RuleOp op) {
  for (const auto& [name, entry] : kRuleOps) {
    if (entry == op) {
      return name;
    }
  }
  return "?";
}

std::string_view to_string(AuthMode mode) {
  return name_of(kAuthModes, mode);
}

std::string_view to_string(TlsVersion version) {
  return name_of(kTlsVersions, version);
}

}  // namespace iiot::config

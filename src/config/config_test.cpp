#include "config/config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace iiot::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// EnvLookup is a plain function pointer, so the fake environment lives in a file-level variable
// that each test sets through FakeEnv and that is cleared again when the test ends.
std::map<std::string, std::string>* g_fake_env = nullptr;

const char* fake_lookup(const char* name) {
  if (g_fake_env == nullptr) {
    return nullptr;
  }
  const auto it = g_fake_env->find(name);
  return it == g_fake_env->end() ? nullptr : it->second.c_str();
}

class FakeEnv {
 public:
  FakeEnv() : FakeEnv(std::map<std::string, std::string>{}) {}
  explicit FakeEnv(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {
    g_fake_env = &vars_;
  }
  ~FakeEnv() { g_fake_env = nullptr; }
  FakeEnv(const FakeEnv&) = delete;
  FakeEnv& operator=(const FakeEnv&) = delete;

 private:
  std::map<std::string, std::string> vars_;
};

// Parses with an empty fake environment, so the real one never leaks into a test.
Config parse(const std::string& yaml) {
  const FakeEnv env;
  return parse_config(yaml, &fake_lookup);
}

std::string error_of(const std::string& yaml, std::map<std::string, std::string> vars = {}) {
  const FakeEnv env(std::move(vars));
  try {
    parse_config(yaml, &fake_lookup);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// ---- Defaults ----------------------------------------------------------------------------------

TEST(ConfigDefaults, MatchContractSection4) {
  const Config c = parse("");
  EXPECT_TRUE(c.websocket.enabled);
  EXPECT_EQ(c.websocket.host, "0.0.0.0");
  EXPECT_EQ(c.websocket.port, 8081);
  EXPECT_EQ(c.websocket.path, "/ws");
  EXPECT_EQ(c.websocket.max_connections, 100);
  EXPECT_EQ(c.websocket.read_buffer_size, 1024);
  EXPECT_EQ(c.websocket.write_buffer_size, 1024);
  EXPECT_EQ(c.websocket.handshake_timeout, seconds(10));
  EXPECT_EQ(c.websocket.connection_timeout, seconds(30));
  EXPECT_FALSE(c.websocket.check_origin);
  EXPECT_TRUE(c.websocket.allowed_origins.empty());
  EXPECT_EQ(c.websocket.queue_size, 1000);
  EXPECT_EQ(c.websocket.worker_count, 4);
  EXPECT_EQ(c.websocket.write_timeout, seconds(10));
  EXPECT_EQ(c.websocket.ping_interval, seconds(54));
  EXPECT_EQ(c.websocket.client_timeout, seconds(60));
  EXPECT_EQ(c.websocket.max_message_size, 1048576);
  EXPECT_TRUE(c.websocket.enable_compression);
  EXPECT_EQ(c.websocket.overflow_policy, OverflowPolicy::kDropOldest);
  EXPECT_EQ(c.websocket.max_queue_bytes, 4194304);

  EXPECT_EQ(c.kafka.brokers, std::vector<std::string>{"127.0.0.1:9092"});
  EXPECT_EQ(c.kafka.group_id, "iiot-gateway");
  EXPECT_EQ(c.kafka.client_id, "iiot-gateway");
  EXPECT_EQ(c.kafka.topics.device_data, "iiot.device-data");
  EXPECT_EQ(c.kafka.topics.alerts, "iiot.alerts");
  EXPECT_EQ(c.kafka.topics.dead_letter, "iiot.dead-letter");
  EXPECT_EQ(c.kafka.auto_offset_reset, OffsetReset::kLatest);
  EXPECT_TRUE(c.kafka.properties.empty());

  EXPECT_TRUE(c.processor.enable_push);
  EXPECT_TRUE(c.processor.async_push);
  EXPECT_EQ(c.processor.push_retry_attempts, 3);
  EXPECT_EQ(c.processor.push_retry_backoff, milliseconds(10));
  EXPECT_EQ(c.processor.max_payload_bytes, 1048576);

  EXPECT_EQ(c.resume.checkpoint_interval, seconds(1));
  EXPECT_EQ(c.resume.memory_bytes, 67108864);
  EXPECT_EQ(c.resume.max_replay_events, 1000000);
  EXPECT_EQ(c.resume.max_replay_rate, 50000);
  EXPECT_EQ(c.resume.state_ttl, std::chrono::hours(24));

  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, LogFormat::kText);
}

class EmptyDocumentTest : public testing::TestWithParam<std::string> {};

TEST_P(EmptyDocumentTest, GivesDefaults) {
  EXPECT_EQ(parse(GetParam()), Config{});
}

INSTANTIATE_TEST_SUITE_P(Config, EmptyDocumentTest,
                         testing::Values("", "\n", "# only a comment\n", "{}", "---\n",
                                         "websocket:\nkafka:\n  topics:\nprocessor:\nlog:\n",
                                         "websocket: {}\nkafka: {topics: {}}\n"));

TEST(ConfigDefaults, MissingKeysKeepDefaultsBesidePresentOnes) {
  const Config c = parse("websocket:\n  port: 9000\nkafka:\n  topics:\n    alerts: a\n");
  Config expected;
  expected.websocket.port = 9000;
  expected.kafka.topics.alerts = "a";
  EXPECT_EQ(c, expected);
}

// ---- Every key parsed --------------------------------------------------------------------------

TEST(ConfigParse, EveryKey) {
  const Config c = parse(R"(
websocket:
  enabled: false
  host: "127.0.0.1"
  port: 9001
  path: "/stream"
  max_connections: 7
  read_buffer_size: 2048
  write_buffer_size: 4096
  handshake_timeout: "5s"
  connection_timeout: "1m"
  check_origin: true
  allowed_origins: ["https://a.example", "https://b.example"]
  queue_size: 64
  worker_count: 2
  write_timeout: "1500ms"
  ping_interval: "20s"
  client_timeout: "1m30s"
  max_message_size: 65536
  enable_compression: false
  overflow_policy: "disconnect"
  max_queue_bytes: 1000000
kafka:
  brokers: ["k1:9092", "k2:9093"]
  group_id: "g"
  client_id: "c"
  topics:
    device_data: "dd"
    alerts: "al"
    dead_letter: "dl"
  auto_offset_reset: "earliest"
  properties:
    fetch.wait.max.ms: "5"
    queued.min.messages: 1000
    enable.partition.eof: false
processor:
  enable_push: false
  async_push: false
  push_retry_attempts: 0
  push_retry_backoff: "250ms"
  max_payload_bytes: 4096
log:
  level: "debug"
  format: "json"
)");
  Config expected;
  WebSocketConfig& ws = expected.websocket;
  ws.enabled = false;
  ws.host = "127.0.0.1";
  ws.port = 9001;
  ws.path = "/stream";
  ws.max_connections = 7;
  ws.read_buffer_size = 2048;
  ws.write_buffer_size = 4096;
  ws.handshake_timeout = seconds(5);
  ws.connection_timeout = minutes(1);
  ws.check_origin = true;
  ws.allowed_origins = {"https://a.example", "https://b.example"};
  ws.queue_size = 64;
  ws.worker_count = 2;
  ws.write_timeout = milliseconds(1500);
  ws.ping_interval = seconds(20);
  ws.client_timeout = seconds(90);
  ws.max_message_size = 65536;
  ws.enable_compression = false;
  ws.overflow_policy = OverflowPolicy::kDisconnect;
  ws.max_queue_bytes = 1000000;
  KafkaConfig& kafka = expected.kafka;
  kafka.brokers = {"k1:9092", "k2:9093"};
  kafka.group_id = "g";
  kafka.client_id = "c";
  kafka.topics = {"dd", "al", "dl"};
  kafka.auto_offset_reset = OffsetReset::kEarliest;
  kafka.properties = {{"fetch.wait.max.ms", "5"},
                      {"queued.min.messages", "1000"},
                      {"enable.partition.eof", "false"}};
  ProcessorConfig& processor = expected.processor;
  processor.enable_push = false;
  processor.async_push = false;
  processor.push_retry_attempts = 0;
  processor.push_retry_backoff = milliseconds(250);
  processor.max_payload_bytes = 4096;
  expected.log.level = "debug";
  expected.log.format = LogFormat::kJson;

  EXPECT_EQ(c.websocket, expected.websocket);
  EXPECT_EQ(c.kafka, expected.kafka);
  EXPECT_EQ(c.processor, expected.processor);
  EXPECT_EQ(c.log, expected.log);
}

TEST(ConfigParse, DisabledWebSocketNeedsNoHostOrPath) {
  const Config c = parse("websocket:\n  enabled: false\n  host: \"\"\n  path: \"\"\n");
  EXPECT_FALSE(c.websocket.enabled);
  EXPECT_TRUE(c.websocket.host.empty());
  EXPECT_TRUE(c.websocket.path.empty());
}

TEST(ConfigParse, QuotedNumbersAndNullCollections) {
  const Config c = parse(
      "websocket:\n  port: \"9002\"\n  allowed_origins:\nkafka:\n  properties:\n"
      "processor:\n  push_retry_attempts: '5'\n");
  EXPECT_EQ(c.websocket.port, 9002);
  EXPECT_TRUE(c.websocket.allowed_origins.empty());
  EXPECT_TRUE(c.kafka.properties.empty());
  EXPECT_EQ(c.processor.push_retry_attempts, 5);
}

TEST(ConfigParse, BlockListAndEveryLogLevel) {
  EXPECT_EQ(parse("kafka:\n  brokers:\n    - a:1\n    - b:2\n").kafka.brokers,
            (std::vector<std::string>{"a:1", "b:2"}));
  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    EXPECT_EQ(parse(std::string("log:\n  level: ") + level + "\n").log.level, level);
  }
}

struct BoolCase {
  const char* text;
  bool value;
};

class BoolSpellingTest : public testing::TestWithParam<BoolCase> {};

TEST_P(BoolSpellingTest, Parses) {
  EXPECT_EQ(parse(std::string("websocket:\n  check_origin: ") + GetParam().text + "\n")
                .websocket.check_origin,
            GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(Config, BoolSpellingTest,
                         testing::Values(BoolCase{"true", true}, BoolCase{"True", true},
                                         BoolCase{"yes", true}, BoolCase{"on", true},
                                         BoolCase{"1", true}, BoolCase{"false", false},
                                         BoolCase{"FALSE", false}, BoolCase{"no", false},
                                         BoolCase{"off", false}, BoolCase{"0", false}));

// ---- Every error form --------------------------------------------------------------------------

struct ErrorCase {
  const char* name;
  const char* yaml;
  const char* message;
};

// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks up
void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.name;
}

class ParseErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ParseErrorTest, NamesTheKey) {
  EXPECT_EQ(error_of(GetParam().yaml), GetParam().message);
}

const ErrorCase kErrorCases[] = {
    // Ranges.
    {"PortZero", "websocket:\n  port: 0\n",
     "config error: websocket.port: must be 1..65535 (got 0)"},
    {"PortTooLarge", "websocket:\n  port: 70000\n",
     "config error: websocket.port: must be 1..65535 (got 70000)"},
    {"PortHuge", "websocket:\n  port: 99999999999\n",
     "config error: websocket.port: must be 1..65535 (got 99999999999)"},
    {"MaxConnectionsZero", "websocket:\n  max_connections: 0\n",
     "config error: websocket.max_connections: must be >= 1 (got 0)"},
    {"MaxConnectionsBeyondInt", "websocket:\n  max_connections: 3000000000\n",
     "config error: websocket.max_connections: must be <= 2147483647 (got 3000000000)"},
    {"ReadBufferZero", "websocket:\n  read_buffer_size: 0\n",
     "config error: websocket.read_buffer_size: must be >= 1 (got 0)"},
    {"WriteBufferNegative", "websocket:\n  write_buffer_size: -1\n",
     "config error: websocket.write_buffer_size: must be >= 1 (got -1)"},
    {"QueueSizeZero", "websocket:\n  queue_size: 0\n",
     "config error: websocket.queue_size: must be >= 1 (got 0)"},
    {"WorkerCountZero", "websocket:\n  worker_count: 0\n",
     "config error: websocket.worker_count: must be 1..256 (got 0)"},
    {"WorkerCountTooMany", "websocket:\n  worker_count: 257\n",
     "config error: websocket.worker_count: must be 1..256 (got 257)"},
    {"MaxMessageSizeZero", "websocket:\n  max_message_size: 0\n",
     "config error: websocket.max_message_size: must be >= 1 (got 0)"},
    {"MaxQueueBytesZero", "websocket:\n  max_queue_bytes: 0\n",
     "config error: websocket.max_queue_bytes: must be >= 1 (got 0)"},
    {"RetryAttemptsNegative", "processor:\n  push_retry_attempts: -1\n",
     "config error: processor.push_retry_attempts: must be >= 0 (got -1)"},
    {"MaxPayloadZero", "processor:\n  max_payload_bytes: 0\n",
     "config error: processor.max_payload_bytes: must be >= 1 (got 0)"},
    // Types.
    {"PortNotInteger", "websocket:\n  port: abc\n",
     "config error: websocket.port: must be an integer (got \"abc\")"},
    {"PortFraction", "websocket:\n  port: 80.5\n",
     "config error: websocket.port: must be an integer (got \"80.5\")"},
    {"PortList", "websocket:\n  port: [1]\n",
     "config error: websocket.port: must be an integer (got a list)"},
    {"PortNull", "websocket:\n  port:\n",
     "config error: websocket.port: must be an integer (got null)"},
    {"EnabledNotBool", "websocket:\n  enabled: maybe\n",
     "config error: websocket.enabled: must be true or false (got \"maybe\")"},
    {"HostMapping", "websocket:\n  host: {a: 1}\n",
     "config error: websocket.host: must be a string (got a mapping)"},
    {"BrokersScalar", "kafka:\n  brokers: \"k:9092\"\n",
     "config error: kafka.brokers: must be a list of strings (got \"k:9092\")"},
    {"BrokerItemList", "kafka:\n  brokers: [a, [b]]\n",
     "config error: kafka.brokers[1]: must be a string (got a list)"},
    {"PropertiesList", "kafka:\n  properties: [a]\n",
     "config error: kafka.properties: must be a mapping of strings (got a list)"},
    {"PropertyValueMapping", "kafka:\n  properties:\n    a.b: {c: d}\n",
     "config error: kafka.properties[\"a.b\"]: must be a string, number or boolean (got a "
     "mapping)"},
    {"SectionNotMapping", "websocket: 5\n",
     "config error: websocket: must be a mapping of keys (got \"5\")"},
    {"NestedSectionNotMapping", "kafka:\n  topics: [a]\n",
     "config error: kafka.topics: must be a mapping of keys (got a list)"},
    {"DocumentNotMapping", "- a\n- b\n",
     "config error: the document must be a mapping with the sections websocket, kafka, "
     "processor, resume, log and auth (got a list)"},
    {"ValueQuotedWithEscapes", "websocket:\n  port: \"a\\\"b\\n\"\n",
     "config error: websocket.port: must be an integer (got \"a\\\"b\\x0a\")"},
    // Unknown keys.
    {"UnknownKey", "websocket:\n  bogus: 1\n", "config error: websocket.bogus: unknown key"},
    {"UnknownSection", "bogus:\n  a: 1\n", "config error: bogus: unknown key"},
    {"UnknownNestedKey", "kafka:\n  topics:\n    bogus: x\n",
     "config error: kafka.topics.bogus: unknown key"},
    {"UnknownKeyUnderLeaf", "kafka:\n  group_id:\n    x: 1\n",
     "config error: kafka.group_id: must be a string (got a mapping)"},
    {"TypoSuggestsKey", "websocket:\n  prot: 1\n",
     "config error: websocket.prot: unknown key (did you mean websocket.port?)"},
    {"TypoSuggestsSection", "websockets:\n  port: 1\n",
     "config error: websockets: unknown key (did you mean websocket?)"},
    {"DuplicateKey", "websocket:\n  port: 1\n  port: 2\n",
     "config error: websocket.port: duplicate key"},
    {"DuplicateSection", "log: {}\nlog: {}\n", "config error: log: duplicate key"},
    // Durations.
    {"InvalidDuration", "websocket:\n  ping_interval: abc\n",
     "config error: websocket.ping_interval: invalid duration \"abc\" (use e.g. 500ms, 10s, 1m)"},
    {"DurationWithoutUnit", "websocket:\n  write_timeout: 10\n",
     "config error: websocket.write_timeout: invalid duration \"10\" (use e.g. 500ms, 10s, 1m)"},
    {"DurationZero", "websocket:\n  handshake_timeout: 0s\n",
     "config error: websocket.handshake_timeout: must be > 0 (got \"0s\")"},
    {"DurationBelowMillisecond", "processor:\n  push_retry_backoff: 500us\n",
     "config error: processor.push_retry_backoff: must be a whole number of milliseconds (got "
     "\"500us\")"},
    {"DurationList", "websocket:\n  connection_timeout: [1s]\n",
     "config error: websocket.connection_timeout: must be a duration such as 500ms, 10s or 1m "
     "(got a list)"},
    {"PingNotBelowClientTimeout", "websocket:\n  ping_interval: 60s\n",
     "config error: websocket.ping_interval: must be shorter than websocket.client_timeout (got "
     "1m, client_timeout 1m)"},
    // Enumerations.
    {"OverflowPolicy", "websocket:\n  overflow_policy: block\n",
     "config error: websocket.overflow_policy: must be drop_oldest or disconnect (got \"block\")"},
    {"OffsetReset", "kafka:\n  auto_offset_reset: smallest\n",
     "config error: kafka.auto_offset_reset: must be earliest or latest (got \"smallest\")"},
    {"LogLevel", "log:\n  level: verbose\n",
     "config error: log.level: must be one of trace, debug, info, warn, error (got \"verbose\")"},
    {"LogFormat", "log:\n  format: xml\n",
     "config error: log.format: must be text or json (got \"xml\")"},
    // Required and non-empty values.
    {"HostRequiredWhenEnabled", "websocket:\n  host: \"\"\n",
     "config error: websocket.host: required when websocket.enabled is true"},
    {"PathRequiredWhenEnabled", "websocket:\n  path: \"\"\n",
     "config error: websocket.path: required when websocket.enabled is true"},
    {"PathWithoutSlash", "websocket:\n  path: ws\n",
     "config error: websocket.path: must be a path starting with \"/\" (got \"ws\")"},
    {"BrokersEmpty", "kafka:\n  brokers: []\n", "config error: kafka.brokers: must not be empty"},
    {"BrokersNull", "kafka:\n  brokers:\n", "config error: kafka.brokers: must not be empty"},
    {"BrokerItemEmpty", "kafka:\n  brokers: [a, \"\"]\n",
     "config error: kafka.brokers[1]: must not be empty"},
    {"OriginItemEmpty", "websocket:\n  allowed_origins: [\"\"]\n",
     "config error: websocket.allowed_origins[0]: must not be empty"},
    {"GroupIdEmpty", "kafka:\n  group_id: \"\"\n",
     "config error: kafka.group_id: must not be empty"},
    {"ClientIdEmpty", "kafka:\n  client_id: \"\"\n",
     "config error: kafka.client_id: must not be empty"},
    {"TopicEmpty", "kafka:\n  topics:\n    alerts: \"\"\n",
     "config error: kafka.topics.alerts: must be a Kafka topic name (1..249 characters of A-Z "
     "a-z 0-9 . _ -) (got \"\")"},
    {"TopicWithSpace", "kafka:\n  topics:\n    device_data: \"a b\"\n",
     "config error: kafka.topics.device_data: must be a Kafka topic name (1..249 characters of "
     "A-Z a-z 0-9 . _ -) (got \"a b\")"},
    {"DeadLetterIsInputTopic", "kafka:\n  topics:\n    dead_letter: iiot.alerts\n",
     "config error: kafka.topics.dead_letter: must differ from kafka.topics.alerts (both "
     "\"iiot.alerts\")"},
    {"PropertyManagedElsewhere", "kafka:\n  properties:\n    group.id: x\n",
     "config error: kafka.properties[\"group.id\"]: set kafka.group_id instead"},
    {"PropertyNull", "kafka:\n  properties:\n    a:\n",
     "config error: kafka.properties[\"a\"]: must be a string, number or boolean (got null)"},
    // Snapshot and resume.
    {"ResumeIntervalZero", "resume:\n  checkpoint_interval: \"0\"\n",
     "config error: resume.checkpoint_interval: must be > 0 (got \"0\")"},
    {"ResumeMemoryNegative", "resume:\n  memory_bytes: -1\n",
     "config error: resume.memory_bytes: must be >= 0 (got -1)"},
    {"ResumeMaxEventsZero", "resume:\n  max_replay_events: 0\n",
     "config error: resume.max_replay_events: must be >= 1 (got 0)"},
    {"ResumeRateText", "resume:\n  max_replay_rate: fast\n",
     "config error: resume.max_replay_rate: must be an integer (got \"fast\")"},
    {"ResumeTtlBad", "resume:\n  state_ttl: 1d\n",
     "config error: resume.state_ttl: invalid duration \"1d\" (use e.g. 500ms, 10s, 1m)"},
    {"ResumeUnknownKey", "resume:\n  memory: 1\n", "config error: resume.memory: unknown key"},
    // Syntax.
    {"YamlSyntax", "websocket:\n  port: [1, 2\n",
     "config error: YAML syntax error at line 3, column 1: end of sequence flow not found"},
    {"YamlTab", "websocket:\n\tport: 1\n",
     "config error: YAML syntax error at line 2, column 6: illegal map value"},
};

INSTANTIATE_TEST_SUITE_P(Config, ParseErrorTest, testing::ValuesIn(kErrorCases),
                         [](const testing::TestParamInfo<ErrorCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(ConfigErrors, AreConfigErrorsWithTheWholeLine) {
  try {
    parse("websocket:\n  port: 0\n");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(dynamic_cast<const ConfigError*>(&e), nullptr);
    EXPECT_STREQ(e.what(), "config error: websocket.port: must be 1..65535 (got 0)");
  }
}

// ---- Environment overrides ---------------------------------------------------------------------

Config parse_with_env(const std::string& yaml, std::map<std::string, std::string> vars) {
  const FakeEnv env(std::move(vars));
  return parse_config(yaml, &fake_lookup);
}

TEST(ConfigEnv, ScalarOverridesFileAndDefault) {
  const Config c = parse_with_env("websocket:\n  port: 9000\n",
                                  {{"IIOT_WEBSOCKET_PORT", "9100"},
                                   {"IIOT_WEBSOCKET_HOST", "127.0.0.1"},
                                   {"IIOT_LOG_LEVEL", "debug"},
                                   {"IIOT_LOG_FORMAT", "json"},
                                   {"IIOT_WEBSOCKET_ENABLE_COMPRESSION", "false"},
                                   {"IIOT_WEBSOCKET_OVERFLOW_POLICY", "disconnect"},
                                   {"IIOT_WEBSOCKET_CLIENT_TIMEOUT", "2m"},
                                   {"IIOT_PROCESSOR_MAX_PAYLOAD_BYTES", "2048"}});
  EXPECT_EQ(c.websocket.port, 9100);
  EXPECT_EQ(c.websocket.host, "127.0.0.1");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, LogFormat::kJson);
  EXPECT_FALSE(c.websocket.enable_compression);
  EXPECT_EQ(c.websocket.overflow_policy, OverflowPolicy::kDisconnect);
  EXPECT_EQ(c.websocket.client_timeout, minutes(2));
  EXPECT_EQ(c.processor.max_payload_bytes, 2048);
}

TEST(ConfigEnv, ResumeSection) {
  const Config c =
      parse_with_env("resume:\n  memory_bytes: 5\n", {{"IIOT_RESUME_MEMORY_BYTES", "1024"},
                                                      {"IIOT_RESUME_CHECKPOINT_INTERVAL", "250ms"},
                                                      {"IIOT_RESUME_MAX_REPLAY_EVENTS", "10"},
                                                      {"IIOT_RESUME_MAX_REPLAY_RATE", "100"},
                                                      {"IIOT_RESUME_STATE_TTL", "1h"}});
  EXPECT_EQ(c.resume.memory_bytes, 1024);
  EXPECT_EQ(c.resume.checkpoint_interval, milliseconds(250));
  EXPECT_EQ(c.resume.max_replay_events, 10);
  EXPECT_EQ(c.resume.max_replay_rate, 100);
  EXPECT_EQ(c.resume.state_ttl, std::chrono::hours(1));
}

TEST(ConfigEnv, ListsAreCommaSeparated) {
  const Config c =
      parse_with_env("kafka:\n  brokers: [file:9092]\n",
                     {{"IIOT_KAFKA_BROKERS", "k1:9092, k2:9092 ,k3:9092"},
                      {"IIOT_WEBSOCKET_ALLOWED_ORIGINS", "https://a.example,https://b.example"}});
  EXPECT_EQ(c.kafka.brokers, (std::vector<std::string>{"k1:9092", "k2:9092", "k3:9092"}));
  EXPECT_EQ(c.websocket.allowed_origins,
            (std::vector<std::string>{"https://a.example", "https://b.example"}));
}

TEST(ConfigEnv, EmptyVariableClearsAList) {
  const Config c = parse_with_env("websocket:\n  allowed_origins: [https://a.example]\n",
                                  {{"IIOT_WEBSOCKET_ALLOWED_ORIGINS", ""}});
  EXPECT_TRUE(c.websocket.allowed_origins.empty());
}

TEST(ConfigEnv, NestedKeys) {
  const Config c = parse_with_env("", {{"IIOT_KAFKA_TOPICS_ALERTS", "plant.alerts"},
                                       {"IIOT_KAFKA_TOPICS_DEVICE_DATA", "plant.data"},
                                       {"IIOT_KAFKA_TOPICS_DEAD_LETTER", "plant.dlq"}});
  EXPECT_EQ(c.kafka.topics.alerts, "plant.alerts");
  EXPECT_EQ(c.kafka.topics.device_data, "plant.data");
  EXPECT_EQ(c.kafka.topics.dead_letter, "plant.dlq");
}

TEST(ConfigEnv, OverrideHidesAnInvalidFileValue) {
  // Validation judges the value in force, so a placeholder in the file may be replaced at deploy.
  const Config c = parse_with_env("websocket:\n  port: 0\n", {{"IIOT_WEBSOCKET_PORT", "8443"}});
  EXPECT_EQ(c.websocket.port, 8443);
}

TEST(ConfigEnv, UnrelatedVariablesAreIgnored) {
  EXPECT_EQ(parse_with_env("", {{"IIOT_WEBSOCKET_BOGUS", "1"}, {"IIOT_KAFKA_PROPERTIES", "x"}}),
            Config{});
}

struct EnvErrorCase {
  const char* name;
  const char* yaml;
  std::map<std::string, std::string> vars;
  const char* message;
};

// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks up
void PrintTo(const EnvErrorCase& c, std::ostream* os) {
  *os << c.name;
}

class EnvErrorTest : public testing::TestWithParam<EnvErrorCase> {};

TEST_P(EnvErrorTest, NamesTheVariable) {
  EXPECT_EQ(error_of(GetParam().yaml, GetParam().vars), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Config, EnvErrorTest,
    testing::Values(
        EnvErrorCase{"PortType",
                     "",
                     {{"IIOT_WEBSOCKET_PORT", "x"}},
                     "config error: websocket.port (from IIOT_WEBSOCKET_PORT): must be an integer "
                     "(got \"x\")"},
        EnvErrorCase{"PortRange",
                     "",
                     {{"IIOT_WEBSOCKET_PORT", "0"}},
                     "config error: websocket.port (from IIOT_WEBSOCKET_PORT): must be 1..65535 "
                     "(got 0)"},
        EnvErrorCase{"Bool",
                     "",
                     {{"IIOT_WEBSOCKET_ENABLED", "sometimes"}},
                     "config error: websocket.enabled (from IIOT_WEBSOCKET_ENABLED): must be true "
                     "or false (got \"sometimes\")"},
        EnvErrorCase{"Duration",
                     "",
                     {{"IIOT_WEBSOCKET_PING_INTERVAL", "soon"}},
                     "config error: websocket.ping_interval (from IIOT_WEBSOCKET_PING_INTERVAL): "
                     "invalid duration \"soon\" (use e.g. 500ms, 10s, 1m)"},
        EnvErrorCase{"Enum",
                     "",
                     {{"IIOT_LOG_LEVEL", "loud"}},
                     "config error: log.level (from IIOT_LOG_LEVEL): must be one of trace, debug, "
                     "info, warn, error (got \"loud\")"},
        EnvErrorCase{"BrokersEmpty",
                     "",
                     {{"IIOT_KAFKA_BROKERS", " "}},
                     "config error: kafka.brokers (from IIOT_KAFKA_BROKERS): must not be empty"},
        EnvErrorCase{"BrokerItemEmpty",
                     "",
                     {{"IIOT_KAFKA_BROKERS", "a:1,,b:2"}},
                     "config error: kafka.brokers[1] (from IIOT_KAFKA_BROKERS): must not be empty"},
        EnvErrorCase{"NestedTopic",
                     "",
                     {{"IIOT_KAFKA_TOPICS_ALERTS", "bad topic"}},
                     "config error: kafka.topics.alerts (from IIOT_KAFKA_TOPICS_ALERTS): must be a "
                     "Kafka topic name (1..249 characters of A-Z a-z 0-9 . _ -) (got \"bad "
                     "topic\")"},
        EnvErrorCase{"RequiredHost",
                     "",
                     {{"IIOT_WEBSOCKET_HOST", ""}},
                     "config error: websocket.host (from IIOT_WEBSOCKET_HOST): required when "
                     "websocket.enabled is true"},
        EnvErrorCase{"RelationWithFileValue",
                     "websocket:\n  client_timeout: 30s\n",
                     {{"IIOT_WEBSOCKET_PING_INTERVAL", "45s"}},
                     "config error: websocket.ping_interval (from IIOT_WEBSOCKET_PING_INTERVAL): "
                     "must be shorter than websocket.client_timeout (got 45s, client_timeout "
                     "30s)"},
        EnvErrorCase{"FileErrorStillReported",
                     "websocket:\n  bogus: 1\n",
                     {{"IIOT_WEBSOCKET_PORT", "9000"}},
                     "config error: websocket.bogus: unknown key"}),
    [](const testing::TestParamInfo<EnvErrorCase>& param_info) {
      return std::string(param_info.param.name);
    });

// ---- Durations ---------------------------------------------------------------------------------

struct DurationCase {
  const char* text;
  milliseconds value;
};

// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks up
void PrintTo(const DurationCase& c, std::ostream* os) {
  *os << '"' << c.text << '"';
}

class ParseDurationTest : public testing::TestWithParam<DurationCase> {};

TEST_P(ParseDurationTest, Parses) {
  EXPECT_EQ(parse_duration(GetParam().text), GetParam().value);
}

INSTANTIATE_TEST_SUITE_P(
    Config, ParseDurationTest,
    testing::Values(
        DurationCase{"500ms", milliseconds(500)}, DurationCase{"10s", seconds(10)},
        DurationCase{"1m", minutes(1)}, DurationCase{"2h", hours(2)},
        DurationCase{"1000us", milliseconds(1)}, DurationCase{"2000000ns", milliseconds(2)},
        DurationCase{"1.5s", milliseconds(1500)}, DurationCase{"0.1s", milliseconds(100)},
        DurationCase{".5s", milliseconds(500)}, DurationCase{"1.s", seconds(1)},
        DurationCase{"0.5m", seconds(30)}, DurationCase{"1.25h", minutes(75)},
        DurationCase{"1m30s", seconds(90)}, DurationCase{"1h2m3s4ms", milliseconds(3723004)},
        DurationCase{"1s500ms", milliseconds(1500)}, DurationCase{"0", milliseconds(0)},
        DurationCase{"0s", milliseconds(0)}, DurationCase{"1.0000000001s", milliseconds(1000)}));

class InvalidDurationTest : public testing::TestWithParam<const char*> {};

TEST_P(InvalidDurationTest, Throws) {
  EXPECT_THROW(parse_duration(GetParam()), std::invalid_argument) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Config, InvalidDurationTest,
                         testing::Values("", "abc", "10", "s", "1x", "10 s", " 10s", "10s ", "-1s",
                                         "+1s", "1.5", ".s", "1..5s", "1sm", "10S", "1d",
                                         "99999999999999999999s", "3000000h", "500us", "1ns"));

TEST(ParseDuration, MicroSignSpellings) {
  EXPECT_EQ(parse_duration("3000\u00b5s"), milliseconds(3));
  EXPECT_EQ(parse_duration("3000\u03bcs"), milliseconds(3));
}

TEST(ParseDuration, MessageSaysHow) {
  try {
    parse_duration("abc");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "invalid duration \"abc\" (use e.g. 500ms, 10s, 1m)");
  }
}

TEST(FormatDuration, RoundTrips) {
  EXPECT_EQ(format_duration(milliseconds(0)), "0s");
  EXPECT_EQ(format_duration(milliseconds(500)), "500ms");
  EXPECT_EQ(format_duration(seconds(54)), "54s");
  EXPECT_EQ(format_duration(seconds(90)), "1m30s");
  EXPECT_EQ(format_duration(milliseconds(3723004)), "1h2m3s4ms");
  for (const milliseconds d : {milliseconds(1), milliseconds(1500), milliseconds(3600000)}) {
    EXPECT_EQ(parse_duration(format_duration(d)), d);
  }
}

TEST(ConfigEnums, ToStringUsesFileSpelling) {
  EXPECT_EQ(to_string(OverflowPolicy::kDropOldest), "drop_oldest");
  EXPECT_EQ(to_string(OverflowPolicy::kDisconnect), "disconnect");
  EXPECT_EQ(to_string(OffsetReset::kEarliest), "earliest");
  EXPECT_EQ(to_string(OffsetReset::kLatest), "latest");
  EXPECT_EQ(to_string(LogFormat::kText), "text");
  EXPECT_EQ(to_string(LogFormat::kJson), "json");
}

// ---- Files -------------------------------------------------------------------------------------

Config load(const std::string& path) {
  const FakeEnv env;
  return load_config(path, &fake_lookup);
}

std::string load_error(const std::string& path) {
  try {
    load(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigFiles, DevelopmentParses) {
  const Config c = load(IIOT_CONFIGS_DIR "/development.yaml");
  EXPECT_EQ(c.kafka.auto_offset_reset, OffsetReset::kEarliest);
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, LogFormat::kText);
  EXPECT_EQ(c.websocket.port, 8081);
  EXPECT_EQ(c.websocket.path, "/ws");
  EXPECT_EQ(c.kafka.properties.at("fetch.wait.max.ms"), "5");
  ASSERT_EQ(c.rules.size(), 1u);
  EXPECT_EQ(c.rules[0].name, "vibration-zone-c");
  EXPECT_EQ(c.rules[0].hold, seconds(10));
}

TEST(ConfigFiles, ProductionParses) {
  const Config c = load(IIOT_CONFIGS_DIR "/production.yaml");
  EXPECT_EQ(c.websocket.queue_size, 5000);
  EXPECT_EQ(c.websocket.worker_count, 8);
  EXPECT_EQ(c.websocket.max_connections, 1000);
  EXPECT_EQ(c.kafka.auto_offset_reset, OffsetReset::kLatest);
  EXPECT_EQ(c.log.format, LogFormat::kJson);
  EXPECT_TRUE(c.websocket.check_origin);
  EXPECT_FALSE(c.websocket.allowed_origins.empty());
}

TEST(ConfigFiles, MissingFile) {
  EXPECT_EQ(load_error("/nonexistent/dir/gateway.yaml"),
            "config error: cannot read config file \"/nonexistent/dir/gateway.yaml\": No such "
            "file or directory");
}

TEST(ConfigFiles, Directory) {
  EXPECT_EQ(load_error(IIOT_CONFIGS_DIR), std::string("config error: cannot read config file \"") +
                                              IIOT_CONFIGS_DIR + "\": Is a directory");
}

TEST(ConfigFiles, SyntaxErrorNamesTheFile) {
  const std::string path = testing::TempDir() + "config_test_syntax.yaml";
  {
    std::ofstream out(path);
    out << "log:\n  level: info\nkafka:\n  brokers: [a\n";
  }
  EXPECT_EQ(load_error(path), "config error: " + path +
                                  ": YAML syntax error at line 5, column 1: end of sequence flow "
                                  "not found");
  std::filesystem::remove(path);
}

TEST(ConfigFiles, EnvironmentAppliesToFiles) {
  const FakeEnv env(std::map<std::string, std::string>{{"IIOT_WEBSOCKET_PORT", "9999"}});
  EXPECT_EQ(load_config(IIOT_CONFIGS_DIR "/production.yaml", &fake_lookup).websocket.port, 9999);
}

// ---- Threshold rules ----------------------------------------------------------------------------

namespace rules_test {

// A valid rule, to which each error case adds or changes one line.
std::string rule_yaml(const std::string& replace_key = "", const std::string& with = "") {
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"name", "name: \"boiler-overheat\""},
      {"sensor", "sensor: \"temperature\""},
      {"op", "op: \">\""},
      {"value", "value: 80"},
      {"severity", "severity: \"critical\""},
      {"title", "title: \"Boiler overheat\""},
  };
  std::string out = "rules:\n";
  bool first = true;
  bool replaced = false;
  for (const auto& [key, line] : lines) {
    std::string text = line;
    if (key == replace_key) {
      replaced = true;
      if (with.empty()) continue;  // the key is left out
      text = with;
    }
    out += (first ? "  - " : "    ") + text + "\n";
    first = false;
  }
  if (!replaced && !with.empty()) out += "    " + with + "\n";
  return out;
}

TEST(ConfigRules, AbsentMeansNoRules) {
  EXPECT_TRUE(parse("").rules.empty());
  EXPECT_TRUE(parse("rules:\n").rules.empty());
  EXPECT_TRUE(parse("rules: []\n").rules.empty());
}

TEST(ConfigRules, EveryKey) {
  const Config config = parse(R"yaml(
rules:
  - name: "boiler-overheat"
    device_types: ["temperature_sensor", "boiler"]
    device_ids: ["b-2", "b-1", "b-2"]
    locations: ["Hall-1"]
    sensor: "temperature"
    op: ">="
    value: 80.5
    for: "30s"
    clear_hysteresis: 2
    severity: "critical"
    title: "Boiler overheat"
    description: "{device_id} {sensor} = {value} {unit} (limit {limit})"
  - name: "pressure-drop"
    sensor: "pressure"
    op: "<"
    value: -1e2
    severity: warning
    title: Pressure drop
)yaml");
  ASSERT_EQ(config.rules.size(), 2u);
  const RuleConfig& a = config.rules[0];
  EXPECT_EQ(a.name, "boiler-overheat");
  EXPECT_EQ(a.device_types, (std::vector<std::string>{"boiler", "temperature_sensor"}));
  EXPECT_EQ(a.device_ids, (std::vector<std::string>{"b-1", "b-2"}));
  EXPECT_EQ(a.locations, (std::vector<std::string>{"Hall-1"}));
  EXPECT_EQ(a.sensor, "temperature");
  EXPECT_EQ(a.op, RuleOp::kGreaterEqual);
  EXPECT_DOUBLE_EQ(a.value, 80.5);
  EXPECT_EQ(a.hold, seconds(30));
  EXPECT_DOUBLE_EQ(a.clear_hysteresis, 2.0);
  EXPECT_EQ(a.severity, "critical");
  EXPECT_EQ(a.title, "Boiler overheat");
  EXPECT_EQ(a.description, "{device_id} {sensor} = {value} {unit} (limit {limit})");
  const RuleConfig& b = config.rules[1];
  EXPECT_EQ(b.op, RuleOp::kLess);
  EXPECT_DOUBLE_EQ(b.value, -100.0);
  EXPECT_EQ(b.hold, milliseconds(0));  // fires at once
  EXPECT_DOUBLE_EQ(b.clear_hysteresis, 0.0);
  EXPECT_TRUE(b.device_types.empty());
  EXPECT_EQ(b.description, "");
}

TEST(ConfigRules, EveryOpAndZeroDurations) {
  const std::vector<std::pair<std::string, RuleOp>> ops = {
      {">", RuleOp::kGreater},    {">=", RuleOp::kGreaterEqual}, {"<", RuleOp::kLess},
      {"<=", RuleOp::kLessEqual}, {"==", RuleOp::kEqual},        {"!=", RuleOp::kNotEqual}};
  for (const auto& [text, op] : ops) {
    const Config config = parse(rule_yaml("op", "op: \"" + text + "\""));
    ASSERT_EQ(config.rules.size(), 1u);
    EXPECT_EQ(config.rules[0].op, op) << text;
    EXPECT_EQ(to_string(op), text);
  }
  EXPECT_EQ(parse(rule_yaml("", "for: \"0s\"")).rules[0].hold, milliseconds(0));
  EXPECT_EQ(parse(rule_yaml("", "for: \"0\"")).rules[0].hold, milliseconds(0));
  EXPECT_EQ(parse(rule_yaml("", "for: \"1m30s\"")).rules[0].hold, seconds(90));
}

TEST(ConfigRules, UnknownSensorNamesAreAllowed) {
  EXPECT_EQ(parse(rule_yaml("sensor", "sensor: \"no-such-sensor\"")).rules[0].sensor,
            "no-such-sensor");
}

struct RuleErrorCase {
  const char* name;
  std::string yaml;
  const char* message;
};

// NOLINTNEXTLINE(readability-identifier-naming): the name GoogleTest looks up
void PrintTo(const RuleErrorCase& c, std::ostream* os) {
  *os << c.name;
}

std::vector<RuleErrorCase> rule_error_cases() {
  const std::string second_rule =
      "  - name: \"r2\"\n    sensor: \"s\"\n    op: \"<\"\n    value: 1\n"
      "    severity: \"info\"\n    title: \"t\"\n";
  return {
      {"NotAList", "rules:\n  name: x\n",
       "config error: rules: must be a list of rules (got a mapping)"},
      {"EntryNotMapping", "rules:\n  - \"x\"\n",
       "config error: rules[0]: must be a mapping with name, sensor, op, value, severity and title "
       "(got \"x\")"},
      {"BadOp", rule_yaml("op", "op: \"=>\""),
       "config error: rules[0].op: must be one of > >= < <= == != (got \"=>\")"},
      {"BadOpIndex2",
       "rules:\n" + second_rule +
           "  - name: \"r3\"\n    sensor: \"s\"\n    op: \"<\"\n    value: 1\n"
           "    severity: \"info\"\n    title: \"t\"\n" +
           rule_yaml("op", "op: \"=>\"").substr(7),
       "config error: rules[2].op: must be one of > >= < <= == != (got \"=>\")"},
      {"OpList", rule_yaml("op", "op: [\">\"]"),
       "config error: rules[0].op: must be one of > >= < <= == != (got a list)"},
      {"DuplicateName", rule_yaml() + rule_yaml().substr(7),
       "config error: rules[1].name: must be unique (got \"boiler-overheat\", also rules[0].name)"},
      {"NegativeFor", rule_yaml("", "for: \"-5s\""),
       "config error: rules[0].for: must not be negative (got \"-5s\")"},
      {"BadFor", rule_yaml("", "for: \"soon\""),
       "config error: rules[0].for: invalid duration \"soon\" (use e.g. 500ms, 10s, 1m)"},
      {"SubMillisecondFor", rule_yaml("", "for: \"10us\""),
       "config error: rules[0].for: must be a whole number of milliseconds (got \"10us\")"},
      {"MissingName", rule_yaml("name"), "config error: rules[0].name: required"},
      {"MissingSensor", rule_yaml("sensor"), "config error: rules[0].sensor: required"},
      {"MissingOp", rule_yaml("op"), "config error: rules[0].op: required"},
      {"MissingValue", rule_yaml("value"), "config error: rules[0].value: required"},
      {"MissingSeverity", rule_yaml("severity"), "config error: rules[0].severity: required"},
      {"MissingTitle", rule_yaml("title"), "config error: rules[0].title: required"},
      {"NullValue", rule_yaml("value", "value: null"), "config error: rules[0].value: required"},
      {"EmptyName", rule_yaml("name", "name: \"\""),
       "config error: rules[0].name: must not be empty"},
      {"ValueNotNumber", rule_yaml("value", "value: \"hot\""),
       "config error: rules[0].value: must be a number (got \"hot\")"},
      {"ValueInfinite", rule_yaml("value", "value: 1e999"),
       "config error: rules[0].value: must be a number (got \"1e999\")"},
      {"NegativeHysteresis", rule_yaml("", "clear_hysteresis: -1"),
       "config error: rules[0].clear_hysteresis: must be >= 0 (got -1)"},
      {"BadSeverity", rule_yaml("severity", "severity: \"fatal\""),
       "config error: rules[0].severity: must be one of info, warning, error, critical (got "
       "\"fatal\")"},
      {"UnknownKey", rule_yaml("", "threshold: 3"),
       "config error: rules[0].threshold: unknown key (a rule has name, device_ids, device_types, "
       "locations, sensor, op, value, for, clear_hysteresis, severity, title, description)"},
      {"MatcherNotList", rule_yaml("", "device_types: \"boiler\""),
       "config error: rules[0].device_types: must be a list of strings (got \"boiler\")"},
      {"MatcherEmptyItem", rule_yaml("", "locations: [\"A\", \"\"]"),
       "config error: rules[0].locations[1]: must not be empty"},
      {"DuplicateKey", rule_yaml("", "sensor: \"again\""),
       "config error: rules[0].sensor: duplicate key"},
  };
}

class RuleErrorTest : public testing::TestWithParam<RuleErrorCase> {};

TEST_P(RuleErrorTest, NamesTheKey) {
  EXPECT_EQ(error_of(GetParam().yaml), GetParam().message) << GetParam().yaml;
}

INSTANTIATE_TEST_SUITE_P(Config, RuleErrorTest, testing::ValuesIn(rule_error_cases()),
                         [](const testing::TestParamInfo<RuleErrorCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace rules_test

}  // namespace
}  // namespace iiot::config

// ---- auth (CONTRACT section 7) -----------------------------------------------------------------

namespace iiot::config {
namespace {

const std::string kDigestA(64, 'a');
const std::string kDigestB = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";

TEST(ConfigAuth, DefaultsMatchContractSection7) {
  const Config c = parse("");
  EXPECT_EQ(c.auth.mode, AuthMode::kNone);
  EXPECT_TRUE(c.auth.tokens.empty());
  EXPECT_EQ(c.auth.jwt.algorithms, std::vector<std::string>{"HS256"});
  EXPECT_EQ(c.auth.jwt.secret_file, "");
  EXPECT_EQ(c.auth.jwt.public_key_file, "");
  EXPECT_EQ(c.auth.jwt.issuer, "");
  EXPECT_EQ(c.auth.jwt.audience, "");
  EXPECT_EQ(c.auth.jwt.leeway, seconds(30));
  EXPECT_EQ(c.auth.jwt.scope_claim, "iiot");
  EXPECT_TRUE(c.auth.admin_tokens_sha256.empty());
  EXPECT_EQ(c.websocket.max_client_messages_per_second, 20);
}

TEST(ConfigAuth, TokensWithScopes) {
  const Config c = parse(
      "auth:\n  mode: token\n  tokens:\n"
      "    - name: screen-1\n      sha256: \"" +
      kDigestB +
      "\"\n      scope: {device_ids: [a, b], alert_levels: [critical], "
      "types: [alert]}\n"
      "    - {name: all, sha256: \"" +
      kDigestA + "\"}\n  admin_tokens_sha256: [\"" + kDigestB + "\"]\n");
  EXPECT_EQ(c.auth.mode, AuthMode::kToken);
  ASSERT_EQ(c.auth.tokens.size(), 2U);
  EXPECT_EQ(c.auth.tokens[0].name, "screen-1");
  EXPECT_EQ(c.auth.tokens[0].sha256,
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c.auth.tokens[0].scope.device_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.auth.tokens[0].scope.alert_levels, std::vector<std::string>{"critical"});
  EXPECT_EQ(c.auth.tokens[0].scope.types, std::vector<std::string>{"alert"});
  EXPECT_TRUE(c.auth.tokens[0].scope.locations.empty());
  EXPECT_EQ(c.auth.tokens[1].scope, ScopeConfig{});
  EXPECT_EQ(c.auth.admin_tokens_sha256[0], c.auth.tokens[0].sha256);
}

TEST(ConfigAuth, JwtKeys) {
  const Config c = parse(
      "auth:\n  mode: jwt\n  jwt:\n    algorithms: [RS256, ES256]\n    public_key_file: /k.pem\n"
      "    issuer: plant\n    audience: gw\n    leeway: 0s\n    scope_claim: scope\n"
      "websocket:\n  max_client_messages_per_second: 0\n");
  EXPECT_EQ(c.auth.mode, AuthMode::kJwt);
  EXPECT_EQ(c.auth.jwt.algorithms, (std::vector<std::string>{"RS256", "ES256"}));
  EXPECT_EQ(c.auth.jwt.public_key_file, "/k.pem");
  EXPECT_EQ(c.auth.jwt.issuer, "plant");
  EXPECT_EQ(c.auth.jwt.audience, "gw");
  EXPECT_EQ(c.auth.jwt.leeway, seconds(0));
  EXPECT_EQ(c.auth.jwt.scope_claim, "scope");
  EXPECT_EQ(c.websocket.max_client_messages_per_second, 0);
}

TEST(ConfigAuth, EnvironmentOverridesScalarsAndLists) {
  const Config c = parse_with_env("", {{"IIOT_AUTH_MODE", "jwt"},
                                       {"IIOT_AUTH_JWT_ALGORITHMS", "HS512, HS256"},
                                       {"IIOT_AUTH_JWT_SECRET_FILE", "/s"},
                                       {"IIOT_AUTH_JWT_LEEWAY", "5s"},
                                       {"IIOT_AUTH_ADMIN_TOKENS_SHA256", kDigestA},
                                       {"IIOT_WEBSOCKET_MAX_CLIENT_MESSAGES_PER_SECOND", "7"}});
  EXPECT_EQ(c.auth.mode, AuthMode::kJwt);
  EXPECT_EQ(c.auth.jwt.algorithms, (std::vector<std::string>{"HS512", "HS256"}));
  EXPECT_EQ(c.auth.jwt.secret_file, "/s");
  EXPECT_EQ(c.auth.jwt.leeway, seconds(5));
  EXPECT_EQ(c.auth.admin_tokens_sha256, std::vector<std::string>{kDigestA});
  EXPECT_EQ(c.websocket.max_client_messages_per_second, 7);
}

struct AuthErrorCase {
  const char* name;
  std::string yaml;
  std::string error;
  std::map<std::string, std::string> env = {};
};

class AuthErrorTest : public testing::TestWithParam<AuthErrorCase> {};

TEST_P(AuthErrorTest, NamesTheKey) {
  EXPECT_EQ(error_of(GetParam().yaml, GetParam().env), GetParam().error);
}

const AuthErrorCase kAuthErrors[] = {
    {"UnknownMode", "auth:\n  mode: oauth\n",
     "config error: auth.mode: must be one of none, token, jwt (got \"oauth\")"},
    {"UnknownAlgorithm", "auth:\n  jwt:\n    algorithms: [HS256, none]\n",
     "config error: auth.jwt.algorithms[1]: must be one of HS256, HS384, HS512, RS256, RS384, "
     "RS512, ES256 (got \"none\")"},
    {"UnknownAlgorithmFromEnv",
     "",
     "config error: auth.jwt.algorithms[0] (from IIOT_AUTH_JWT_ALGORITHMS): must be one of HS256, "
     "HS384, HS512, RS256, RS384, RS512, ES256 (got \"PS256\")",
     {{"IIOT_AUTH_JWT_ALGORITHMS", "PS256"}}},
    {"EmptyAlgorithmsInJwtMode", "auth:\n  mode: jwt\n  jwt:\n    algorithms: []\n",
     "config error: auth.jwt.algorithms: must not be empty when auth.mode is jwt"},
    {"HmacWithoutSecretFile", "auth:\n  mode: jwt\n",
     "config error: auth.jwt.secret_file: required when auth.jwt.algorithms has an HS algorithm"},
    {"RsaWithoutPublicKey", "auth:\n  mode: jwt\n  jwt:\n    algorithms: [RS256]\n",
     "config error: auth.jwt.public_key_file: required when auth.jwt.algorithms has an RS or ES "
     "algorithm"},
    {"TokenModeWithoutTokens", "auth:\n  mode: token\n",
     "config error: auth.tokens: must not be empty when auth.mode is token"},
    {"ShortDigest", "auth:\n  tokens:\n    - {name: a, sha256: abc}\n",
     "config error: auth.tokens[0].sha256: must be a SHA-256 digest of 64 hex digits, e.g. from "
     "`printf %s TOKEN | sha256sum` (got 3 characters)"},
    {"NotHexDigest", "auth:\n  tokens:\n    - {name: a, sha256: " + std::string(64, 'g') + "}\n",
     "config error: auth.tokens[0].sha256: must be a SHA-256 digest of 64 hex digits, e.g. from "
     "`printf %s TOKEN | sha256sum` (got 64 characters, not all hex)"},
    {"BadAdminDigest", "auth:\n  admin_tokens_sha256: [\"" + kDigestA + "\", secret-token]\n",
     "config error: auth.admin_tokens_sha256[1]: must be a SHA-256 digest of 64 hex digits, e.g. "
     "from `printf %s TOKEN | sha256sum` (got 12 characters, not all hex)"},
    {"DuplicateTokenName",
     "auth:\n  tokens:\n    - {name: a, sha256: " + kDigestA +
         "}\n    - {name: a, sha256: " + kDigestB + "}\n",
     "config error: auth.tokens[1].name: duplicate name (got \"a\", also in auth.tokens[0])"},
    {"DuplicateTokenDigest",
     "auth:\n  tokens:\n    - {name: a, sha256: " + kDigestA +
         "}\n    - {name: b, sha256: " + kDigestA + "}\n",
     "config error: auth.tokens[1].sha256: the same token as auth.tokens[0] (\"a\")"},
    {"TokenWithoutDigest", "auth:\n  tokens:\n    - {name: a}\n",
     "config error: auth.tokens[0].sha256: required (the SHA-256 hex of the token)"},
    {"TokenWithoutName", "auth:\n  tokens:\n    - {sha256: " + kDigestA + "}\n",
     "config error: auth.tokens[0].name: required"},
    {"TokenUnknownKey", "auth:\n  tokens:\n    - {name: a, token: x}\n",
     "config error: auth.tokens[0].token: unknown key (a token has name, sha256 and scope)"},
    {"ScopeUnknownKey",
     "auth:\n  tokens:\n    - {name: a, sha256: " + kDigestA + ", scope: {devices: [x]}}\n",
     "config error: auth.tokens[0].scope.devices: unknown key (a scope has device_ids, "
     "device_types, locations, alert_levels and types)"},
    {"ScopeUnknownLevel",
     "auth:\n  tokens:\n    - {name: a, sha256: " + kDigestA + ", scope: {alert_levels: [high]}}\n",
     "config error: auth.tokens[0].scope.alert_levels[0]: must be one of info, warning, error, "
     "critical (got \"high\")"},
    {"ScopeUnknownType",
     "auth:\n  tokens:\n    - {name: a, sha256: " + kDigestA + ", scope: {types: [pong]}}\n",
     "config error: auth.tokens[0].scope.types[0]: must be one of device_data, alert (got "
     "\"pong\")"},
    {"TokensNotAList", "auth:\n  tokens: abc\n",
     "config error: auth.tokens: must be a list of {name, sha256, scope} entries (got \"abc\")"},
    {"NegativeLeeway", "auth:\n  jwt:\n    leeway: -1s\n",
     "config error: auth.jwt.leeway: invalid duration \"-1s\" (use e.g. 500ms, 10s, 1m)"},
    {"EmptyScopeClaim", "auth:\n  jwt:\n    scope_claim: \"\"\n",
     "config error: auth.jwt.scope_claim: must not be empty"},
    {"NegativeMessageRate", "websocket:\n  max_client_messages_per_second: -1\n",
     "config error: websocket.max_client_messages_per_second: must be >= 0 (got -1)"},
    {"UnknownAuthKey", "auth:\n  modes: jwt\n",
     "config error: auth.modes: unknown key (did you mean auth.mode?)"},
};

INSTANTIATE_TEST_SUITE_P(Config, AuthErrorTest, testing::ValuesIn(kAuthErrors),
                         [](const testing::TestParamInfo<AuthErrorCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(ConfigAuth, ModeToString) {
  EXPECT_EQ(to_string(AuthMode::kJwt), "jwt");
  EXPECT_EQ(to_string(AuthMode::kToken), "token");
  EXPECT_EQ(to_string(AuthMode::kNone), "none");
}

}  // namespace
}  // namespace iiot::config

// ---- websocket.tls (CONTRACT section 7) --------------------------------------------------------

namespace iiot::config {
namespace {

TEST(ConfigTls, DefaultsMatchContractSection7) {
  const Config c = parse("");
  EXPECT_FALSE(c.websocket.tls.enabled);
  EXPECT_EQ(c.websocket.tls.cert_file, "");
  EXPECT_EQ(c.websocket.tls.key_file, "");
  EXPECT_EQ(c.websocket.tls.client_ca_file, "");
  EXPECT_EQ(c.websocket.tls.min_version, TlsVersion::kTls12);
}

TEST(ConfigTls, EveryKey) {
  const Config c = parse(
      "websocket:\n  tls:\n    enabled: true\n    cert_file: /etc/gw/cert.pem\n"
      "    key_file: /etc/gw/key.pem\n    client_ca_file: /etc/gw/ca.pem\n"
      "    min_version: \"1.3\"\n");
  EXPECT_TRUE(c.websocket.tls.enabled);
  EXPECT_EQ(c.websocket.tls.cert_file, "/etc/gw/cert.pem");
  EXPECT_EQ(c.websocket.tls.key_file, "/etc/gw/key.pem");
  EXPECT_EQ(c.websocket.tls.client_ca_file, "/etc/gw/ca.pem");
  EXPECT_EQ(c.websocket.tls.min_version, TlsVersion::kTls13);
}

TEST(ConfigTls, UnquotedVersionIsTheSame) {
  EXPECT_EQ(parse("websocket:\n  tls:\n    min_version: 1.3\n").websocket.tls.min_version,
            TlsVersion::kTls13);
  EXPECT_EQ(parse("websocket:\n  tls:\n    min_version: 1.2\n").websocket.tls.min_version,
            TlsVersion::kTls12);
}

TEST(ConfigTls, DisabledNeedsNoFiles) {
  const Config c = parse("websocket:\n  tls:\n    enabled: false\n    min_version: \"1.3\"\n");
  EXPECT_FALSE(c.websocket.tls.enabled);
}

TEST(ConfigTls, EnvironmentOverrides) {
  const Config c = parse_with_env("", {{"IIOT_WEBSOCKET_TLS_ENABLED", "true"},
                                       {"IIOT_WEBSOCKET_TLS_CERT_FILE", "/c.pem"},
                                       {"IIOT_WEBSOCKET_TLS_KEY_FILE", "/k.pem"},
                                       {"IIOT_WEBSOCKET_TLS_CLIENT_CA_FILE", "/ca.pem"},
                                       {"IIOT_WEBSOCKET_TLS_MIN_VERSION", "1.3"}});
  EXPECT_TRUE(c.websocket.tls.enabled);
  EXPECT_EQ(c.websocket.tls.cert_file, "/c.pem");
  EXPECT_EQ(c.websocket.tls.key_file, "/k.pem");
  EXPECT_EQ(c.websocket.tls.client_ca_file, "/ca.pem");
  EXPECT_EQ(c.websocket.tls.min_version, TlsVersion::kTls13);
}

TEST(ConfigTls, VersionToString) {
  EXPECT_EQ(to_string(TlsVersion::kTls12), "1.2");
  EXPECT_EQ(to_string(TlsVersion::kTls13), "1.3");
}

struct TlsErrorCase {
  const char* name;
  std::string yaml;
  std::string error;
  std::map<std::string, std::string> env = {};
};

class TlsErrorTest : public testing::TestWithParam<TlsErrorCase> {};

TEST_P(TlsErrorTest, NamesTheKey) {
  EXPECT_EQ(error_of(GetParam().yaml, GetParam().env), GetParam().error);
}

const TlsErrorCase kTlsErrors[] = {
    {"EnabledWithoutCert", "websocket:\n  tls:\n    enabled: true\n    key_file: /k.pem\n",
     "config error: websocket.tls.cert_file: required when websocket.tls.enabled is true"},
    {"EnabledWithoutKey", "websocket:\n  tls:\n    enabled: true\n    cert_file: /c.pem\n",
     "config error: websocket.tls.key_file: required when websocket.tls.enabled is true"},
    {"EnabledFromEnvWithoutCert",
     "",
     "config error: websocket.tls.cert_file: required when websocket.tls.enabled is true",
     {{"IIOT_WEBSOCKET_TLS_ENABLED", "1"}}},
    {"OldVersion", "websocket:\n  tls:\n    min_version: \"1.1\"\n",
     "config error: websocket.tls.min_version: must be 1.2 or 1.3 (got \"1.1\")"},
    {"VersionWithPrefix", "websocket:\n  tls:\n    min_version: TLSv1.3\n",
     "config error: websocket.tls.min_version: must be 1.2 or 1.3 (got \"TLSv1.3\")"},
    {"VersionFromEnv",
     "",
     "config error: websocket.tls.min_version (from IIOT_WEBSOCKET_TLS_MIN_VERSION): must be 1.2 "
     "or 1.3 (got \"1.0\")",
     {{"IIOT_WEBSOCKET_TLS_MIN_VERSION", "1.0"}}},
    {"EnabledNotBoolean", "websocket:\n  tls:\n    enabled: maybe\n",
     "config error: websocket.tls.enabled: must be true or false (got \"maybe\")"},
    {"UnknownKey", "websocket:\n  tls:\n    cert: /c.pem\n",
     "config error: websocket.tls.cert: unknown key"},
    {"MisspeltKey", "websocket:\n  tls:\n    key_fle: /k.pem\n",
     "config error: websocket.tls.key_fle: unknown key (did you mean websocket.tls.key_file?)"},
    {"NotAMapping", "websocket:\n  tls: true\n",
     "config error: websocket.tls: must be a mapping of keys (got \"true\")"},
};

INSTANTIATE_TEST_SUITE_P(Config, TlsErrorTest, testing::ValuesIn(kTlsErrors),
                         [](const testing::TestParamInfo<TlsErrorCase>& param_info) {
                           return std::string(param_info.param.name);
                         });

}  // namespace
}  // namespace iiot::config

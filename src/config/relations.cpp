#include "config/relations.h"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "config/key_error.h"

namespace iiot::config {

void validate_relations(const Config& config, const RawValues& raw) {
  const auto source = [&](std::string_view path) { return env_source(raw, path); };
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

}  // namespace iiot::config

#include "observability/stats_report.h"

#include <array>
#include <boost/json.hpp>
#include <sstream>

#include "text_formats/compact_json.h"
#include "text_formats/json_number_text.h"

namespace iiot::observability {

namespace json = boost::json;

namespace {

std::uint64_t get(const Counter& c) {
  return c.load(std::memory_order_relaxed);
}

double ns_to_ms(double ns) {
  return ns / 1e6;
}

// Figures read by people: 6.004, not Boost.JSON's "6.0042E0"; microseconds are enough.
std::string to_text(const json::value& v) {
  return text_formats::to_compact_json(v, text_formats::NumberStyle::kFixedMicros);
}

std::string number_text(double value) {
  return text_formats::json_number_text(value, text_formats::NumberStyle::kFixed);
}

// A label value with backslash, double quote and newline escaped (exposition format 0.0.4).
std::string label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Bucket bounds of the latency histograms: 100 us to 10 s, roughly 1-2.5-5 per decade.
constexpr std::array kLatencyBounds = {
    std::chrono::nanoseconds(100'000),       std::chrono::nanoseconds(250'000),
    std::chrono::nanoseconds(500'000),       std::chrono::nanoseconds(1'000'000),
    std::chrono::nanoseconds(2'500'000),     std::chrono::nanoseconds(5'000'000),
    std::chrono::nanoseconds(10'000'000),    std::chrono::nanoseconds(25'000'000),
    std::chrono::nanoseconds(50'000'000),    std::chrono::nanoseconds(100'000'000),
    std::chrono::nanoseconds(250'000'000),   std::chrono::nanoseconds(500'000'000),
    std::chrono::nanoseconds(1'000'000'000), std::chrono::nanoseconds(2'500'000'000),
    std::chrono::nanoseconds(5'000'000'000), std::chrono::nanoseconds(10'000'000'000)};

void write_histogram(std::ostringstream& out, const char* name, const char* help,
                     const LatencyHistogram& histogram) {
  const LatencyHistogram::Cumulative c = histogram.cumulative(kLatencyBounds);
  out << "# HELP iiot_" << name << ' ' << help << "\n# TYPE iiot_" << name << " histogram\n";
  for (std::size_t i = 0; i < kLatencyBounds.size(); ++i) {
    const double le = std::chrono::duration<double>(kLatencyBounds[i]).count();
    out << "iiot_" << name << "_bucket{le=\"" << number_text(le) << "\"} " << c.counts[i] << '\n';
  }
  out << "iiot_" << name << "_bucket{le=\"+Inf\"} " << c.count << '\n';
  out << "iiot_" << name << "_sum " << number_text(c.sum_seconds) << '\n';
  out << "iiot_" << name << "_count " << c.count << '\n';
}

}  // namespace

bool kafka_ready(const GatewayStats& stats) {
  return stats.kafka.broker_reachable.load(std::memory_order_relaxed) &&
         stats.kafka.group_joined.load(std::memory_order_relaxed);
}

std::string render_health_json(const GatewayStats& stats) {
  const bool reachable = stats.kafka.broker_reachable.load(std::memory_order_relaxed);
  const bool partial = stats.kafka.partial.load(std::memory_order_relaxed);
  json::object out;
  out["status"] = reachable && !partial ? "ok" : "degraded";
  out["kafka"] =
      json::object{{"reachable", reachable},
                   {"group_joined", stats.kafka.group_joined.load(std::memory_order_relaxed)},
                   {"partial", partial}};
  out["uptime_seconds"] = stats.uptime_seconds();
  return to_text(out);
}

std::string render_stats_json(const GatewayStats& stats, const PushReport& push) {
  const auto latency = stats.push_latency.snapshot();
  json::object out;
  out["active_clients"] = stats.push.active_clients.load(std::memory_order_relaxed);
  out["total_connections"] = get(stats.push.total_connections);
  out["total_messages"] = get(stats.pipeline.total_messages);
  out["device_data_messages"] = get(stats.pipeline.device_data_messages);
  out["alert_messages"] = get(stats.pipeline.alert_messages);
  out["invalid_messages"] = get(stats.pipeline.invalid_messages);
  out["dead_letter_messages"] = get(stats.pipeline.dead_letter_written);
  out["dead_letter_pending"] = get(stats.pipeline.dead_letter_pending);
  out["dead_letter_stubs"] = get(stats.pipeline.dead_letter_stubs);
  out["push_success_count"] = get(stats.push.push_success_count);
  out["push_failure_count"] = get(stats.push.push_failure_count);
  out["dropped_messages"] = get(stats.push.dropped_messages);
  out["conflated_messages"] = get(stats.push.conflated_messages);
  out["rule_alerts"] = get(stats.pipeline.rule_alerts);
  out["slow_consumer_disconnects"] = get(stats.push.slow_disconnects);
  out["rejected_connections"] = get(stats.push.rejected_connections);
  out["tls_handshake_failures"] = get(stats.push.tls_handshake_failures);
  out["frames_sent"] = get(stats.push.frames_sent);
  out["bytes_sent"] = get(stats.push.bytes_sent);
  out["queue_size"] = push.queue_size;
  out["queue_capacity"] = push.queue_capacity;
  out["avg_push_latency_ms"] = ns_to_ms(latency.mean_ns);
  out["p99_push_latency_ms"] = ns_to_ms(static_cast<double>(latency.p99_ns));
  out["uptime_seconds"] = stats.uptime_seconds();
  out["kafka"] = json::object{
      {"consumer_lag", stats.kafka.consumer_lag.load(std::memory_order_relaxed)},
      {"partitions_assigned", stats.kafka.partitions_assigned.load(std::memory_order_relaxed)},
      {"reachable", stats.kafka.broker_reachable.load(std::memory_order_relaxed)},
      {"group_joined", stats.kafka.group_joined.load(std::memory_order_relaxed)},
      {"rebalances", get(stats.kafka.rebalances)},
      {"partial", stats.kafka.partial.load(std::memory_order_relaxed)}};
  json::array topics;
  for (const TopicFigures& t : stats.kafka.topics.get()) {
    topics.emplace_back(json::object{{"topic", t.topic},
                                     {"partitions", t.partitions},
                                     {"partitions_assigned", t.partitions_assigned},
                                     {"consumer_lag", t.consumer_lag}});
  }
  out["kafka"].as_object()["topics"] = std::move(topics);
  const ResumeCounters& r = stats.resume;
  out["resume"] =
      json::object{{"ring_events", r.ring_events.load(std::memory_order_relaxed)},
                   {"ring_bytes", r.ring_bytes.load(std::memory_order_relaxed)},
                   {"ring_capacity_bytes", push.ring_capacity_bytes},
                   {"state_store_entries", r.state_devices.load(std::memory_order_relaxed)},
                   {"state_store_bytes", r.state_bytes.load(std::memory_order_relaxed)},
                   {"replays_active", r.replays_active.load(std::memory_order_relaxed)},
                   {"replays_from_memory", get(r.replays_from_memory)},
                   {"replays_from_kafka", get(r.replays_from_kafka)},
                   {"replays_not_recovered", get(r.replays_not_recovered)},
                   {"replayed_events", get(r.replayed_events)},
                   {"snapshots", get(r.snapshots)},
                   {"checkpoints_sent", get(r.checkpoints_sent)}};
  json::array clients;
  for (const ClientReport& c : push.clients) {
    json::object filter;
    for (const auto& [key, values] : c.filter) {
      json::array list;
      for (const auto& v : values) list.emplace_back(v);
      filter[key] = std::move(list);
    }
    clients.emplace_back(json::object{{"id", c.id},
                                      {"remote", c.remote},
                                      {"queue_depth", c.queue_depth},
                                      {"queue_bytes", c.queue_bytes},
                                      {"sent", c.sent},
                                      {"dropped", c.dropped},
                                      {"conflated_messages", c.conflated},
                                      {"delivery", c.delivery},
                                      {"filter", std::move(filter)}});
  }
  out["clients"] = std::move(clients);
  out["clients_limit"] = push.clients_limit;
  return to_text(out);
}

std::string render_metrics(const GatewayStats& stats, const PushReport& push) {
  std::ostringstream out;
  auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    out << "# HELP iiot_" << name << ' ' << help << "\n# TYPE iiot_" << name << ' ' << type
        << "\niiot_" << name << ' ' << value << '\n';
  };
  const auto latency = stats.push_latency.snapshot();
  metric("active_clients", "gauge", "WebSocket clients connected now.",
         stats.push.active_clients.load(std::memory_order_relaxed));
  metric("connections_total", "counter", "WebSocket connections accepted since start.",
         get(stats.push.total_connections));
  metric("rejected_connections_total", "counter", "Handshakes refused (503, 403).",
         get(stats.push.rejected_connections));
  metric("tls_handshake_failures_total", "counter",
         "TLS handshakes that failed or timed out (websocket.tls).",
         get(stats.push.tls_handshake_failures));
  metric("messages_total", "counter", "Kafka records consumed, valid or not.",
         get(stats.pipeline.total_messages));
  metric("device_data_messages_total", "counter", "Valid device-data records processed.",
         get(stats.pipeline.device_data_messages));
  metric("alert_messages_total", "counter", "Valid alert records processed.",
         get(stats.pipeline.alert_messages));
  metric("invalid_messages_total", "counter", "Records rejected and dead-lettered.",
         get(stats.pipeline.invalid_messages));
  metric("dead_letter_messages_total", "counter", "Dead-letter writes acknowledged.",
         get(stats.pipeline.dead_letter_written));
  metric("dead_letter_pending", "gauge", "Dead-letter writes waiting for the broker.",
         get(stats.pipeline.dead_letter_pending));
  metric("dead_letter_stubs_total", "counter",
         "Dead letters the broker refused whole, written as a 64 KiB stub.",
         get(stats.pipeline.dead_letter_stubs));
  metric("push_success_total", "counter", "Frames queued to matching clients.",
         get(stats.push.push_success_count));
  metric("push_failure_total", "counter", "Events not pushed: input queue full after retries.",
         get(stats.push.push_failure_count));
  metric("dropped_messages_total", "counter", "Frames dropped from slow clients' queues.",
         get(stats.push.dropped_messages));
  metric("conflated_messages_total", "counter",
         "Unsent frames replaced by newer ones for \"latest\" clients.",
         get(stats.push.conflated_messages));
  metric("rule_alerts_total", "counter", "Alerts raised or cleared by threshold rules.",
         get(stats.pipeline.rule_alerts));
  metric("slow_consumer_disconnects_total", "counter", "Clients closed with 4000.",
         get(stats.push.slow_disconnects));
  metric("frames_sent_total", "counter", "Frames written to client sockets.",
         get(stats.push.frames_sent));
  metric("bytes_sent_total", "counter", "WebSocket bytes written to client sockets.",
         get(stats.push.bytes_sent));
  metric("push_queue_size", "gauge", "Events in the push input queue.", push.queue_size);
  metric("push_queue_capacity", "gauge", "Capacity of the push input queue.", push.queue_capacity);
  metric("push_latency_avg_seconds", "gauge", "Mean time from hand-off to queued at clients.",
         latency.mean_ns / 1e9);
  metric("push_latency_p99_seconds", "gauge", "p99 time from hand-off to queued at clients.",
         static_cast<double>(latency.p99_ns) / 1e9);
  metric("kafka_consumer_lag", "gauge", "Consumer lag summed over assigned partitions.",
         stats.kafka.consumer_lag.load(std::memory_order_relaxed));
  metric("kafka_partitions_assigned", "gauge", "Partitions assigned to this consumer.",
         stats.kafka.partitions_assigned.load(std::memory_order_relaxed));
  metric("kafka_up", "gauge", "1 while a Kafka broker is reachable.",
         stats.kafka.broker_reachable.load(std::memory_order_relaxed) ? 1 : 0);
  metric("kafka_partial", "gauge",
         "1 while this instance holds fewer than all partitions of its topics.",
         stats.kafka.partial.load(std::memory_order_relaxed) ? 1 : 0);
  const ResumeCounters& r = stats.resume;
  metric("replay_ring_events", "gauge", "Events held by the replay ring.",
         r.ring_events.load(std::memory_order_relaxed));
  metric("replay_ring_bytes", "gauge", "Estimated bytes held by the replay ring.",
         r.ring_bytes.load(std::memory_order_relaxed));
  metric("device_state_entries", "gauge", "Devices in the device state store.",
         r.state_devices.load(std::memory_order_relaxed));
  metric("device_state_bytes", "gauge", "Estimated bytes of the device state store.",
         r.state_bytes.load(std::memory_order_relaxed));
  metric("replays_active", "gauge", "Replay and snapshot jobs running.",
         r.replays_active.load(std::memory_order_relaxed));
  metric("replays_from_memory_total", "counter", "Replays served from the ring.",
         get(r.replays_from_memory));
  metric("replays_from_kafka_total", "counter", "Replays read again from Kafka.",
         get(r.replays_from_kafka));
  metric("replays_not_recovered_total", "counter", "Replays answered recovered:false.",
         get(r.replays_not_recovered));
  metric("replayed_events_total", "counter", "Events replayed to clients.", get(r.replayed_events));
  metric("snapshots_total", "counter", "Snapshots sent.", get(r.snapshots));
  metric("checkpoints_sent_total", "counter", "Checkpoint frames queued at clients.",
         get(r.checkpoints_sent));
  metric("uptime_seconds", "gauge", "Seconds since the gateway started.", stats.uptime_seconds());

  const std::vector<TopicFigures> topics = stats.kafka.topics.get();
  out << "# HELP iiot_kafka_topic_consumer_lag Consumer lag of one topic, summed over its "
         "assigned partitions.\n# TYPE iiot_kafka_topic_consumer_lag gauge\n";
  for (const TopicFigures& t : topics) {
    out << "iiot_kafka_topic_consumer_lag{topic=\"" << label_value(t.topic) << "\"} "
        << t.consumer_lag << '\n';
  }
  out << "# HELP iiot_kafka_topic_partitions_assigned Partitions of one topic held by this "
         "consumer.\n# TYPE iiot_kafka_topic_partitions_assigned gauge\n";
  for (const TopicFigures& t : topics) {
    out << "iiot_kafka_topic_partitions_assigned{topic=\"" << label_value(t.topic) << "\"} "
        << t.partitions_assigned << '\n';
  }
  write_histogram(out, "push_latency_seconds",
                  "Time from an event's hand-off to its frame queued at every matching client.",
                  stats.push_latency);
  write_histogram(out, "kafka_to_client_latency_seconds",
                  "Time from a record's Kafka timestamp to its frame handed to a client's socket "
                  "write, per client.",
                  stats.kafka_to_client_latency);
  return out.str();
}

}  // namespace iiot::observability

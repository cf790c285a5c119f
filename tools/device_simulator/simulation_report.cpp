#include "simulation_report.h"

#include <cstdio>

namespace iiot::simulator {
namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

double millis(std::chrono::microseconds d) {
  return static_cast<double>(d.count()) / 1000.0;
}

std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::kCount:
      return "count";
    case StopReason::kDuration:
      return "duration";
    case StopReason::kSignal:
      return "signal";
    case StopReason::kKafkaFatal:
      return "kafka_fatal_error";
  }
  return "signal";
}

// " key=not_json:3,bad_status:7", nothing when every count is 0.
void append_kinds(std::string& line, std::string_view key, const InvalidKindCounts& counts) {
  std::string kinds;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] == 0) continue;
    kinds += kinds.empty() ? "" : ",";
    kinds += to_string(static_cast<InvalidKind>(k));
    kinds += ':';
    kinds += std::to_string(counts[k]);
  }
  if (kinds.empty()) return;
  line += ' ';
  line += key;
  line += '=';
  line += kinds;
}

}  // namespace

bool all_delivered(const SimulationSummary& summary) {
  const std::uint64_t sent = summary.counters.data_sent + summary.counters.alerts_sent;
  return summary.delivery.failed == 0 && summary.delivery.delivered == sent &&
         summary.stop_reason != StopReason::kKafkaFatal;
}

std::string format_summary(const SimulationSummary& summary) {
  const SimulationCounters& c = summary.counters;
  const DeliveryCounts& d = summary.delivery;
  const double sending = seconds(summary.sending);
  const double rate = sending > 0.0 ? static_cast<double>(c.data_sent) / sending : 0.0;
  const double ack_avg =
      d.delivered > 0 ? millis(d.ack_latency_total) / static_cast<double>(d.delivered) : 0.0;

  char buffer[512];
  std::snprintf(
      buffer, sizeof buffer,
      "data_sent=%llu data_invalid=%llu alerts_sent=%llu alerts_invalid=%llu "
      "delivered=%llu failed=%llu elapsed_s=%.3f flush_s=%.3f data_rate=%.1f "
      "ack_latency_avg_ms=%.3f ack_latency_max_ms=%.3f",
      static_cast<unsigned long long>(c.data_sent), static_cast<unsigned long long>(c.data_invalid),
      static_cast<unsigned long long>(c.alerts_sent),
      static_cast<unsigned long long>(c.alerts_invalid),
      static_cast<unsigned long long>(d.delivered), static_cast<unsigned long long>(d.failed),
      sending, seconds(summary.flushing), rate, ack_avg, millis(d.ack_latency_max));
  std::string line(buffer);
  line += " stopped_by=";
  line += to_string(summary.stop_reason);
  append_kinds(line, "data_invalid_kinds", c.data_invalid_kinds);
  append_kinds(line, "alert_invalid_kinds", c.alert_invalid_kinds);
  return line;
}

void ProgressReporter::report(std::chrono::steady_clock::duration elapsed,
                              const SimulationCounters& counters, const DeliveryCounts& delivery,
                              std::size_t in_flight) {
  const double window = seconds(elapsed - last_elapsed_);
  const double rate =
      window > 0.0 ? static_cast<double>(counters.data_sent - last_data_sent_) / window : 0.0;
  last_elapsed_ = elapsed;
  last_data_sent_ = counters.data_sent;

  char buffer[320];
  std::snprintf(buffer, sizeof buffer,
                "[%7.1fs] data %llu (%.1f/s, %llu invalid) alerts %llu (%llu invalid) "
                "delivered %llu failed %llu in-flight %zu",
                seconds(elapsed), static_cast<unsigned long long>(counters.data_sent), rate,
                static_cast<unsigned long long>(counters.data_invalid),
                static_cast<unsigned long long>(counters.alerts_sent),
                static_cast<unsigned long long>(counters.alerts_invalid),
                static_cast<unsigned long long>(delivery.delivered),
                static_cast<unsigned long long>(delivery.failed), in_flight);
  out_ << buffer << '\n' << std::flush;
}

}  // namespace iiot::simulator

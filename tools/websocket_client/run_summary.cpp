#include "websocket_client/run_summary.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace iiot::ws_client {
namespace {

void append_fixed(std::string& out, double value, int decimals) {
  char digits[48];
  const auto result =
      std::to_chars(digits, digits + sizeof digits, value, std::chars_format::fixed, decimals);
  out.append(digits, result.ptr);
}

void append_ms(std::string& out, std::chrono::nanoseconds value) {
  append_fixed(out, std::chrono::duration<double, std::milli>(value).count(), 3);
  out += "ms";
}

std::chrono::nanoseconds nearest_rank(std::vector<std::int64_t>& samples, double quantile) {
  const auto n = samples.size();
  auto rank = static_cast<std::size_t>(std::ceil(quantile * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  const auto nth = samples.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(samples.begin(), nth, samples.end());
  return std::chrono::nanoseconds(*nth);
}

}  // namespace

std::optional<LatencyStats> compute_latency_stats(std::vector<std::int64_t> samples_ns) {
  if (samples_ns.empty()) return std::nullopt;
  LatencyStats stats;
  stats.samples = samples_ns.size();
  stats.max = std::chrono::nanoseconds(*std::max_element(samples_ns.begin(), samples_ns.end()));
  stats.median = nearest_rank(samples_ns, 0.5);
  stats.p99 = nearest_rank(samples_ns, 0.99);
  return stats;
}

void RunSummary::on_connected(Clock::time_point now) {
  ++connections_;
  connected_since_ = now;
}

void RunSummary::on_disconnected(Clock::time_point now) {
  if (!connected_since_) return;
  connected_total_ += now - *connected_since_;
  connected_since_.reset();
}

void RunSummary::count_message(std::string_view type) {
  const auto key = type.empty() ? std::string_view("(no type)") : type;
  if (auto it = messages_.find(key); it != messages_.end()) {
    ++it->second;
  } else {
    messages_.emplace(std::string(key), 1);
  }
}

std::chrono::nanoseconds RunSummary::connected_time(Clock::time_point now) const {
  auto total = connected_total_;
  if (connected_since_) total += now - *connected_since_;
  return total;
}

std::string RunSummary::line(Clock::time_point now) const {
  using Seconds = std::chrono::duration<double>;
  const auto connected = Seconds(connected_time(now)).count();
  std::string out = "summary: connected ";
  append_fixed(out, connected, 3);
  out += "s of ";
  append_fixed(out, Seconds(now - started_).count(), 3);
  out += "s, reconnects " + std::to_string(reconnects());
  if (failed_attempts_ > 0) out += ", failed attempts " + std::to_string(failed_attempts_);
  out += ", events " + std::to_string(events_) + " (";
  append_fixed(out, connected > 0 ? static_cast<double>(events_) / connected : 0.0, 1);
  out += "/s), messages";
  if (messages_.empty()) out += " none";
  for (const auto& [type, count] : messages_) out += " " + type + "=" + std::to_string(count);
  if (skipped_before_ack_ > 0) {
    out += ", skipped before filter_ack " + std::to_string(skipped_before_ack_);
  }
  if (latency_enabled_) {
    if (const auto stats = compute_latency_stats(latency_ns_)) {
      out += ", latency median ";
      append_ms(out, stats->median);
      out += " p99 ";
      append_ms(out, stats->p99);
      out += " max ";
      append_ms(out, stats->max);
      out += " (n=" + std::to_string(stats->samples) + ")";
    } else {
      out += ", latency n=0";
    }
    if (unparsed_timestamps_ > 0) {
      out += ", unparsable timestamps " + std::to_string(unparsed_timestamps_);
    }
  }
  return out;
}

}  // namespace iiot::ws_client

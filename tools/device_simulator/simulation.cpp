#include "simulation.h"

#include <algorithm>
#include <iostream>
#include <thread>

#include "text_formats/rfc3339_format.h"
#include "token_bucket.h"

namespace iiot::simulator {
namespace {

using Clock = std::chrono::steady_clock;

// Records sent per loop turn at most, so polling, progress and stop requests are served
// regularly even at unlimited rate.
constexpr std::uint64_t kMaxBatch = 1000;
// The longest the loop sleeps, so stop requests are noticed promptly at low rates.
constexpr auto kMaxSleep = std::chrono::milliseconds(100);

std::string now_rfc3339() {
  return text_formats::format_rfc3339_utc(std::chrono::system_clock::now(),
                                          text_formats::FractionDigits::kMicros);
}

}  // namespace

Simulation::Simulation(const SimulatorOptions& options, std::uint64_t seed, KafkaProducer& producer,
                       std::stop_token stop, std::stop_token abandon)
    : options_(options),
      producer_(producer),
      stop_(std::move(stop)),
      abandon_(std::move(abandon)),
      fleet_(options.devices, seed),
      writer_(options.payload_bytes),
      rng_(seed ^ 0x9e3779b97f4a7c15ULL) {}

SimulationSummary Simulation::run() {
  SimulationSummary summary;
  const auto start = Clock::now();
  const auto deadline =
      options_.duration.count() > 0 ? start + options_.duration : Clock::time_point::max();
  const bool show_progress =
      options_.verbosity == Verbosity::kNormal && options_.progress_interval.count() > 0;
  auto next_progress = start + options_.progress_interval;
  TokenBucket data_bucket(options_.rate, start);
  TokenBucket alert_bucket(options_.alert_rate, start);
  const bool alerts_enabled = options_.alert_rate > 0.0;
  ProgressReporter progress(std::cerr);

  while (true) {
    auto now = Clock::now();
    if (stop_.stop_requested()) {
      summary.stop_reason = StopReason::kSignal;
      break;
    }
    if (producer_.fatal()) {
      summary.stop_reason = StopReason::kKafkaFatal;
      break;
    }
    if (now >= deadline) {
      summary.stop_reason = StopReason::kDuration;
      break;
    }
    std::uint64_t batch = kMaxBatch;
    if (options_.count > 0) {
      if (counters_.data_sent >= options_.count) {
        summary.stop_reason = StopReason::kCount;
        break;
      }
      batch = std::min(batch, options_.count - counters_.data_sent);
    }

    for (auto n = data_bucket.take(now, batch); n > 0 && !stop_.stop_requested(); --n) {
      send_device_data();
    }
    if (alerts_enabled) {
      for (auto n = alert_bucket.take(now, kMaxBatch); n > 0 && !stop_.stop_requested(); --n) {
        send_alert();
      }
    }
    producer_.poll(std::chrono::milliseconds(0));

    now = Clock::now();
    if (show_progress && now >= next_progress) {
      progress.report(now - start, counters_, producer_.counts(), producer_.in_flight());
      next_progress = std::max(next_progress + options_.progress_interval, now);
    }

    auto wake = std::min(deadline, now + kMaxSleep);
    wake = std::min(wake, data_bucket.next_token(now));
    if (alerts_enabled) wake = std::min(wake, alert_bucket.next_token(now));
    if (show_progress) wake = std::min(wake, next_progress);
    // Waiting inside poll() serves delivery reports as they arrive, which keeps the measured
    // ack latency honest at low rates; poll() has millisecond resolution, sleep covers the rest.
    if (const auto wait = std::chrono::floor<std::chrono::milliseconds>(wake - now);
        wait.count() > 0) {
      producer_.poll(wait);
    } else if (wake > now) {
      std::this_thread::sleep_until(wake);
    }
  }

  const auto sent_at = Clock::now();
  summary.sending = sent_at - start;
  if (options_.verbosity == Verbosity::kNormal && producer_.in_flight() > 0) {
    std::cerr << "device_simulator: waiting for " << producer_.in_flight()
              << " delivery reports (Ctrl-C again to abandon them)\n";
  }
  producer_.flush([this] { return abandon_.stop_requested(); });
  summary.flushing = Clock::now() - sent_at;
  summary.counters = counters_;
  summary.delivery = producer_.counts();
  return summary;
}

void Simulation::send_device_data() {
  const Device& device = fleet_.next_reading();
  const std::uint64_t seq = ++data_seq_;
  // The timestamp is taken as late as possible, so consumers can measure end-to-end latency.
  auto record = writer_.device_data(device, seq, now_rfc3339());
  const auto invalid = pick_invalid(RecordStream::kDeviceData);
  std::string value = invalid ? corrupt(std::move(record), RecordStream::kDeviceData, *invalid)
                              : writer_.finish_device_data(std::move(record));
  if (options_.record_format == RecordFormat::kCentrifugo) {
    value = centrifugo_publish(options_.centrifugo_channel, device.id, value);
  }
  if (!enqueue(options_.topic_data, device.id, value)) return;
  ++counters_.data_sent;
  count_invalid(invalid, counters_.data_invalid, counters_.data_invalid_kinds);
}

void Simulation::send_alert() {
  const AlertEvent alert = fleet_.next_alert();
  const std::uint64_t seq = ++alert_seq_;
  auto record = writer_.alert(alert, seq, now_rfc3339());
  const auto invalid = pick_invalid(RecordStream::kAlert);
  std::string value = invalid ? corrupt(std::move(record), RecordStream::kAlert, *invalid)
                              : RecordWriter::finish(record);
  if (options_.record_format == RecordFormat::kCentrifugo) {
    value = centrifugo_publish(options_.centrifugo_channel, alert.device_id, value);
  }
  if (!enqueue(options_.topic_alerts, alert.device_id, value)) return;
  ++counters_.alerts_sent;
  count_invalid(invalid, counters_.alerts_invalid, counters_.alert_invalid_kinds);
}

std::optional<InvalidKind> Simulation::pick_invalid(RecordStream stream) {
  if (options_.invalid_ratio <= 0.0) return std::nullopt;
  if (std::uniform_real_distribution<double>(0.0, 1.0)(rng_) >= options_.invalid_ratio) {
    return std::nullopt;
  }
  const auto kinds = invalid_kinds(stream);
  return kinds[std::uniform_int_distribution<std::size_t>(0, kinds.size() - 1)(rng_)];
}

void Simulation::count_invalid(std::optional<InvalidKind> kind, std::uint64_t& total,
                               InvalidKindCounts& by_kind) {
  if (!kind) return;
  ++total;
  ++by_kind[static_cast<std::size_t>(*kind)];
}

bool Simulation::enqueue(const std::string& topic, std::string_view key, const std::string& value) {
  while (true) {
    switch (producer_.produce(topic, key, value)) {
      case EnqueueResult::kQueued:
      case EnqueueResult::kRejected:  // counted as failed by the producer
        return true;
      case EnqueueResult::kQueueFull:
        if (stop_.stop_requested()) return false;
        producer_.poll(std::chrono::milliseconds(1));
        break;
    }
  }
}

}  // namespace iiot::simulator

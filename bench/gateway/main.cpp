// bench_gateway: the gateway without Kafka. It builds DataPusher, WebSocketServer and
// WebSocketIntegratedProcessor as ConsumerService does, then obeys one-line commands on stdin:
//   go                 inject for --warmup + --duration at --rate; write the result; print DONE
//   rss-baseline       remember the resident memory now (before the clients connect)
//   rss N              wait until N clients are attached, let them settle, report memory per
//                      connection against the baseline
//   quit (or EOF)      close the clients with 1001 and exit
// It prints "LISTENING port=P frame_bytes=B" once serving. See docs/performance.md.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "auth/authenticator.h"
#include "config/config.h"
#include "gateway/event_injector.h"
#include "observability/gateway_stats.h"
#include "processing/default_message_processor.h"
#include "push/data_pusher.h"
#include "push/push_event.h"
#include "push/tls_context.h"
#include "push/websocket_integrated_processor.h"
#include "push/websocket_server.h"
#include "support/process_metrics.h"
#include "support/stdin_line.h"
#include "text_formats/duration_text.h"

namespace {

using namespace iiot;
using namespace iiot::bench;
using Clock = std::chrono::steady_clock;

struct GatewayOptions {
  config::WebSocketConfig websocket;
  config::ProcessorConfig processor;
  config::AuthConfig auth;      // from --config; mode none without it
  config::ResumeConfig resume;  // from --config; the defaults (checkpoints, ring, snapshot state)
  DeviceFleet fleet;
  double rate = 0;
  std::uint64_t max_backlog = 0;  // rate 0: frames waiting at clients; 0 = max(2000, 4 x clients)
  double duration_s = 10;
  double warmup_s = 2;
  double max_lifetime_s = 1800;
  std::string json_out;
  std::string log_level = "warn";
};

std::optional<GatewayOptions> parse(int argc, char** argv, int& exit_code) {
  GatewayOptions o;
  o.websocket.host = "127.0.0.1";
  o.websocket.port = 0;
  o.websocket.max_connections = 30000;
  CLI::App app("The gateway's push path without Kafka, driven by commands on stdin.",
               "bench_gateway");
  app.option_defaults()->always_capture_default();
  std::string compression = "on";
  std::string overflow = "drop_oldest";
  std::string duration = "10s";
  std::string warmup = "2s";
  std::string lifetime = "30m";
  int retry_backoff_ms = 10;
  std::string config_file;
  app.add_option(
      "--config", config_file,
      "A gateway configuration file (YAML, as bin/consumer -c): its websocket, "
      "processor, auth and resume sections are used; the flags below that are given override "
      "its keys");
  // The flags that override keys of --config, each with how it applies its value.
  std::vector<std::pair<CLI::Option*, std::function<void(GatewayOptions&)>>> overrides;
  auto websocket_flag = [&](CLI::Option* option, auto member) {
    overrides.emplace_back(option, [member, &o](GatewayOptions& target) {
      target.websocket.*member = o.websocket.*member;
    });
    return option;
  };
  websocket_flag(app.add_option("--host", o.websocket.host, "Listen address"),
                 &config::WebSocketConfig::host);
  websocket_flag(
      app.add_option("--port", o.websocket.port, "Listen port; 0 = any free port (printed)")
          ->check(CLI::Range(0, 65535)),
      &config::WebSocketConfig::port);
  websocket_flag(app.add_option("--path", o.websocket.path, "WebSocket path"),
                 &config::WebSocketConfig::path);
  websocket_flag(
      app.add_option("--worker-count", o.websocket.worker_count, "websocket.worker_count")
          ->check(CLI::Range(1, 256)),
      &config::WebSocketConfig::worker_count);
  websocket_flag(app.add_option("--queue-size", o.websocket.queue_size, "websocket.queue_size")
                     ->check(CLI::Range(1, 10'000'000)),
                 &config::WebSocketConfig::queue_size);
  websocket_flag(
      app.add_option("--max-queue-bytes", o.websocket.max_queue_bytes, "websocket.max_queue_bytes"),
      &config::WebSocketConfig::max_queue_bytes);
  websocket_flag(
      app.add_option("--max-connections", o.websocket.max_connections, "websocket.max_connections"),
      &config::WebSocketConfig::max_connections);
  auto* compression_flag =
      app.add_option("--compression", compression, "websocket.enable_compression: on | off")
          ->check(CLI::IsMember({"on", "off"}));
  auto* overflow_flag = app.add_option("--overflow", overflow, "websocket.overflow_policy")
                            ->check(CLI::IsMember({"drop_oldest", "disconnect"}));
  auto* attempts_flag = app.add_option("--push-retry-attempts", o.processor.push_retry_attempts,
                                       "processor.push_retry_attempts");
  auto* backoff_flag =
      app.add_option("--push-retry-backoff-ms", retry_backoff_ms, "processor.push_retry_backoff");
  app.add_option("--devices", o.fleet.count, "Fleet size K (ids cycled round robin)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--id-prefix", o.fleet.prefix, "Device id prefix");
  app.add_option("--id-width", o.fleet.width, "Digits of the device number");
  app.add_option("--id-base", o.fleet.base, "Number of the first device");
  app.add_option("--rate", o.rate, "Events per second on go; 0 = as fast as the fan-out drains")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-backlog", o.max_backlog,
                 "With --rate 0: inject while fewer frames than this wait at clients; "
                 "0 = max(2000, 4 x clients)");
  app.add_option("--duration", duration, "Measurement window after go");
  app.add_option("--warmup", warmup, "Injection before the window");
  app.add_option("--max-lifetime", lifetime, "Exit after this long whatever happens");
  app.add_option("--json-out", o.json_out, "Write results here (else stdout)");
  app.add_option("--log-level", o.log_level, "Gateway log level (to stderr)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    exit_code = app.exit(error) == 0 ? 0 : 2;
    return std::nullopt;
  }
  const auto d = text_formats::decimal_duration(duration);
  const auto w = text_formats::decimal_duration(warmup);
  const auto l = text_formats::decimal_duration(lifetime);
  if (!d || !w || !l) {
    std::fprintf(stderr, "bench_gateway: durations look like 10s, 500ms, 2m\n");
    exit_code = 2;
    return std::nullopt;
  }
  o.duration_s = std::chrono::duration<double>(*d).count();
  o.warmup_s = std::chrono::duration<double>(*w).count();
  o.max_lifetime_s = std::chrono::duration<double>(*l).count();
  o.websocket.enable_compression = compression == "on";
  o.websocket.overflow_policy = overflow == "disconnect" ? config::OverflowPolicy::kDisconnect
                                                         : config::OverflowPolicy::kDropOldest;
  o.processor.push_retry_backoff = std::chrono::milliseconds(retry_backoff_ms);
  if (config_file.empty()) return o;
  config::Config file;
  try {
    file = config::load_config(config_file);
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "bench_gateway: %s\n", e.what());
    exit_code = 2;
    return std::nullopt;
  }
  GatewayOptions merged = o;
  merged.websocket = file.websocket;
  merged.processor = file.processor;
  merged.auth = file.auth;
  merged.resume = file.resume;
  for (const auto& [option, apply] : overrides) {
    if (option->count() > 0) apply(merged);
  }
  if (compression_flag->count() > 0) {
    merged.websocket.enable_compression = o.websocket.enable_compression;
  }
  if (overflow_flag->count() > 0) merged.websocket.overflow_policy = o.websocket.overflow_policy;
  if (attempts_flag->count() > 0) {
    merged.processor.push_retry_attempts = o.processor.push_retry_attempts;
  }
  if (backoff_flag->count() > 0) {
    merged.processor.push_retry_backoff = o.processor.push_retry_backoff;
  }
  return merged;
}

struct Counters {
  std::uint64_t injected = 0, rejected = 0, paced = 0, frames = 0, bytes = 0, queued = 0,
                dropped = 0, failures = 0, slow = 0, conflated = 0, accepted = 0, refused = 0;
  CpuTimes cpu;
  Clock::time_point at;
};

Counters sample(const observability::GatewayStats& stats, const EventInjector& injector) {
  Counters c;
  c.injected = injector.injected();
  c.rejected = injector.rejected();
  c.paced = injector.paced_waits();
  c.frames = stats.push.frames_sent.load();
  c.bytes = stats.push.bytes_sent.load();
  c.queued = stats.push.push_success_count.load();
  c.dropped = stats.push.dropped_messages.load();
  c.failures = stats.push.push_failure_count.load();
  c.slow = stats.push.slow_disconnects.load();
  c.conflated = stats.push.conflated_messages.load();
  c.accepted = stats.push.total_connections.load();
  c.refused = stats.push.rejected_connections.load();
  c.cpu = process_cpu_times();
  c.at = Clock::now();
  return c;
}

boost::json::object memory_json(const MemoryStatus& m) {
  return {{"rss_kib", m.rss_kib},
          {"rss_anon_kib", m.rss_anon_kib},
          {"rss_file_kib", m.rss_file_kib},
          {"hwm_kib", m.hwm_kib}};
}

void emit(const GatewayOptions& o, const std::string& prefix, const boost::json::object& out) {
  const std::string text = boost::json::serialize(out);
  if (!o.json_out.empty()) std::ofstream(o.json_out) << text << '\n';
  std::printf("%s %s\n", prefix.c_str(), text.c_str());
  std::fflush(stdout);
}

int run(const GatewayOptions& o) {
  const auto started = Clock::now();
  const auto end_of_life = started + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(o.max_lifetime_s));
  const std::uint64_t fd_limit = raise_open_file_limit();
  spdlog::set_default_logger(spdlog::stderr_color_mt("bench_gateway"));
  spdlog::set_level(spdlog::level::from_str(o.log_level));

  // The size of a typical frame, from a throwaway processor (its counts are not ours).
  std::size_t frame_bytes = 0;
  {
    observability::GatewayStats scratch_stats;
    processing::DefaultMessageProcessor scratch(o.processor.max_payload_bytes, scratch_stats);
    RecordFactory records(o.fleet);
    const auto result = scratch.process(processing::RecordKind::kDeviceData,
                                        records.make(1, std::chrono::system_clock::now()),
                                        model::RecordPosition{"bench", 0, 0});
    if (!result.ok()) {
      std::fprintf(stderr, "bench_gateway: the sample record is invalid: %s\n",
                   result.error().c_str());
      return 1;
    }
    frame_bytes = push::make_push_event(result.event())->frame->size();
  }
  const std::size_t wire_frame_bytes = frame_bytes + (frame_bytes < 126 ? 2 : 4);

  observability::GatewayStats stats;
  processing::DefaultMessageProcessor default_processor(o.processor.max_payload_bytes, stats);
  push::DataPusher pusher(o.websocket, o.resume, stats);
  const auth::Authenticator authenticator{o.auth};
  // websocket.tls from --config: wss:// and https, as the service serves them.
  std::unique_ptr<push::TlsContext> tls;
  if (o.websocket.tls.enabled) {
    try {
      tls = std::make_unique<push::TlsContext>(o.websocket.tls);
    } catch (const config::ConfigError& e) {
      std::fprintf(stderr, "bench_gateway: %s\n", e.what());
      return 2;
    }
  }
  push::WebSocketServer server(o.websocket, pusher, stats, authenticator, tls.get());
  push::WebSocketIntegratedProcessor integrated(default_processor, pusher, o.processor, stats);
  pusher.start();
  try {
    server.start();
  } catch (const push::ServerError& e) {
    std::fprintf(stderr, "bench_gateway: %s\n", e.what());
    pusher.stop();
    return 1;
  }
  EventInjector injector(integrated, pusher, stats, o.fleet, o.rate);
  MemoryStatus baseline = memory_status();
  std::printf("LISTENING port=%u frame_bytes=%zu wire_frame_bytes=%zu fd_limit=%llu\n",
              server.port(), frame_bytes, wire_frame_bytes,
              static_cast<unsigned long long>(fd_limit));
  std::fflush(stdout);

  while (auto line = read_stdin_line(end_of_life)) {
    if (*line == "quit") break;
    if (*line == "go") {
      const auto go = Clock::now();
      const auto warm_end = go + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(o.warmup_s));
      const auto end = warm_end + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(o.duration_s));
      Counters c0;
      std::size_t clients_at_start = 0;
      std::thread timer([&] {
        std::this_thread::sleep_until(warm_end);
        stats.push_latency.reset();
        c0 = sample(stats, injector);
        clients_at_start = pusher.client_count();
      });
      const std::uint64_t max_backlog =
          o.max_backlog > 0 ? o.max_backlog
                            : std::max<std::uint64_t>(2000, 4 * pusher.client_count());
      injector.run(end, max_backlog);
      timer.join();
      const Counters c1 = sample(stats, injector);
      // Queue fill at the end of the window: shows whether stalled clients reached overflow.
      std::size_t full_queues = 0;
      std::size_t nonempty_queues = 0;
      std::size_t max_depth = 0;
      for (const auto& shard : pusher.shards()) {
        for (const push::ClientView& view : shard->client_views(o.websocket.max_connections)) {
          full_queues += view.info.queue_depth >= static_cast<std::size_t>(o.websocket.queue_size);
          nonempty_queues += view.info.queue_depth > 0;
          max_depth = std::max(max_depth, view.info.queue_depth);
        }
      }
      const auto latency = stats.push_latency.snapshot();
      const double window = std::chrono::duration<double>(c1.at - c0.at).count();
      const double cpu = c1.cpu.total() - c0.cpu.total();
      const std::uint64_t frames = c1.frames - c0.frames;
      boost::json::object out;
      out["tool"] = "bench_gateway";
      out["config"] = {{"worker_count", o.websocket.worker_count},
                       {"queue_size", o.websocket.queue_size},
                       {"max_queue_bytes", o.websocket.max_queue_bytes},
                       {"enable_compression", o.websocket.enable_compression},
                       {"overflow_policy", config::to_string(o.websocket.overflow_policy)},
                       {"devices", o.fleet.count},
                       {"rate", o.rate},
                       {"max_backlog", o.rate > 0 ? 0 : max_backlog}};
      out["frame_bytes"] = frame_bytes;
      out["clients"] = clients_at_start;
      out["clients_at_end"] = pusher.client_count();  // fewer: the gateway closed some
      out["window_s"] = window;
      out["injected"] = c1.injected - c0.injected;
      out["injected_per_s"] = static_cast<double>(c1.injected - c0.injected) / window;
      out["rejected"] = c1.rejected - c0.rejected;
      out["paced_waits"] = c1.paced - c0.paced;
      out["push_failures"] = c1.failures - c0.failures;
      out["queued_deliveries"] = c1.queued - c0.queued;
      out["frames_sent"] = frames;
      out["frames_sent_per_s"] = static_cast<double>(frames) / window;
      out["bytes_sent"] = c1.bytes - c0.bytes;
      out["dropped_messages"] = c1.dropped - c0.dropped;
      out["slow_disconnects"] = c1.slow - c0.slow;
      out["conflated_messages"] = c1.conflated - c0.conflated;
      out["connections_accepted"] = c1.accepted - c0.accepted;
      out["connections_refused"] = c1.refused - c0.refused;
      out["client_queues"] = {
          {"full", full_queues}, {"nonempty", nonempty_queues}, {"max_depth", max_depth}};
      out["cpu_s"] = cpu;
      out["cpu_user_s"] = c1.cpu.user_s - c0.cpu.user_s;
      out["cpu_system_s"] = c1.cpu.system_s - c0.cpu.system_s;
      out["cpu_utilisation"] = cpu / window;
      out["cpu_us_per_frame"] = frames > 0 ? cpu * 1e6 / static_cast<double>(frames) : 0.0;
      out["fanout_latency_us"] = {{"count", latency.count},
                                  {"p50", static_cast<double>(latency.p50_ns) / 1000},
                                  {"p99", static_cast<double>(latency.p99_ns) / 1000},
                                  {"max", static_cast<double>(latency.max_ns) / 1000}};
      out["memory"] = memory_json(memory_status());
      out["rss_baseline_kib"] = baseline.rss_kib;
      emit(o, "DONE", out);
    } else if (*line == "rss-baseline") {
      baseline = memory_status();
      emit(o, "RSS", {{"baseline", memory_json(baseline)}});
    } else if (line->rfind("rss ", 0) == 0) {
      const std::size_t expected = std::stoul(line->substr(4));
      const auto deadline = std::min(end_of_life, Clock::now() + std::chrono::seconds(180));
      while (pusher.client_count() < expected && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      std::this_thread::sleep_for(std::chrono::seconds(2));  // welcome frames written, quiet
      const std::size_t clients = pusher.client_count();
      const MemoryStatus now = memory_status();
      const double n = static_cast<double>(std::max<std::size_t>(clients, 1));
      boost::json::object out;
      out["clients"] = clients;
      out["expected"] = expected;
      out["baseline"] = memory_json(baseline);
      out["after"] = memory_json(now);
      out["rss_per_connection_bytes"] =
          static_cast<double>(now.rss_kib - baseline.rss_kib) * 1024 / n;
      out["rss_anon_per_connection_bytes"] =
          static_cast<double>(now.rss_anon_kib - baseline.rss_anon_kib) * 1024 / n;
      emit(o, "RSS", out);
    } else if (!line->empty()) {
      std::fprintf(stderr, "bench_gateway: unknown command '%s'\n", line->c_str());
    }
  }

  // ConsumerService's order: stop accepting, close clients with 1001, stop the push threads.
  server.stop_accepting();
  pusher.close_all_for_shutdown();
  const auto close_deadline = Clock::now() + std::chrono::seconds(2);
  while (pusher.client_count() > 0 && Clock::now() < close_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pusher.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    int exit_code = 0;
    const auto options = parse(argc, argv, exit_code);
    if (!options) return exit_code;
    return run(*options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_gateway: %s\n", e.what());
    return 1;
  }
}

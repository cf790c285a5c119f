// bench_load_client: see load_options.h and docs/performance.md.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "load_client/load_options.h"
#include "load_client/load_worker.h"
#include "support/process_metrics.h"
#include "support/stdin_line.h"

namespace {

using namespace iiot::bench;
using Clock = std::chrono::steady_clock;

void sleep_seconds(double s) {
  std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

boost::json::object latency_json(const LatencyRecorder& r) {
  boost::json::object o;
  o["count"] = r.count();
  o["mean_us"] = r.mean() / 1000;
  o["p50_us"] = static_cast<double>(r.quantile(0.50)) / 1000;
  o["p99_us"] = static_cast<double>(r.quantile(0.99)) / 1000;
  o["p999_us"] = static_cast<double>(r.quantile(0.999)) / 1000;
  o["max_us"] = static_cast<double>(r.max()) / 1000;
  o["negative"] = r.negative();
  boost::json::array buckets;
  for (const auto& [bucket, count] : r.sparse_buckets()) {
    buckets.push_back(boost::json::array{bucket, count});
  }
  o["sub_bits"] = LatencyRecorder::kSubBits;
  o["buckets"] = std::move(buckets);
  return o;
}

// Waits out one window (when measured) and writes its result: everything counted since READY or
// since the window before; prints DONE.
void write_result(const LoadOptions& o, std::vector<std::unique_ptr<LoadWorker>>& workers,
                  RunControl& control, const SubscriptionPlan& plan, std::size_t ready,
                  double connect_seconds, bool measured) {
  double window_s = 0;
  double window_cpu_s = 0;
  if (measured) {
    control.phase = Phase::kWarmup;
    sleep_seconds(o.warmup_s);
    const auto t0 = Clock::now();
    const CpuTimes cpu0 = process_cpu_times();
    control.phase = Phase::kMeasure;
    sleep_seconds(o.duration_s);
    control.phase = Phase::kDone;
    window_s = std::chrono::duration<double>(Clock::now() - t0).count();
    window_cpu_s = process_cpu_times().total() - cpu0.total();
  }
  // Collected on each worker's own thread: the connections stay up (and keep reading) until
  // the driver has what it needs from the gateway too.
  WorkerResult total;
  for (auto& w : workers) {
    std::promise<WorkerResult> copied;
    auto future = copied.get_future();
    boost::asio::post(w->io(), [&] { copied.set_value(w->result()); });
    if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      std::fprintf(stderr, "bench_load_client: a worker did not answer; its counts are missing\n");
      continue;
    }
    const WorkerResult r = future.get();
    total.deliveries += r.deliveries;
    total.bytes += r.bytes;
    total.all_frames += r.all_frames;
    total.unparsed_timestamps += r.unparsed_timestamps;
    total.disconnected += r.disconnected;
    total.retries += r.retries;
    total.compression_negotiated += r.compression_negotiated;
    total.latency.merge(r.latency);
  }
  boost::json::object out;
  out["tool"] = "bench_load_client";
  out["label"] = o.label;
  out["mode"] = to_string(o.mode);
  if (o.mode == LoadMode::kRate) out["rate_bytes_per_s"] = o.rate_bytes_per_s;
  out["compression"] = o.compression;
  out["compression_negotiated"] = total.compression_negotiated;
  out["threads"] = o.threads;
  out["connections_requested"] = o.connections;
  out["connections_ready"] = ready;
  out["connections_failed"] = o.connections - ready;
  out["connect_seconds"] = connect_seconds;
  out["connect_retries"] = total.retries;
  out["disconnected"] = total.disconnected;
  out["devices"] = o.fleet.count;
  out["ids_per_connection"] = plan.ids_per_connection();
  out["match_fraction_requested"] = o.match_fraction;
  out["match_fraction_effective"] = plan.effective_fraction();
  out["measured"] = measured;
  out["warmup_s"] = o.warmup_s;
  out["window_s"] = window_s;
  out["deliveries"] = total.deliveries;
  out["bytes"] = total.bytes;
  out["deliveries_per_s"] = window_s > 0 ? static_cast<double>(total.deliveries) / window_s : 0.0;
  out["bytes_per_s"] = window_s > 0 ? static_cast<double>(total.bytes) / window_s : 0.0;
  out["cpu_s"] = window_cpu_s;
  out["cpu_utilisation"] = window_s > 0 ? window_cpu_s / window_s : 0.0;
  out["frames_any_phase"] = total.all_frames;
  out["unparsed_timestamps"] = total.unparsed_timestamps;
  out["latency"] = latency_json(total.latency);
  const std::string text = boost::json::serialize(out);
  if (o.json_out.empty()) {
    std::printf("%s\n", text.c_str());
  } else {
    std::ofstream(o.json_out) << text << '\n';
  }
  std::printf("DONE deliveries=%llu\n", static_cast<unsigned long long>(total.deliveries));
  std::fflush(stdout);
  // Disconnects from now on count in the next window's result, if there is one.
  if (measured) control.phase = Phase::kReady;
}

int run(const LoadOptions& o) {
  const std::uint64_t fd_limit = raise_open_file_limit();
  const std::size_t fds_needed = o.connections + 64;
  if (fd_limit < fds_needed) {
    std::fprintf(stderr,
                 "bench_load_client: %zu connections need about %zu open files but the limit is "
                 "%llu; use several processes (--index-base) or raise the hard limit\n",
                 o.connections, fds_needed, static_cast<unsigned long long>(fd_limit));
    return 2;
  }
  boost::asio::io_context resolver_io;
  boost::asio::ip::tcp::resolver resolver(resolver_io);
  boost::system::error_code ec;
  const auto results = resolver.resolve(o.host, o.port, ec);
  if (ec || results.empty()) {
    std::fprintf(stderr, "bench_load_client: cannot resolve %s:%s: %s\n", o.host.c_str(),
                 o.port.c_str(), ec.message().c_str());
    return 2;
  }
  const auto endpoint = results.begin()->endpoint();

  const SubscriptionPlan plan(o.fleet, o.match_fraction);
  RunControl control;
  const auto threads = static_cast<std::size_t>(o.threads);
  std::vector<std::unique_ptr<LoadWorker>> workers;
  for (std::size_t w = 0; w < threads; ++w) {
    std::vector<std::size_t> indices;
    for (std::size_t i = w; i < o.connections; i += threads) indices.push_back(o.index_base + i);
    workers.push_back(std::make_unique<LoadWorker>(o, plan, control, endpoint, std::move(indices),
                                                   o.connect_rate / static_cast<double>(threads),
                                                   o.max_pending / threads));
  }
  const auto connect_started = Clock::now();
  for (auto& w : workers) w->start();

  const double timeout_s = o.connect_timeout_s > 0
                               ? o.connect_timeout_s
                               : 30 + 2 * static_cast<double>(o.connections) / o.connect_rate;
  const auto deadline = connect_started + std::chrono::duration<double>(timeout_s);
  while (control.ready.load() + control.failed.load() < o.connections && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const double connect_seconds =
      std::chrono::duration<double>(Clock::now() - connect_started).count();
  const std::size_t ready = control.ready.load();
  control.phase = Phase::kReady;
  std::printf("READY ok=%zu failed=%zu seconds=%.2f\n", ready, o.connections - ready,
              connect_seconds);
  std::fflush(stdout);

  // One window per "go"; with --wait-go another "go" after DONE measures another window with the
  // same connections, until "quit" or the end of input.
  for (int windows = 0;; ++windows) {
    bool measured = true;
    if (o.wait_go) {
      // Bounded: the driver sends go within minutes, or closes stdin to end us.
      const auto line =
          read_stdin_line(Clock::now() + std::chrono::seconds(windows == 0 ? 1800 : 600));
      measured = line.has_value() && line->rfind("go", 0) == 0;
      if (!measured && windows > 0) break;
    }
    if (windows > 0) {
      for (auto& w : workers) {
        std::promise<void> reset;
        auto future = reset.get_future();
        boost::asio::post(w->io(), [&] {
          w->start_window();
          reset.set_value();
        });
        future.wait_for(std::chrono::seconds(30));
      }
    }
    write_result(o, workers, control, plan, ready, connect_seconds, measured);
    if (!o.wait_go || !measured) break;
  }
  for (auto& w : workers) w->stop();
  return ready == o.connections ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int code = 1;
  try {
    auto parsed = parse_load_options(argc, argv);
    if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
    code = run(std::get<LoadOptions>(parsed));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_load_client: %s\n", e.what());
  }
  // Thousands of sockets: let the kernel close them instead of tearing down every object.
  std::fflush(nullptr);
  _exit(code);
}

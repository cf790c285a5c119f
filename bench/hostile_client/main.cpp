// bench_hostile_client: holds a mix of misbehaving connections to the gateway
// (hostile_connection.h) for the benchmark's hostile scenario (docs/performance.md). It starts them
// at --connect-rate, prints STARTED once every one has made its first attempt, then obeys lines on
// stdin:
//   report          print REPORT {json}: per kind, the counts since start
//   quit (or EOF)   exit
// It exits by itself after --max-lifetime.

#include <CLI/CLI.hpp>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hostile_client/hostile_connection.h"
#include "support/process_metrics.h"
#include "support/stdin_line.h"
#include "text_formats/duration_text.h"

namespace {

using namespace iiot::bench;
using Clock = std::chrono::steady_clock;

struct Mix {
  std::vector<std::pair<HostileKind, std::size_t>> counts;
  std::size_t total = 0;
};

// "bad_token=10,flood=5": how many connections of each kind.
std::optional<Mix> parse_mix(const std::string& text, std::string& error) {
  Mix mix;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    std::size_t count = 0;
    const auto kind = hostile_kind_from(item.substr(0, eq));
    const char* number = item.data() + (eq == std::string::npos ? item.size() : eq + 1);
    const auto [ptr, ec] = std::from_chars(number, item.data() + item.size(), count);
    if (!kind || eq == std::string::npos || ec != std::errc() || ptr != item.data() + item.size()) {
      error =
          "--mix: expected KIND=N,... with KIND one of bad_token, slowloris, oversize, "
          "invalid, flood, never_read (got " +
          item + ")";
      return std::nullopt;
    }
    mix.counts.emplace_back(*kind, count);
    mix.total += count;
  }
  if (mix.total == 0) {
    error = "--mix: no connections";
    return std::nullopt;
  }
  return mix;
}

boost::json::object report(const std::array<KindCounters, kHostileKinds.size()>& counters,
                           double elapsed_s) {
  boost::json::object kinds;
  for (const HostileKind kind : kHostileKinds) {
    const KindCounters& c = counters[static_cast<std::size_t>(kind)];
    if (c.connections == 0) continue;
    boost::json::object outcomes;
    {
      std::lock_guard lock(c.mutex);
      for (const auto& [what, n] : c.outcomes) outcomes[what] = n;
    }
    const std::uint64_t closed_before = c.closed_before_upgrade;
    kinds[to_string(kind)] = {{"connections", c.connections.load()},
                              {"attempts", c.attempts.load()},
                              {"connect_failed", c.connect_failed.load()},
                              {"refused", c.refused.load()},
                              {"closed_before_upgrade", closed_before},
                              {"upgraded", c.upgraded.load()},
                              {"closed", c.closed.load()},
                              {"rate_limited_errors", c.rate_limited.load()},
                              {"messages_sent", c.messages_sent.load()},
                              {"bytes_trickled", c.bytes_trickled.load()},
                              {"mean_handshake_held_ms",
                               closed_before > 0 ? static_cast<double>(c.handshake_held_ms.load()) /
                                                       static_cast<double>(closed_before)
                                                 : 0.0},
                              {"open_now", c.open.load()},
                              {"outcomes", std::move(outcomes)}};
  }
  return {{"tool", "bench_hostile_client"},
          {"elapsed_s", elapsed_s},
          {"cpu_s", process_cpu_times().total()},
          {"kinds", std::move(kinds)}};
}

int run(int argc, char** argv) {
  CLI::App app(
      "Misbehaving WebSocket clients of the gateway, for the benchmark's hostile scenario.",
      "bench_hostile_client");
  app.option_defaults()->always_capture_default();
  HostileOptions o;
  std::string addr = "127.0.0.1:8081";
  std::string mix_text;
  double connect_rate = 500;
  std::string retry_pause = "500ms";
  std::string interval = "100ms";
  std::string lifetime = "15m";
  app.add_option("--addr", addr, "Gateway host:port");
  app.add_option("--path", o.path, "WebSocket path");
  app.add_option("--token", o.token,
                 "A token the gateway accepts: every kind but bad_token presents it");
  app.add_option("--mix", mix_text,
                 "Connections per kind: bad_token=N,slowloris=N,oversize=N,invalid=N,flood=N,"
                 "never_read=N")
      ->required();
  app.add_option("--connect-rate", connect_rate, "New connections per second at start")
      ->check(CLI::PositiveNumber);
  app.add_option("--retry-pause", retry_pause, "Pause before trying again after an end");
  app.add_option("--slowloris-interval", interval, "Slowloris: pause between two bytes");
  app.add_option("--oversize-bytes", o.oversize_bytes,
                 "Oversize: the message's size (above the gateway's max_message_size)");
  app.add_option("--flood-rate", o.flood_rate, "Flood: messages per second per connection")
      ->check(CLI::PositiveNumber);
  app.add_option("--never-read-rcvbuf", o.never_read_rcvbuf,
                 "Never-read: SO_RCVBUF (bytes) set before connecting")
      ->check(CLI::Range(0, 1 << 26));
  app.add_option("--max-lifetime", lifetime, "Exit after this long whatever happens");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error) == 0 ? 0 : 2;
  }
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "bench_hostile_client: %s\n", message.c_str());
    return 2;
  };
  std::string error;
  const auto mix = parse_mix(mix_text, error);
  if (!mix) return fail(error);
  const auto colon = addr.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) {
    return fail("--addr: expected host:port (got " + addr + ")");
  }
  o.host = addr.substr(0, colon);
  o.port = addr.substr(colon + 1);
  const auto pause = iiot::text_formats::decimal_duration(retry_pause);
  const auto gap = iiot::text_formats::decimal_duration(interval);
  const auto life = iiot::text_formats::decimal_duration(lifetime);
  if (!pause || !gap || !life) return fail("durations look like 500ms, 10s, 2m");
  o.retry_pause = std::chrono::duration_cast<std::chrono::milliseconds>(*pause);
  o.slowloris_interval = std::chrono::duration_cast<std::chrono::milliseconds>(*gap);

  const std::uint64_t fd_limit = raise_open_file_limit();
  if (fd_limit < mix->total + 64) {
    return fail(std::to_string(mix->total) + " connections need more open files than the limit (" +
                std::to_string(fd_limit) + ")");
  }
  boost::asio::io_context io{1};
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto resolved = resolver.resolve(o.host, o.port, ec);
  if (ec || resolved.empty()) return fail("cannot resolve " + addr + ": " + ec.message());

  std::array<KindCounters, kHostileKinds.size()> counters;
  std::atomic<bool> stopping{false};
  HostileShared shared{o, io, resolved.begin()->endpoint(), counters, stopping};
  // Kinds interleaved, so every kind is under way from the first second.
  std::vector<HostileKind> order;
  for (std::size_t round = 0; order.size() < mix->total; ++round) {
    for (const auto& [kind, count] : mix->counts) {
      if (round < count) order.push_back(kind);
    }
  }
  std::vector<std::shared_ptr<HostileConnection>> connections;
  connections.reserve(order.size());
  std::atomic<std::size_t> started{0};
  const auto t0 = Clock::now();
  boost::asio::steady_timer pacing(io);
  std::function<void()> start_some = [&] {
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const auto allowed = static_cast<std::size_t>(elapsed * connect_rate) + 1;
    while (connections.size() < order.size() && connections.size() < allowed) {
      connections.push_back(std::make_shared<HostileConnection>(shared, order[connections.size()],
                                                                connections.size()));
      connections.back()->start();
      started.store(connections.size());
    }
    if (connections.size() < order.size()) {
      pacing.expires_after(std::chrono::milliseconds(2));
      pacing.async_wait([&](boost::system::error_code e) {
        if (!e) start_some();
      });
    }
  };
  boost::asio::post(io, start_some);
  std::thread thread([&] {
    auto guard = boost::asio::make_work_guard(io);
    io.run();
  });

  const auto end_of_life =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*life));
  while (started.load() < order.size() && Clock::now() < end_of_life) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::printf("STARTED connections=%zu seconds=%.2f\n", started.load(),
              std::chrono::duration<double>(Clock::now() - t0).count());
  std::fflush(stdout);
  while (auto line = read_stdin_line(end_of_life)) {
    if (*line == "quit") break;
    if (*line == "report") {
      const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      std::printf("REPORT %s\n", boost::json::serialize(report(counters, elapsed)).c_str());
      std::fflush(stdout);
    } else if (!line->empty()) {
      std::fprintf(stderr, "bench_hostile_client: unknown command '%s'\n", line->c_str());
    }
  }
  stopping = true;
  io.stop();
  thread.join();
  // Hundreds of sockets and their pending operations: let the kernel close them instead of
  // tearing down every object.
  std::fflush(nullptr);
  _exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  int code = 1;
  try {
    code = run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_hostile_client: %s\n", e.what());
  }
  std::fflush(nullptr);
  _exit(code);
}

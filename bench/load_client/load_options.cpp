#include "load_client/load_options.h"

#include <CLI/CLI.hpp>
#include <charconv>

#include "text_formats/duration_text.h"

namespace iiot::bench {
namespace {

std::variant<LoadMode, std::string> parse_mode(const std::string& text, double& rate) {
  if (text == "fast") return LoadMode::kFast;
  if (text == "stall") return LoadMode::kStall;
  if (text == "idle") return LoadMode::kIdle;
  constexpr std::string_view kRate = "rate:";
  if (text.rfind(kRate, 0) == 0) {
    const std::string_view number = std::string_view(text).substr(kRate.size());
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), rate);
    if (ec == std::errc() && ptr == number.data() + number.size() && rate > 0) {
      return LoadMode::kRate;
    }
  }
  return "--mode: expected fast, stall, idle or rate:BYTES_PER_S (got " + text + ")";
}

}  // namespace

std::string_view to_string(LoadMode mode) {
  switch (mode) {
    case LoadMode::kFast:
      return "fast";
    case LoadMode::kStall:
      return "stall";
    case LoadMode::kRate:
      return "rate";
    case LoadMode::kIdle:
      return "idle";
  }
  return "?";
}

std::variant<LoadOptions, int> parse_load_options(int argc, char** argv) {
  LoadOptions o;
  CLI::App app(
      "Holds many WebSocket connections to the gateway and measures deliveries/s, bytes and "
      "latency (event timestamp to receipt). Prints READY when every connection is set up, "
      "DONE after writing --json-out.",
      "bench_load_client");
  app.option_defaults()->always_capture_default();
  std::string addr = o.host + ":" + o.port;
  std::string mode = "fast";
  std::string duration = "10s";
  std::string warmup = "2s";
  std::string compression = "off";
  std::string connect_timeout = "0";
  std::string protocol = "gateway";
  std::string delivery = "all";
  app.add_option("--addr", addr, "Gateway host:port");
  app.add_option("--path", o.path, "WebSocket path");
  app.add_option("--connections", o.connections, "Connections held by this process")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1'000'000}));
  app.add_option("--connect-rate", o.connect_rate, "New connections per second")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-pending", o.max_pending, "Connection set-ups in flight at most")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100'000}));
  app.add_option("--match-fraction", o.match_fraction,
                 "Share of events each connection's filter matches (see device_fleet.h); "
                 ">= 1 sends the empty filter")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--devices", o.fleet.count, "Fleet size K the injector cycles through")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--id-prefix", o.fleet.prefix, "Device id prefix");
  app.add_option("--id-width", o.fleet.width, "Digits of the device number")
      ->check(CLI::Range(1, 12));
  app.add_option("--id-base", o.fleet.base, "Number of the first device (simulator: 1)");
  app.add_option("--index-base", o.index_base,
                 "Global index of this process's first connection (several processes)");
  app.add_option("--mode", mode, "fast | stall | idle | rate:BYTES_PER_S");
  app.add_option("--duration", duration, "Measurement window (10s, 500ms, 2m)");
  app.add_option("--warmup", warmup, "Time between go and the measurement window");
  app.add_option("--compression", compression, "Offer permessage-deflate: on | off")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_flag("--tls", o.tls,
               "Connect over TLS (wss://), verifying the gateway's certificate and its IP address "
               "or host name");
  app.add_option("--ca-file", o.ca_file, "CA certificates (PEM) that sign the gateway's")
      ->check(CLI::ExistingFile);
  app.add_option("--threads", o.threads, "I/O threads (one io_context each)")
      ->check(CLI::Range(1, 64));
  app.add_option("--stall-rcvbuf", o.stall_rcvbuf, "SO_RCVBUF of stalled connections (bytes)")
      ->check(CLI::Range(0, 1 << 26));
  app.add_option("--connect-timeout", connect_timeout,
                 "Give up setting up connections after this long; 0 = 30s + 2 x N / rate");
  app.add_flag("--wait-go", o.wait_go,
               "After READY, wait for a line 'go' on stdin; after DONE, another 'go' measures "
               "another window with the same connections");
  app.add_option("--token", o.token,
                 "Present this token at the handshake (Authorization: Bearer), for auth.mode "
                 "token or jwt");
  app.add_option("--delivery", delivery,
                 "The filter's delivery: all | latest (per-device conflation at the gateway)")
      ->check(CLI::IsMember({"all", "latest"}));
  app.add_option("--protocol", protocol,
                 "gateway: filter frames; centrifugo: Centrifugo's JSON client protocol (connect, "
                 "subscribe; use --path /connection/websocket)")
      ->check(CLI::IsMember({"gateway", "centrifugo"}));
  app.add_option("--centrifugo-all-channel", o.centrifugo.all,
                 "Centrifugo: the channel subscribed to when the filter matches everything");
  app.add_option("--centrifugo-device-prefix", o.centrifugo.per_device,
                 "Centrifugo: a device's channel is this prefix + its id");
  app.add_option("--json-out", o.json_out, "Write the result here (else stdout)");
  app.add_option("--label", o.label, "Free text copied into the result");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  auto fail = [&](const std::string& message) {
    std::fprintf(stderr, "bench_load_client: %s\n", message.c_str());
    return 2;
  };
  const auto colon = addr.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) {
    return fail("--addr: expected host:port (got " + addr + ")");
  }
  o.host = addr.substr(0, colon);
  o.port = addr.substr(colon + 1);
  auto parsed_mode = parse_mode(mode, o.rate_bytes_per_s);
  if (auto* error = std::get_if<std::string>(&parsed_mode)) return fail(*error);
  o.mode = std::get<LoadMode>(parsed_mode);
  const auto d = text_formats::decimal_duration(duration);
  const auto w = text_formats::decimal_duration(warmup);
  const auto t = text_formats::decimal_duration(connect_timeout);
  if (!d || !w || !t) return fail("--duration, --warmup, --connect-timeout: e.g. 10s, 500ms");
  o.duration_s = std::chrono::duration<double>(*d).count();
  o.warmup_s = std::chrono::duration<double>(*w).count();
  o.connect_timeout_s = std::chrono::duration<double>(*t).count();
  o.compression = compression == "on";
  o.latest = delivery == "latest";
  o.protocol = protocol == "centrifugo" ? LoadProtocol::kCentrifugo : LoadProtocol::kGateway;
  return o;
}

}  // namespace iiot::bench

#include "websocket_client/client_options.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>
#include <variant>

#include "text_formats/duration_text.h"

namespace iiot::ws_client {
namespace {

constexpr std::string_view kDescription =
    "Connects to the IIoT gateway's WebSocket endpoint, optionally sets a filter, and prints the\n"
    "messages it receives. Reconnects with exponential backoff and re-sends the filter.";

constexpr std::string_view kFooter =
    "Output: stdout gets one line per message (--json: the frame text exactly as received);\n"
    "stderr gets connection notes and, on exit, a one-line summary. When a filter flag is given,\n"
    "events that arrive before the server's filter_ack are neither printed nor counted (the\n"
    "previous filter chose them).\n"
    "\n"
    "Exit codes: 0 after --count, --duration, SIGINT/SIGTERM, or a 1000/1001 close under\n"
    "--no-reconnect; 1 when the connection failed or closed otherwise under --no-reconnect, or\n"
    "stdout broke; 2 for a bad command line; 3 when the server rejected the filter.";

// Flattens a comma-split CLI11 list and drops empty items, so --device-ids "" means "[]".
std::vector<std::string> clean_list(const std::vector<std::string>& raw) {
  std::vector<std::string> out;
  for (const auto& item : raw) {
    for (auto& part : split_list(item)) out.push_back(std::move(part));
  }
  return out;
}

}  // namespace

std::string ClientOptions::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::chrono::milliseconds parse_duration(std::string_view text) {
  const auto parsed = text_formats::parse_decimal_duration(text);
  if (const auto* duration = std::get_if<text_formats::DecimalDuration>(&parsed)) {
    return text_formats::round_to_millis(*duration);
  }
  const std::string original(text);
  switch (std::get<text_formats::DecimalDurationError>(parsed)) {
    case text_formats::DecimalDurationError::kNotANumber:
      break;
    case text_formats::DecimalDurationError::kUnknownUnit:
      throw UsageError("invalid duration '" + original + "': unit must be ms, s, m or h");
    case text_formats::DecimalDurationError::kOutOfRange:
      throw UsageError("duration out of range: '" + original + "'");
  }
  throw UsageError("invalid duration '" + original + "': expected e.g. 500ms, 10s, 1m");
}

HostPort parse_host_port(std::string_view text) {
  const std::string original(text);
  HostPort out;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos) throw UsageError("invalid address '" + original + "'");
    out.host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (!rest.starts_with(':')) throw UsageError("invalid address '" + original + "'");
      port = rest.substr(1);
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') != colon) {
      throw UsageError("invalid address '" + original + "': write IPv6 as [addr]:port");
    }
    out.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) port = text.substr(colon + 1);
  }
  if (out.host.empty()) throw UsageError("invalid address '" + original + "': no host");
  if (port.empty()) {
    if (text.ends_with(':')) throw UsageError("invalid address '" + original + "': no port");
    out.port = "8081";
    return out;
  }
  unsigned number = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
  if (ec != std::errc() || ptr != port.data() + port.size() || number == 0 || number > 65535) {
    throw UsageError("invalid address '" + original + "': port must be 1..65535");
  }
  out.port = std::string(port);
  return out;
}

namespace {

std::string read_token_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--token-file: cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
  if (token.empty()) throw UsageError("--token-file: '" + path + "' is empty");
  return token;
}

}  // namespace

ParsedCommandLine parse_client_options(int argc, const char* const* argv) {
  ClientOptions options;
  CLI::App app{std::string(kDescription), "websocket_client"};
  app.footer(std::string(kFooter));
  app.get_formatter()->column_width(30);

  std::string addr = "localhost:8081";
  std::string path = options.path;
  app.add_option("--addr", addr,
                 "Gateway address host:port (or ws://host:port/path, wss:// for TLS)")
      ->capture_default_str();
  auto* path_opt =
      app.add_option("--path", path, "WebSocket path on the gateway")->capture_default_str();
  std::string origin;
  auto* origin_opt = app.add_option("--origin", origin, "Origin header to send (e.g. a URL)");
  std::string token;
  auto* token_opt = app.add_option("--token", token,
                                   "Token for the gateway's auth (sent as Authorization: Bearer)");
  std::string token_file;
  auto* token_file_opt =
      app.add_option("--token-file", token_file,
                     "Read the token from this file (trailing newline trimmed; keeps it out of "
                     "the process list)")
          ->excludes(token_opt);

  struct ListFlag {
    const char* name;
    const char* help;
    std::optional<std::vector<std::string>>* target;
    std::vector<std::string> raw;
    CLI::Option* option = nullptr;
  };
  ListFlag lists[] = {
      {"--device-ids", "Filter: device ids, comma-separated", &options.filter.device_ids, {}},
      {"--device-types", "Filter: device types", &options.filter.device_types, {}},
      {"--locations", "Filter: locations", &options.filter.locations, {}},
      {"--alert-levels",
       "Filter: alert severities (info,warning,error,critical)",
       &options.filter.alert_levels,
       {}},
      {"--types", "Filter: message types (device_data,alert)", &options.filter.types, {}},
  };
  for (auto& list : lists) {
    list.option = app.add_option(list.name, list.raw, list.help)
                      ->delimiter(',')
                      ->allow_extra_args(false)
                      ->group("Filter (sent after the welcome; re-sent after reconnecting)");
  }

  bool json = false;
  bool quiet = false;
  auto* json_opt = app.add_flag("--json", json, "Print each frame exactly as received, one a line");
  auto* quiet_opt = app.add_flag("--quiet", quiet, "Print nothing per message");
  json_opt->excludes(quiet_opt);
  app.add_flag("--resume", options.resume,
               "Keep the last checkpoint, drop events already seen (by pos), resume after every "
               "reconnect");
  app.add_flag("--snapshot", options.snapshot,
               "First receive the latest state of every matching device");
  app.add_flag("--latency", options.latency,
               "Measure event timestamp-to-receipt latency; median/p99/max on exit");
  std::uint64_t count = 0;
  auto* count_opt = app.add_option("--count", count, "Exit after N events (device_data + alert)")
                        ->check(CLI::PositiveNumber);
  std::string duration;
  auto* duration_opt =
      app.add_option("--duration", duration, "Exit after this long, e.g. 10s, 500ms, 2m");

  bool no_reconnect = false;
  app.add_flag("--no-reconnect", no_reconnect,
               "Exit on the first disconnect instead of reconnecting");
  std::string backoff_initial = "250ms";
  std::string backoff_max = "10s";
  app.add_option("--backoff-initial", backoff_initial, "First reconnect delay cap")
      ->capture_default_str();
  app.add_option("--backoff-max", backoff_max, "Largest reconnect delay cap")
      ->capture_default_str();
  bool compression = false;
  bool no_compression = false;
  auto* compression_opt =
      app.add_flag("--compression", compression, "Offer permessage-deflate (the default)");
  app.add_flag("--no-compression", no_compression, "Do not offer permessage-deflate")
      ->excludes(compression_opt);
  std::string ping_interval = "20s";
  app.add_option("--ping-interval", ping_interval,
                 "Send {\"type\":\"ping\"} this often; no pong by the next one drops the "
                 "connection; 0: never")
      ->capture_default_str();
  std::string idle_timeout = "30s";
  app.add_option("--idle-timeout", idle_timeout,
                 "Drop a silent connection after this long (WebSocket ping at half); 0: never")
      ->capture_default_str();
  std::string ca_file;
  auto* ca_file_opt = app.add_option(
      "--ca-file", ca_file,
      "wss://: PEM CA certificates to verify the gateway with (default: the system's CAs)");
  std::string cert_file;
  auto* cert_opt = app.add_option(
      "--cert", cert_file, "wss://: PEM client certificate (chain) for mutual TLS; needs --key");
  std::string key_file;
  auto* key_opt =
      app.add_option("--key", key_file, "wss://: PEM private key of --cert (unencrypted)");
  std::string connect_timeout = "10s";
  app.add_option("--connect-timeout", connect_timeout, "Limit for TCP connect and handshake each")
      ->capture_default_str();

  try {
    app.parse(argc, argv);
    std::string_view rest(addr);
    options.tls = rest.starts_with("wss://");
    if (options.tls || rest.starts_with("ws://")) {
      rest.remove_prefix(options.tls ? 6 : 5);
      if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
        if (path_opt->count() == 0) path = std::string(rest.substr(slash));
        rest = rest.substr(0, slash);
      }
    }
    auto host_port = parse_host_port(rest);
    options.host = std::move(host_port.host);
    options.port = std::move(host_port.port);
    if (!path.starts_with('/')) throw UsageError("--path must start with '/' (got '" + path + "')");
    options.path = path;
    if (origin_opt->count() > 0) options.origin = origin;
    if (token_opt->count() > 0) {
      if (token.empty()) throw UsageError("--token must not be empty");
      options.token = token;
    }
    if (token_file_opt->count() > 0) options.token = read_token_file(token_file);
    for (const auto* opt : {ca_file_opt, cert_opt, key_opt}) {
      if (opt->count() > 0 && !options.tls) {
        throw UsageError(opt->get_name() + " needs a wss:// address (got '" + addr + "')");
      }
    }
    if (cert_opt->count() != key_opt->count()) {
      throw UsageError("--cert and --key go together");
    }
    if (ca_file_opt->count() > 0) options.ca_file = ca_file;
    if (cert_opt->count() > 0) {
      options.cert_file = cert_file;
      options.key_file = key_file;
    }
    for (auto& list : lists) {
      if (list.option->count() > 0) *list.target = clean_list(list.raw);
    }
    options.output = json ? OutputMode::kJson : quiet ? OutputMode::kQuiet : OutputMode::kHuman;
    if (count_opt->count() > 0) options.count = count;
    if (duration_opt->count() > 0) options.duration = parse_duration(duration);
    options.reconnect = no_reconnect ? Reconnect::kNo : Reconnect::kYes;
    options.backoff_initial = parse_duration(backoff_initial);
    options.backoff_max = parse_duration(backoff_max);
    if (options.backoff_initial.count() <= 0 || options.backoff_max < options.backoff_initial) {
      throw UsageError("--backoff-initial must be > 0 and <= --backoff-max");
    }
    options.compression = no_compression ? Compression::kOff : Compression::kOn;
    options.ping_interval = parse_duration(ping_interval);
    options.idle_timeout = parse_duration(idle_timeout);
    options.connect_timeout = parse_duration(connect_timeout);
    if (options.connect_timeout.count() <= 0) throw UsageError("--connect-timeout must be > 0");
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return {std::nullopt, 0};
  } catch (const CLI::ParseError& e) {
    std::cerr << "websocket_client: " << e.what() << "\nRun with --help for usage.\n";
    return {std::nullopt, 2};
  } catch (const UsageError& e) {
    std::cerr << "websocket_client: " << e.what() << "\nRun with --help for usage.\n";
    return {std::nullopt, 2};
  }
  return {std::move(options), 0};
}

}  // namespace iiot::ws_client

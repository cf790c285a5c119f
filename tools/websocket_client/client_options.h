// The websocket_client command line (CONTRACT section 5) as a plain struct, and its parser.
// A value type; parsed once in main and read-only afterwards.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace iiot::ws_client {

enum class OutputMode { kHuman, kJson, kQuiet };
enum class Reconnect { kYes, kNo };
enum class Compression { kOn, kOff };

// The filter dimensions the user gave. An absent list is left out of the filter frame; a given
// list is sent exactly as given (even empty). Values are not checked here: the server is the
// judge, and its invalid_filter answer is what the user should see.
struct FilterLists {
  std::optional<std::vector<std::string>> device_ids;
  std::optional<std::vector<std::string>> device_types;
  std::optional<std::vector<std::string>> locations;
  std::optional<std::vector<std::string>> alert_levels;
  std::optional<std::vector<std::string>> types;

  bool any() const { return device_ids || device_types || locations || alert_levels || types; }
};

struct ClientOptions {
  std::string host = "localhost";
  std::string port = "8081";
  std::string path = "/ws";
  std::optional<std::string> origin;
  std::optional<std::string> token;  // sent as "Authorization: Bearer <token>"; never printed
  // wss://: TLS with the server's certificate verified against ca_file (else the system's
  // default CAs) and its name checked against host. cert_file/key_file: a client certificate
  // for gateways that require one (mutual TLS).
  bool tls = false;
  std::optional<std::string> ca_file;
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;
  FilterLists filter;
  // Snapshot and resume (CONTRACT section 8): --resume keeps the last checkpoint, drops events
  // whose position it already has and resumes after every reconnect; --snapshot asks for the
  // latest state of every matching device first (on a connection that is not resuming).
  bool resume = false;
  bool snapshot = false;

  OutputMode output = OutputMode::kHuman;
  bool latency = false;
  std::optional<std::uint64_t> count;  // exit after this many events
  std::optional<std::chrono::milliseconds> duration;

  Reconnect reconnect = Reconnect::kYes;
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{10'000};

  Compression compression = Compression::kOn;
  std::chrono::milliseconds ping_interval{20'000};  // zero: no application pings
  std::chrono::milliseconds idle_timeout{30'000};   // zero: no idle timeout
  std::chrono::milliseconds connect_timeout{10'000};

  // "host:port", with an IPv6 host in brackets: the Host header and the log's address.
  std::string authority() const;
  // "ws://host:port/path" or "wss://…", for messages.
  std::string url() const { return (tls ? "wss://" : "ws://") + authority() + path; }
};

// A bad command line; what() names the flag and what it accepts.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What parse_client_options decided: run with the options, or exit at once with exit_code after
// having printed help or an error.
struct ParsedCommandLine {
  std::optional<ClientOptions> options;
  int exit_code = 0;
};

// Parses argv. Prints --help to stdout (exit code 0) and usage errors to stderr (exit code 2).
ParsedCommandLine parse_client_options(int argc, const char* const* argv);

// "250ms", "10s", "1m", "1h", or a bare number of seconds; fractions allowed ("1.5s").
// Throws UsageError on anything else or a negative value.
std::chrono::milliseconds parse_duration(std::string_view text);

// "host:port", "host" (port 8081), "[::1]:8081". Throws UsageError when malformed.
struct HostPort {
  std::string host;
  std::string port;
};
HostPort parse_host_port(std::string_view text);

// Splits "a,b,,c" into {"a","b","c"}: empty items are dropped, so "" gives an empty list.
std::vector<std::string> split_list(std::string_view text);

}  // namespace iiot::ws_client

#include "simulator_options.h"

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>

#include "text_formats/duration_text.h"

namespace iiot::simulator {
namespace {

CLI::Validator duration_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        return text_formats::decimal_duration(text)
                   ? ""
                   : "expected a duration such as 500ms, 10s, 2m or 1h";
      },
      "DURATION");
}

CLI::Validator non_negative() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        double value = 0.0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        const bool ok = error == std::errc() && end == text.data() + text.size() &&
                        std::isfinite(value) && value >= 0.0;
        return ok ? "" : "must be a number >= 0 (got " + text + ")";
      },
      "NUMBER>=0");
}

CLI::Validator property_validator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        const auto eq = text.find('=');
        return eq == std::string::npos || eq == 0 ? "expected KEY=VALUE" : "";
      },
      "KEY=VALUE");
}

}  // namespace

std::variant<SimulatorOptions, int> parse_command_line(int argc, const char* const* argv) {
  SimulatorOptions options;
  std::string duration = "0";
  std::string progress_interval = "5s";
  std::uint64_t seed = 0;
  std::vector<std::string> properties;
  bool quiet = false;
  bool unique_ids = false;
  std::string record_format = "gateway";

  CLI::App app(
      "Simulates a fleet of industrial devices producing telemetry and alerts to Kafka, in the "
      "record format the IIoT gateway consumes.\n"
      "Every record carries an extra \"seq\" field (1, 2, ... per topic) and a send-time "
      "timestamp with microseconds.\n"
      "Prints progress to stderr and a one-line key=value summary to stdout; exits 1 if any "
      "record was not delivered.",
      "device_simulator");
  app.option_defaults()->always_capture_default();
  app.add_option("--brokers", options.brokers, "Kafka bootstrap servers, host:port[,host:port]");
  app.add_option("--devices", options.devices, "Number of simulated devices (sensor-0001 ...)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10'000'000}));
  app.add_option("--rate", options.rate, "Device-data records per second; 0 = as fast as possible")
      ->check(non_negative());
  app.add_option("--alert-rate", options.alert_rate, "Alerts per second; 0 = none")
      ->check(non_negative());
  app.add_option("--duration", duration, "Stop after this long (500ms, 60s, 5m); 0 = no limit")
      ->check(duration_validator());
  app.add_option("--count", options.count,
                 "Stop after this many device-data records, invalid ones included; 0 = no limit");
  app.add_option("--invalid-ratio", options.invalid_ratio,
                 "Share of records made deliberately invalid (0..1), on both topics")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--topic-data", options.topic_data, "Topic for device-data records");
  app.add_option("--topic-alerts", options.topic_alerts, "Topic for alert records");
  auto* seed_option = app.add_option("--seed", seed, "Random seed, for a reproducible fleet")
                          ->capture_default_str()
                          ->default_str("random");
  app.add_option("--progress-interval", progress_interval,
                 "How often to print a progress line to stderr; 0 = never")
      ->check(duration_validator());
  app.add_flag("--unique-ids", unique_ids,
               "Accepted for compatibility: every record carries \"seq\" anyway");
  app.add_option("--payload-bytes", options.payload_bytes,
                 "Pad each valid device-data record with a \"pad\" field to about N bytes");
  app.add_option("--property", properties,
                 "librdkafka producer property KEY=VALUE, overrides the defaults (repeatable)")
      ->check(property_validator())
      ->take_all()
      ->default_str("");
  app.add_option("--record-format", record_format,
                 "gateway: the gateway's records; centrifugo: each record as the data of a "
                 "Centrifugo publish API command (benchmark peer comparison)")
      ->check(CLI::IsMember({"gateway", "centrifugo"}));
  app.add_option("--centrifugo-channel", options.centrifugo_channel,
                 "With --record-format centrifugo: the channel; {device_id} is replaced by the "
                 "record's device id");
  app.add_flag("-q,--quiet", quiet, "Only errors and the final summary");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }

  options.duration = text_formats::round_to_millis(*text_formats::decimal_duration(duration));
  options.progress_interval =
      text_formats::round_to_millis(*text_formats::decimal_duration(progress_interval));
  if (seed_option->count() > 0) options.seed = seed;
  for (const std::string& property : properties) {
    const auto eq = property.find('=');
    options.properties.emplace_back(property.substr(0, eq), property.substr(eq + 1));
  }
  options.verbosity = quiet ? Verbosity::kQuiet : Verbosity::kNormal;
  options.record_format =
      record_format == "centrifugo" ? RecordFormat::kCentrifugo : RecordFormat::kGateway;
  return options;
}

}  // namespace iiot::simulator

#include "websocket_client/client_options.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <vector>

namespace iiot::ws_client {
namespace {

using std::chrono::milliseconds;

ParsedCommandLine parse(std::vector<const char*> args) {
  args.insert(args.begin(), "websocket_client");
  return parse_client_options(static_cast<int>(args.size()), args.data());
}

TEST(ParseDuration, AcceptsUnitsAndBareSeconds) {
  EXPECT_EQ(parse_duration("250ms"), milliseconds(250));
  EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
  EXPECT_EQ(parse_duration("1.5s"), milliseconds(1'500));
  EXPECT_EQ(parse_duration("2m"), milliseconds(120'000));
  EXPECT_EQ(parse_duration("1h"), milliseconds(3'600'000));
  EXPECT_EQ(parse_duration("3"), milliseconds(3'000));
  EXPECT_EQ(parse_duration("0"), milliseconds(0));
}

TEST(ParseDuration, RejectsNonsense) {
  for (const char* text : {"", "s", "10x", "-1s", "ten", "1e400s"}) {
    EXPECT_THROW(parse_duration(text), UsageError) << text;
  }
}

TEST(ParseHostPort, SplitsHostAndPort) {
  EXPECT_EQ(parse_host_port("localhost:8081").host, "localhost");
  EXPECT_EQ(parse_host_port("localhost:8081").port, "8081");
  EXPECT_EQ(parse_host_port("example.com").port, "8081");
  EXPECT_EQ(parse_host_port("[::1]:9000").host, "::1");
  EXPECT_EQ(parse_host_port("[::1]:9000").port, "9000");
  for (const char* text : {"", ":8081", "host:", "host:0", "host:65536", "host:8o", "::1:80"}) {
    EXPECT_THROW(parse_host_port(text), UsageError) << text;
  }
}

TEST(ClientOptions, AuthorityAndUrlBracketIpv6) {
  ClientOptions options;
  options.host = "::1";
  options.port = "9000";
  EXPECT_EQ(options.authority(), "[::1]:9000");
  EXPECT_EQ(options.url(), "ws://[::1]:9000/ws");
}

TEST(SplitList, DropsEmptyItems) {
  EXPECT_EQ(split_list("a,b,,c"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list("").empty());
}

TEST(ParseClientOptions, Defaults) {
  const auto parsed = parse({});
  ASSERT_TRUE(parsed.options);
  const auto& o = *parsed.options;
  EXPECT_EQ(o.host, "localhost");
  EXPECT_EQ(o.port, "8081");
  EXPECT_EQ(o.path, "/ws");
  EXPECT_FALSE(o.filter.any());
  EXPECT_EQ(o.output, OutputMode::kHuman);
  EXPECT_EQ(o.reconnect, Reconnect::kYes);
  EXPECT_EQ(o.compression, Compression::kOn);
  EXPECT_EQ(o.ping_interval, milliseconds(20'000));
  EXPECT_FALSE(o.count);
  EXPECT_FALSE(o.duration);
}

TEST(ParseClientOptions, FilterListsKeepExactlyWhatWasGiven) {
  const auto parsed =
      parse({"--device-ids", "a,b", "--alert-levels", "warning,critical", "--types", ""});
  ASSERT_TRUE(parsed.options);
  const auto& f = parsed.options->filter;
  EXPECT_TRUE(f.any());
  EXPECT_EQ(f.device_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(f.alert_levels, (std::vector<std::string>{"warning", "critical"}));
  ASSERT_TRUE(f.types);
  EXPECT_TRUE(f.types->empty());
  EXPECT_FALSE(f.device_types);
  EXPECT_FALSE(f.locations);
}

TEST(ParseClientOptions, ModesAndLimits) {
  const auto parsed = parse({"--addr", "ws://gw:9000/stream", "--json", "--count", "5",
                             "--duration", "10s", "--no-reconnect", "--no-compression", "--origin",
                             "http://x", "--latency", "--ping-interval", "0"});
  ASSERT_TRUE(parsed.options);
  const auto& o = *parsed.options;
  EXPECT_EQ(o.host, "gw");
  EXPECT_EQ(o.port, "9000");
  EXPECT_EQ(o.path, "/stream");
  EXPECT_EQ(o.output, OutputMode::kJson);
  EXPECT_EQ(o.count, 5u);
  EXPECT_EQ(o.duration, milliseconds(10'000));
  EXPECT_EQ(o.reconnect, Reconnect::kNo);
  EXPECT_EQ(o.compression, Compression::kOff);
  EXPECT_EQ(o.origin, "http://x");
  EXPECT_TRUE(o.latency);
  EXPECT_EQ(o.ping_interval, milliseconds(0));
}

TEST(ParseClientOptions, WssUrlWithTlsFiles) {
  const auto parsed = parse({"--addr", "wss://gw.example:8443/stream", "--ca-file", "ca.pem",
                             "--cert", "client.pem", "--key", "client.key"});
  ASSERT_TRUE(parsed.options);
  const ClientOptions& o = *parsed.options;
  EXPECT_TRUE(o.tls);
  EXPECT_EQ(o.host, "gw.example");
  EXPECT_EQ(o.port, "8443");
  EXPECT_EQ(o.path, "/stream");
  EXPECT_EQ(o.ca_file, "ca.pem");
  EXPECT_EQ(o.cert_file, "client.pem");
  EXPECT_EQ(o.key_file, "client.key");
  EXPECT_EQ(o.url(), "wss://gw.example:8443/stream");
}

TEST(ParseClientOptions, WssWithoutFilesUsesTheSystemCas) {
  const auto parsed = parse({"--addr", "wss://localhost:9443"});
  ASSERT_TRUE(parsed.options);
  EXPECT_TRUE(parsed.options->tls);
  EXPECT_FALSE(parsed.options->ca_file);
  EXPECT_FALSE(parsed.options->cert_file);
  EXPECT_EQ(parsed.options->url(), "wss://localhost:9443/ws");
}

TEST(ParseClientOptions, PlainAddressIsNotTls) {
  const auto parsed = parse({"--addr", "ws://h:1/ws"});
  ASSERT_TRUE(parsed.options);
  EXPECT_FALSE(parsed.options->tls);
  EXPECT_EQ(parsed.options->url(), "ws://h:1/ws");
}

TEST(ParseClientOptions, BadCommandLinesExitWithTwo) {
  const std::vector<std::vector<const char*>> cases = {
      {"--bogus"},
      {"--json", "--quiet"},
      {"--count", "0"},
      {"--duration", "x"},
      {"--path", "ws"},
      {"--addr", "h:1", "--ca-file", "ca.pem"},
      {"--addr", "ws://h:1", "--cert", "c.pem", "--key", "k.pem"},
      {"--addr", "wss://h:1", "--cert", "c.pem"},
      {"--addr", "wss://h:1", "--key", "k.pem"},
      {"--compression", "--no-compression"},
  };
  for (const auto& args : cases) {
    const auto parsed = parse(args);
    EXPECT_FALSE(parsed.options) << args.front();
    EXPECT_EQ(parsed.exit_code, 2) << args.front();
  }
}

TEST(ParseClientOptions, HelpExitsWithZero) {
  testing::internal::CaptureStdout();
  const auto parsed = parse({"--help"});
  const auto help = testing::internal::GetCapturedStdout();
  EXPECT_FALSE(parsed.options);
  EXPECT_EQ(parsed.exit_code, 0);
  EXPECT_NE(help.find("--device-ids"), std::string::npos);
}

}  // namespace
}  // namespace iiot::ws_client

namespace iiot::ws_client {
namespace {

ParsedCommandLine parse_args(std::vector<const char*> args) {
  args.insert(args.begin(), "websocket_client");
  return parse_client_options(static_cast<int>(args.size()), args.data());
}

TEST(ClientOptionsToken, FromTheCommandLine) {
  const ParsedCommandLine parsed = parse_args({"--token", "abc.def"});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->token, "abc.def");
  EXPECT_FALSE(parse_args({}).options->token.has_value());
}

TEST(ClientOptionsToken, FromAFileWithoutTheTrailingNewline) {
  const std::string path = testing::TempDir() + "ws_client_token.txt";
  {
    std::ofstream out(path);
    out << "tok-from-file\n";
  }
  const ParsedCommandLine parsed = parse_args({"--token-file", path.c_str()});
  ASSERT_TRUE(parsed.options);
  EXPECT_EQ(parsed.options->token, "tok-from-file");
  std::remove(path.c_str());
}

TEST(ClientOptionsToken, BadTokenOptionsAreUsageErrors) {
  EXPECT_EQ(parse_args({"--token-file", "/nonexistent/token"}).exit_code, 2);
  EXPECT_EQ(parse_args({"--token", ""}).exit_code, 2);
  EXPECT_EQ(parse_args({"--token", "a", "--token-file", "/tmp/x"}).exit_code, 2);
}

}  // namespace
}  // namespace iiot::ws_client

// GatewayProcess: one bin/consumer child per test, on the test's own topics, consumer group and
// a free port on 127.0.0.1, with its YAML configuration and log in a fresh temporary directory.
// The constructor returns once /ready answers 200 (see WaitFor); the destructor kills a still
// running gateway (SIGKILL) and, if the test failed, prints the tail of its log. Used by the test's
// thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "kafka_fixture.h"
#include "support/child_process.h"

namespace iiot::e2e {

// Keys of the configuration sections, each a YAML value as written in the file
// (e.g. websocket["queue_size"] = "16", websocket["allowed_origins"] = R"(["http://a"])").
// Every test runs with these defaults unless it overrides them: host 127.0.0.1, a free port,
// worker_count 2, auto_offset_reset earliest, a unique group id, fetch.wait.max.ms 5.
struct GatewaySettings {
  std::map<std::string, std::string> websocket = {};
  std::map<std::string, std::string> processor = {};
  std::map<std::string, std::string> kafka = {};  // scalar keys beside brokers/topics/group_id
  std::string rules = {};  // the entries of `rules:` as YAML lines ("  - name: ..."); "" for none
  std::map<std::string, std::string> auth = {};  // e.g. auth["mode"] = "token"
  std::map<std::string, std::string> resume = {};
  std::string log_level = "info";
  // How the readiness wait asks the gateway: GET target on port -> HTTP status (0: no answer).
  // Empty: plain HTTP (http_get); a TLS gateway needs an https client here.
  std::function<int(unsigned short port, const std::string& target)> probe = {};

  // The pipeline gives no event up on a busy moment (a sanitizer build is slow): a full input
  // queue is retried every millisecond, 100,000 times. For tests in which every record is to
  // reach its clients and a push failure is not what is under test.
  void retry_pushes_until_queued() {
    processor["push_retry_attempts"] = "100000";
    processor["push_retry_backoff"] = "\"1ms\"";
  }
};

// What the constructor waits for: /ready 200 (Kafka reachable, group joined), or only the HTTP
// listener (/health answering), for a gateway whose broker is meant to be unreachable.
enum class WaitFor { kReady, kListening };

class GatewayProcess {
 public:
  GatewayProcess(const TestTopics& topics, GatewaySettings settings = {},
                 WaitFor wait_for = WaitFor::kReady);
  ~GatewayProcess();
  GatewayProcess(const GatewayProcess&) = delete;
  GatewayProcess& operator=(const GatewayProcess&) = delete;

  unsigned short port() const { return port_; }
  const std::string& group_id() const { return group_id_; }
  pid_t pid() const { return child_->pid(); }
  test_support::ChildProcess& process() { return *child_; }
  const std::string& log_path() const { return log_path_; }
  std::string log_tail(std::size_t lines = 60) const;

  // Resident set size in KiB from /proc/<pid>/status.
  long rss_kib() const;

  // SIGTERM, then waits for the exit (nullopt if it still runs after timeout).
  std::optional<test_support::ExitStatus> terminate(
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  void start_once(const TestTopics& topics, const GatewaySettings& settings);

  std::string dir_;
  std::string log_path_;
  std::string group_id_;
  unsigned short port_ = 0;
  std::unique_ptr<test_support::ChildProcess> child_;
};

// A port that was free a moment ago (bound to 127.0.0.1:0 and released).
unsigned short free_port();

// Polls predicate every step until it holds or timeout passes; returns its last value.
template <typename Predicate>
bool eventually(Predicate&& predicate, std::chrono::milliseconds timeout,
                std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return predicate();
    std::this_thread::sleep_for(step);
  }
}

}  // namespace iiot::e2e

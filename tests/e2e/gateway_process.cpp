#include "gateway_process.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "http_probe.h"

namespace iiot::e2e {
namespace {

namespace fs = std::filesystem;

// A YAML double-quoted scalar.
std::string yaml_quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

void write_section(std::ostream& out, const char* name,
                   const std::map<std::string, std::string>& keys) {
  if (keys.empty()) return;
  out << name << ":\n";
  for (const auto& [key, value] : keys) out << "  " << key << ": " << value << "\n";
}

std::string make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "iiot-e2e-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

constexpr auto kReadyTimeout = std::chrono::seconds(60);

}  // namespace

unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

GatewayProcess::GatewayProcess(const TestTopics& topics, GatewaySettings settings, WaitFor wait_for)
    : dir_(make_temp_dir()),
      log_path_(dir_ + "/consumer.log"),
      group_id_(unique_name("e2e-group")) {
  // The port is free when chosen but another process may take it before the gateway binds it:
  // a start that ends before /ready is retried on a new port.
  for (int attempt = 1;; ++attempt) {
    start_once(topics, settings);
    const auto status = [&](const std::string& target) {
      return settings.probe ? settings.probe(port_, target) : http_get(port_, target).status;
    };
    const bool ready = eventually(
        [&] {
          if (!child_->running()) return true;
          return status(wait_for == WaitFor::kReady ? "/ready" : "/health") == 200;
        },
        kReadyTimeout, std::chrono::milliseconds(50));
    if (ready && child_->running()) return;
    const std::string why = child_->running()
                                ? "not serving within 60 s"
                                : "exited early (" + child_->status()->describe() + ")";
    child_->kill();
    if (attempt >= 3 || child_->status()->signal == SIGKILL) {
      throw std::runtime_error("bin/consumer " + why + "; log " + log_path_ + ":\n" + log_tail());
    }
  }
}

void GatewayProcess::start_once(const TestTopics& topics, const GatewaySettings& settings) {
  port_ = free_port();
  std::map<std::string, std::string> websocket{
      {"host", yaml_quoted("127.0.0.1")}, {"port", std::to_string(port_)}, {"worker_count", "2"}};
  for (const auto& [k, v] : settings.websocket) websocket[k] = v;
  std::map<std::string, std::string> kafka;
  kafka["brokers"] = "[" + yaml_quoted(test_brokers()) + "]";
  kafka["group_id"] = yaml_quoted(group_id_);
  kafka["client_id"] = yaml_quoted(group_id_);
  kafka["auto_offset_reset"] = yaml_quoted("earliest");
  kafka["properties"] = R"({"fetch.wait.max.ms": "5"})";
  kafka["topics"] = "{device_data: " + yaml_quoted(topics.device_data) +
                    ", alerts: " + yaml_quoted(topics.alerts) +
                    ", dead_letter: " + yaml_quoted(topics.dead_letter) + "}";
  for (const auto& [k, v] : settings.kafka) kafka[k] = v;

  const std::string config_path = dir_ + "/config.yaml";
  {
    std::ofstream out(config_path);
    write_section(out, "websocket", websocket);
    write_section(out, "kafka", kafka);
    write_section(out, "processor", settings.processor);
    if (!settings.auth.empty()) write_section(out, "auth", settings.auth);
    write_section(out, "resume", settings.resume);
    out << "log:\n  level: " << yaml_quoted(settings.log_level) << "\n";
    if (!settings.rules.empty()) out << "rules:\n" << settings.rules;
  }
  child_ = std::make_unique<test_support::ChildProcess>(
      std::vector<std::string>{IIOT_CONSUMER_BIN, "-c", config_path}, log_path_);
}

GatewayProcess::~GatewayProcess() {
  const bool was_running = child_ && child_->running();
  if (child_) child_->kill();
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "---- bin/consumer log (%s, %s) ----\n%s\n---- end of log ----\n",
                 log_path_.c_str(), was_running ? "killed by the test" : "had exited",
                 log_tail().c_str());
  } else {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::string GatewayProcess::log_tail(std::size_t lines) const {
  std::ifstream in(log_path_);
  std::deque<std::string> tail;
  std::string line;
  while (std::getline(in, line)) {
    tail.push_back(line);
    if (tail.size() > lines) tail.pop_front();
  }
  std::string out;
  for (const auto& l : tail) out += l + "\n";
  return out;
}

long GatewayProcess::rss_kib() const {
  std::ifstream in("/proc/" + std::to_string(child_->pid()) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

std::optional<test_support::ExitStatus> GatewayProcess::terminate(
    std::chrono::milliseconds timeout) {
  child_->signal(SIGTERM);
  return child_->wait(timeout);
}

}  // namespace iiot::e2e

// bin/consumer: the gateway service (CONTRACT section 5).
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <thread>

#include "app/consumer_service.h"
#include "app/logging.h"
#include "auth/authenticator.h"
#include "config/config.h"
#include "push/tls_context.h"

// NOLINTNEXTLINE(bugprone-exception-escape): only CLI11's set-up (allocation) is outside the try
int main(int argc, char** argv) {
  CLI::App cli{
      "iiot-gateway: consumes device telemetry and alerts from Kafka and pushes them to "
      "WebSocket clients whose filter matches."};
  std::string config_path;
  bool check_only = false;
  cli.add_option("-c,--config", config_path, "YAML configuration file")->required();
  cli.add_flag("--check-config", check_only, "Validate the configuration file and exit");
  cli.set_version_flag("--version", "iiot-gateway 0.1.0");
  CLI11_PARSE(cli, argc, argv);

  iiot::config::Config config;
  std::unique_ptr<const iiot::auth::Authenticator> authenticator;
  std::unique_ptr<const iiot::push::TlsContext> tls;
  try {
    config = iiot::config::load_config(config_path);
    // Key and certificate files are read here, so --check-config judges them too.
    authenticator = std::make_unique<const iiot::auth::Authenticator>(config.auth);
    if (config.websocket.enabled && config.websocket.tls.enabled) {
      tls = std::make_unique<const iiot::push::TlsContext>(config.websocket.tls);
    }
  } catch (const iiot::config::ConfigError& e) {
    std::cerr << e.what() << '\n';
    return 2;
  }
  if (check_only) {
    std::cout << "config ok: " << config_path << '\n';
    return 0;
  }
  iiot::app::setup_logging(config.log);

  // Signals are taken by one thread with sigwait, so no handler runs inside library code.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    iiot::app::ConsumerService service(std::move(config), std::move(authenticator), std::move(tls));
    std::atomic<bool> service_ended{false};
    std::thread signal_waiter([&] {
      int sig = 0;
      sigwait(&signals, &sig);
      if (!service_ended.load()) {
        spdlog::info("received {}, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
      }
      service.request_stop();
    });
    int code = 1;
    std::exception_ptr failure;
    try {
      code = service.run();
    } catch (...) {
      failure = std::current_exception();
    }
    // Wake the signal thread if the service ended on its own (or failed).
    service_ended.store(true);
    // Not a termination: SIGTERM is blocked in every thread and the waiter takes it in sigwait().
    // NOLINTNEXTLINE(bugprone-bad-signal-to-kill-thread)
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
    signal_waiter.join();
    if (failure) std::rethrow_exception(failure);
    return code;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
}

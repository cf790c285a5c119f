// bin/websocket_client: see --help, CONTRACT section 5 and docs for the protocol.
#include <boost/asio/io_context.hpp>
#include <csignal>
#include <exception>
#include <iostream>

#include "websocket_client/client_options.h"
#include "websocket_client/frame_printer.h"
#include "websocket_client/reconnecting_client.h"
#include "websocket_client/run_summary.h"
#include "websocket_client/status_log.h"
#include "websocket_client/tls_client_context.h"

int main(int argc, char** argv) {
  namespace wsc = iiot::ws_client;
  const auto parsed = wsc::parse_client_options(argc, argv);
  if (!parsed.options) return parsed.exit_code;
  const wsc::ClientOptions& options = *parsed.options;

  // A reader that goes away turns into a failed write, which ends the run with exit code 1.
  std::signal(SIGPIPE, SIG_IGN);
  std::ios::sync_with_stdio(false);
  std::unique_ptr<boost::asio::ssl::context> tls;
  try {
    tls = wsc::make_tls_client_context(options);
  } catch (const wsc::UsageError& e) {
    std::cerr << "websocket_client: " << e.what() << std::endl;
    return static_cast<int>(wsc::ExitCode::kUsage);
  }
  try {
    boost::asio::io_context io{1};
    wsc::FramePrinter printer(options.output, std::cout);
    wsc::RunSummary summary(options.latency);
    wsc::StatusLog log(std::cerr);
    wsc::ReconnectingClient client(io, options, printer, summary, log, tls.get());
    client.start();
    io.run();
    std::cerr << summary.line(wsc::RunSummary::Clock::now()) << std::endl;
    return client.exit_code();
  } catch (const std::exception& e) {
    std::cerr << "websocket_client: " << e.what() << std::endl;
    return static_cast<int>(wsc::ExitCode::kConnectionFailed);
  }
}

// PushService: the push half of the gateway as the service that runs it sees it, and all of
// push/ that other components may include besides TlsContext. It builds and owns the DataPusher
// (the push threads and their input queue), the ReplayService (snapshot and resume jobs), the
// WebSocketServer (the listener) and the WebSocketIntegratedProcessor, wired as
// docs/architecture.md draws them; Beast and the sockets stay behind it.
//
// The owner drives the shutdown order (ConsumerService writes it down): stop_accepting(), then
// close_all_for_shutdown() and a wait for client_count() to reach 0, then stop().
// processor() is the consumer thread's; every other call comes from the owner's thread, except
// client_count(), which any thread may call.
#pragma once

#include <cstddef>
#include <memory>

#include "auth/authenticator.h"
#include "config/config.h"
#include "observability/gateway_stats.h"
#include "processing/default_message_processor.h"
#include "processing/record_history.h"

namespace iiot::push {

class DataPusher;
class ReplayService;
class TlsContext;
class WebSocketIntegratedProcessor;
class WebSocketServer;

class PushService {
 public:
  // config, decoder, history, stats, authenticator and tls outlive the service. decoder decodes
  // the records and keeps the latest device state (snapshots read it); history reads Kafka for
  // replays the ring does not cover (may be null); tls is null for a plain port.
  PushService(const config::Config& config, processing::DefaultMessageProcessor& decoder,
              processing::RecordHistory* history, observability::GatewayStats& stats,
              const auth::Authenticator& authenticator, const TlsContext* tls);
  ~PushService();
  PushService(const PushService&) = delete;
  PushService& operator=(const PushService&) = delete;

  // What the Kafka consumer hands its records to: decodes them, then pushes their events.
  processing::MessageProcessor& processor();

  // Starts the push threads, then the listener; throws ServerError (a std::runtime_error naming
  // the address) when the port cannot be opened.
  void start();
  unsigned short port() const;

  // New connections are refused; open ones stay.
  void stop_accepting();
  // Closes every client with 1001 "server shutting down"; a handshake that completes afterwards
  // is closed the same way.
  void close_all_for_shutdown();
  std::size_t client_count() const;
  // Cancels the replay jobs, then stops and joins the push threads.
  void stop();

 private:
  std::unique_ptr<DataPusher> pusher_;
  std::unique_ptr<ReplayService> replays_;
  std::unique_ptr<WebSocketServer> server_;
  std::unique_ptr<WebSocketIntegratedProcessor> processor_;
};

}  // namespace iiot::push

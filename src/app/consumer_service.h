// ConsumerService: builds, owns, starts and stops the whole gateway (the seed's name). With
// websocket.enabled it runs the push side (push::PushService: the WebSocketServer, the DataPusher
// and the WebSocketIntegratedProcessor); without, the DefaultMessageProcessor alone. run() occupies
// the calling thread with the Kafka poll loop; request_stop() may be called from any thread.
//
// Shutdown order (the one place it is written down):
//   1. stop accepting new connections;
//   2. stop consuming and commit the stored offsets (every pushed record is handed over);
//   3. close every client with 1001 and give them a moment to answer;
//   4. stop the push threads and join every thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>

#include "auth/authenticator.h"
#include "config/config.h"
#include "observability/gateway_stats.h"

namespace iiot::ingest {
class KafkaConsumer;
}
namespace iiot::push {
class TlsContext;
}

namespace iiot::app {

class ConsumerService {
 public:
  // The authenticator and the TLS context (null unless websocket.tls.enabled) are built from
  // the config by the caller (reading key and certificate files can fail, and that is a
  // configuration error reported before anything starts).
  ConsumerService(config::Config config, std::unique_ptr<const auth::Authenticator> authenticator,
                  std::unique_ptr<const push::TlsContext> tls = nullptr);
  ~ConsumerService();

  // Runs until request_stop(); returns the process exit code. Start-up errors throw.
  int run();
  void request_stop();

 private:
  void log_stats_periodically();

  const config::Config config_;
  const std::unique_ptr<const auth::Authenticator> authenticator_;
  const std::unique_ptr<const push::TlsContext> tls_;
  observability::GatewayStats stats_;
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stop_requested_ = false;                // guarded by mutex_
  ingest::KafkaConsumer* consumer_ = nullptr;  // guarded by mutex_; set while run() polls
};

}  // namespace iiot::app

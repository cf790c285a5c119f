#include "push/push_service.h"

#include <string>
#include <vector>

#include "push/data_pusher.h"
#include "push/replay_service.h"
#include "push/tls_context.h"
#include "push/websocket_integrated_processor.h"
#include "push/websocket_server.h"

namespace iiot::push {

PushService::PushService(const config::Config& config, processing::DefaultMessageProcessor& decoder,
                         processing::RecordHistory* history, observability::GatewayStats& stats,
                         const auth::Authenticator& authenticator, const TlsContext* tls)
    : pusher_(std::make_unique<DataPusher>(config.websocket, config.resume, stats)),
      replays_(std::make_unique<ReplayService>(
          config.resume,
          std::vector<std::string>{config.kafka.topics.device_data, config.kafka.topics.alerts},
          pusher_->ring(), decoder, history, stats)),
      server_(
          std::make_unique<WebSocketServer>(config.websocket, *pusher_, stats, authenticator, tls)),
      processor_(std::make_unique<WebSocketIntegratedProcessor>(decoder, *pusher_, config.processor,
                                                                stats)) {
  pusher_->set_replay_service(replays_.get());
}

PushService::~PushService() = default;

processing::MessageProcessor& PushService::processor() {
  return *processor_;
}

void PushService::start() {
  pusher_->start();
  server_->start();
}

unsigned short PushService::port() const {
  return server_->port();
}

void PushService::stop_accepting() {
  server_->stop_accepting();
}

void PushService::close_all_for_shutdown() {
  pusher_->close_all_for_shutdown();
}

std::size_t PushService::client_count() const {
  return pusher_->client_count();
}

void PushService::stop() {
  replays_->stop();  // no job feeds a client any more
  pusher_->stop();
}

}  // namespace iiot::push

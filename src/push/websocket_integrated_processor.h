// WebSocketIntegratedProcessor: DefaultMessageProcessor plus pushing (the seed's name), by
// composition. Each accepted event, then the alerts its threshold rules raised (on the alert
// lane: never given up), is encoded once and handed to the DataPusher: with
// async_push it is handed off and fanned out by the push threads; without, process() returns
// only once the event is queued at every matching client. A full push queue is retried
// push_retry_attempts times, push_retry_backoff apart; then telemetry is counted as a push
// failure (processing still succeeds) while an alert waits until it is accepted, which
// back-pressures into Kafka (the push threads drain the queue without
// ever blocking on a socket, so the wait is short). A push failure never fails processing. Consumer
// thread only.
#pragma once

#include "config/config.h"
#include "processing/default_message_processor.h"
#include "push/data_pusher.h"

namespace iiot::push {

class WebSocketIntegratedProcessor final : public processing::MessageProcessor {
 public:
  WebSocketIntegratedProcessor(processing::DefaultMessageProcessor& inner, DataPusher& pusher,
                               const config::ProcessorConfig& config,
                               observability::GatewayStats& stats);

  using MessageProcessor::process;
  processing::ProcessResult process(processing::RecordKind kind, std::string_view payload,
                                    const model::RecordPosition& position) override;
  // Hands the events held back for one wake-up of the push threads to them (DataPusher::flush).
  void end_of_batch() override;

 private:
  void hand_off(const PushEventPtr& event, const std::vector<PushEventPtr>& derived);

  processing::DefaultMessageProcessor& inner_;
  DataPusher& pusher_;
  const config::ProcessorConfig& config_;
  observability::GatewayStats& stats_;
};

}  // namespace iiot::push

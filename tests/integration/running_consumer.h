// A KafkaConsumer polling on its own thread for the length of a test. Stops it (offsets
// committed, group left) and joins when stop() is called or it goes out of scope; an exception
// thrown by run() is kept for the test to see.
#pragma once

#include <exception>
#include <string>
#include <thread>

#include "ingest/kafka_consumer.h"

namespace iiot::kafka_test {

class RunningConsumer {
 public:
  RunningConsumer(const config::KafkaConfig& config, processing::MessageProcessor& processor,
                  observability::GatewayStats& stats)
      : consumer_(config, processor, stats), thread_([this] {
          try {
            consumer_.run();
          } catch (const std::exception& e) {
            error_ = e.what();
          }
        }) {}
  ~RunningConsumer() { stop(); }
  RunningConsumer(const RunningConsumer&) = delete;
  RunningConsumer& operator=(const RunningConsumer&) = delete;

  // Returns what run() threw, or "" if it returned normally.
  std::string stop() {
    consumer_.request_stop();
    if (thread_.joinable()) thread_.join();
    return error_;
  }

 private:
  ingest::KafkaConsumer consumer_;
  std::string error_;  // written by the thread before join()
  std::thread thread_;
};

}  // namespace iiot::kafka_test

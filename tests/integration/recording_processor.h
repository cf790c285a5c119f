// A MessageProcessor for tests: the DefaultMessageProcessor (so GatewayStats count as in the
// service), recording the "seq" of every accepted record. process() runs on the consumer thread;
// the accessors may be called from any thread.
#pragma once

#include <cstdint>
#include <mutex>
#include <set>
#include <string_view>

#include "kafka_test_support.h"
#include "processing/default_message_processor.h"

namespace iiot::kafka_test {

class RecordingProcessor final : public processing::MessageProcessor {
 public:
  RecordingProcessor(std::int64_t max_payload_bytes, observability::GatewayStats& stats)
      : inner_(max_payload_bytes, stats) {}

  using MessageProcessor::process;
  processing::ProcessResult process(processing::RecordKind kind, std::string_view payload,
                                    const model::RecordPosition& position) override {
    processing::ProcessResult result = inner_.process(kind, payload, position);
    if (result.ok()) {
      const auto seq = seq_of(payload);
      const std::lock_guard lock(mutex_);
      ++accepted_;
      if (seq) seqs_.insert(*seq);
    }
    return result;
  }

  std::size_t distinct() const {
    const std::lock_guard lock(mutex_);
    return seqs_.size();
  }
  std::size_t accepted() const {
    const std::lock_guard lock(mutex_);
    return accepted_;
  }
  std::set<std::uint64_t> seqs() const {
    const std::lock_guard lock(mutex_);
    return seqs_;
  }

 private:
  processing::DefaultMessageProcessor inner_;
  mutable std::mutex mutex_;
  std::set<std::uint64_t> seqs_;
  std::size_t accepted_ = 0;
};

}  // namespace iiot::kafka_test

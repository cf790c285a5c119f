// DeadLetterSink: where KafkaConsumer sends the records it rejects (DeadLetter), and how it learns
// that one is safely written, the moment its source offset may be committed. The real one is
// DeadLetterWriter (a librdkafka producer); unit tests use a fake that acknowledges on demand.
//
// The writes waiting for acknowledgement are bounded: backlog_full() says KafkaConsumer must
// pause its partitions, backlog_drained() that it may resume them.
//
// Owned by KafkaConsumer and used on the consumer thread only: write() never blocks, and
// acknowledgements reach on_written from inside poll() and flush(). Internal to src/ingest.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "ingest/offset_tracker.h"

namespace iiot::ingest {

struct DeadLetter {
  TopicPartition source;
  std::int64_t offset = 0;
  std::optional<std::string> key;    // nullopt: the source record had a null key
  std::optional<std::string> value;  // nullopt: the source record had a null value
  std::string reason;
  bool stub = false;  // the broker refused the whole record: value cut short

  std::size_t bytes() const {
    return (key ? key->size() : 0) + (value ? value->size() : 0) + reason.size();
  }
};

class DeadLetterSink {
 public:
  using OnWritten = std::function<void(const DeadLetter&)>;

  virtual ~DeadLetterSink() = default;

  // Set once, before the first write().
  virtual void set_on_written(OnWritten on_written) = 0;
  virtual void write(DeadLetter letter) = 0;
  // Serves acknowledgements (and retries); never blocks.
  virtual void poll() = 0;
  // Polls until every write is acknowledged or the timeout passes; true if none is left.
  virtual bool flush(std::chrono::milliseconds timeout) = 0;
  // Writes not yet acknowledged, and their DeadLetter::bytes() summed.
  virtual std::size_t pending() const = 0;
  virtual std::size_t pending_bytes() const = 0;
  virtual bool backlog_full() const = 0;
  virtual bool backlog_drained() const = 0;
};

}  // namespace iiot::ingest

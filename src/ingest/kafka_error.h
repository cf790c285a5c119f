// The typed start-up error of the ingest layer: creating or configuring a Kafka client failed.
// what() names the cause and the fix, e.g.
// "kafka error: kafka.properties.fetch.wait.max.ms: Invalid value ... (fix or remove the
// property)".
#pragma once

#include <stdexcept>

namespace iiot::ingest {

class KafkaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace iiot::ingest

// Builds the librdkafka configuration of the gateway's two Kafka clients from KafkaConfig: the
// group consumer and the dead-letter producer. Our latency-tuned defaults are set first, then
// kafka.properties as is, so a property in the file overrides a default. Internal to src/ingest.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "ingest/rdkafka_handle.h"

namespace iiot::ingest {

// Throws KafkaError naming the property (as "kafka.properties.<name>" for one from the file).
ConfHandle make_consumer_conf(const config::KafkaConfig& config);
// The dead-letter producer takes records up to dead_letter_max_message_bytes(max_payload_bytes).
ConfHandle make_dead_letter_producer_conf(const config::KafkaConfig& config,
                                          std::int64_t max_payload_bytes);
// message.max.bytes of the dead-letter producer: 16 x processor.max_payload_bytes plus 64 KiB
// for the key and headers (at least librdkafka's default, at most its maximum), so a rejected
// record of any size the source topic could hold under common broker limits is written whole;
// past that, or when the broker refuses it, DeadLetterWriter writes a stub.
std::int64_t dead_letter_max_message_bytes(std::int64_t max_payload_bytes);
// The replay reader: a consumer that is assigned partitions directly (never joins a group, never
// commits) and reports the end of each partition.
ConfHandle make_history_consumer_conf(const config::KafkaConfig& config);

// Sets one property; origin is how the error message names it. Throws KafkaError.
void set_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                  std::string_view origin);

// Creates a client from conf (taking ownership of it). Throws KafkaError.
KafkaHandle make_client(rd_kafka_type_t type, ConfHandle conf, std::string_view role);

}  // namespace iiot::ingest

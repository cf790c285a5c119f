// Builds the librdkafka configuration of the gateway's two Kafka clients from KafkaConfig: the
// group consumer and the dead-letter producer. Our latency-tuned defaults are set first, then
// kafka.properties as is, so a property in the file overrides a default. Internal to src/ingest.
#pragma once

#include <string>
#include <string_view>

#include "config/config.h"
#include "ingest/rdkafka_handle.h"

namespace iiot::ingest {

// Throws KafkaError naming the property (as "kafka.properties.<name>" for one from the file).
ConfHandle make_consumer_conf(const config::KafkaConfig& config);
ConfHandle make_dead_letter_producer_conf(const config::KafkaConfig& config);

// Sets one property; origin is how the error message names it. Throws KafkaError.
void set_property(rd_kafka_conf_t* conf, const std::string& name, const std::string& value,
                  std::string_view origin);

// Creates a client from conf (taking ownership of it). Throws KafkaError.
KafkaHandle make_client(rd_kafka_type_t type, ConfHandle conf, std::string_view role);

}  // namespace iiot::ingest

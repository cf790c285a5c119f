// Counters shared by every part of the gateway, the one source for /stats and /metrics.
// Owned by ConsumerService and passed by reference; every member is an atomic, written with
// relaxed ordering from any thread (figures, not synchronisation).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "observability/latency_histogram.h"

namespace iiot::observability {

using Counter = std::atomic<std::uint64_t>;

struct PipelineCounters {
  Counter total_messages{0};        // every record consumed, valid or not
  Counter device_data_messages{0};  // valid device-data records processed
  Counter alert_messages{0};        // valid alert records processed
  Counter invalid_messages{0};      // rejected records (dead-lettered)
  Counter dead_letter_written{0};   // dead-letter writes acknowledged by the broker
  Counter dead_letter_retries{0};   // dead-letter writes that had to be retried
  Counter dead_letter_stubs{0};     // dead letters the broker refused whole, written cut short
  std::atomic<std::uint64_t> dead_letter_pending{0};    // dead-letter writes not yet acknowledged
  std::atomic<bool> dead_letter_backlog_paused{false};  // consumption paused: backlog full
  Counter rule_alerts{0};  // alerts raised or cleared by threshold rules
};

// One subscribed topic as the consumer sees it in librdkafka's statistics.
struct TopicFigures {
  std::string topic;
  std::int32_t partitions = 0;           // partitions the topic has
  std::int32_t partitions_assigned = 0;  // of those, held by this consumer
  std::int64_t consumer_lag = 0;         // summed over the assigned ones whose lag is known
};

// The per-topic figures, replaced as a whole by the consumer thread, read by HTTP handlers.
class TopicFiguresTable {
 public:
  void replace(std::vector<TopicFigures> topics) {
    std::lock_guard lock(mutex_);
    topics_ = std::move(topics);
  }
  std::vector<TopicFigures> get() const {
    std::lock_guard lock(mutex_);
    return topics_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<TopicFigures> topics_;  // guarded by mutex_
};

struct KafkaStatus {
  std::atomic<std::int64_t> consumer_lag{0};  // summed over assigned partitions
  std::atomic<std::int32_t> partitions_assigned{0};
  std::atomic<bool> broker_reachable{false};  // a broker connection is up
  std::atomic<bool> group_joined{false};      // the consumer holds at least one partition
  // Holding fewer than all partitions of the subscribed topics while another member of the
  // group holds the rest: clients here see only part of the stream.
  std::atomic<bool> partial{false};
  TopicFiguresTable topics;
  Counter rebalances{0};
  Counter offsets_committed{0};
};

struct PushCounters {
  std::atomic<std::int64_t> active_clients{0};
  Counter total_connections{0};       // connections accepted since start
  Counter rejected_connections{0};    // refused handshakes (503/403/bad request)
  Counter tls_handshake_failures{0};  // TLS handshakes that failed or timed out (websocket.tls)
  Counter push_success_count{0};      // frames handed to a client's queue
  Counter push_failure_count{0};      // events not pushed (input queue full after retries)
  Counter dropped_messages{0};        // frames dropped from client queues (overflow)
  Counter conflated_messages{0};      // unsent frames replaced by newer ones ("delivery":"latest")
  Counter slow_disconnects{0};        // clients closed with 4000
  Counter bytes_sent{0};
  Counter frames_sent{0};
};

// Snapshot and resume (CONTRACT section 8).
struct ResumeCounters {
  std::atomic<std::uint64_t> ring_events{0};    // events held by the replay ring now
  std::atomic<std::uint64_t> ring_bytes{0};     // their estimated bytes (<= resume.memory_bytes)
  std::atomic<std::uint64_t> state_devices{0};  // devices in the device state store now
  std::atomic<std::uint64_t> state_bytes{0};    // their estimated bytes
  std::atomic<std::int64_t> replays_active{0};  // replay and snapshot jobs running now
  Counter replays_from_memory{0};
  Counter replays_from_kafka{0};
  Counter replays_not_recovered{0};  // answered recovered:false
  Counter replayed_events{0};
  Counter snapshots{0};
  Counter checkpoints_sent{0};  // checkpoint frames queued at clients
};

class GatewayStats {
 public:
  GatewayStats() : started_(std::chrono::steady_clock::now()) {}

  PipelineCounters pipeline;
  KafkaStatus kafka;
  PushCounters push;
  ResumeCounters resume;
  LatencyHistogram push_latency;  // event accepted by the pusher -> frame queued at its clients
  // The record's Kafka timestamp -> its frame handed to a client's socket write, per client.
  LatencyHistogram kafka_to_client_latency;

  double uptime_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

 private:
  std::chrono::steady_clock::time_point started_;
};

}  // namespace iiot::observability

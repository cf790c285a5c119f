// GroupConsumerClient: what KafkaConsumer needs from a Kafka group consumer client, and
// GroupConsumerListener, how that client reports the group's events back. The real one is
// RdKafkaGroupConsumer (librdkafka); unit tests use a fake, so the decisions KafkaConsumer makes
// (what to commit when, pausing, the shutdown order) are tested without a broker.
//
// Owned by KafkaConsumer and used on the consumer thread only. Like librdkafka, a client calls
// its listener from inside its own calls on that thread: rebalances, statistics and errors from
// poll() and leave_group(), commit outcomes from poll() and commit(). Internal to src/ingest.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/offset_tracker.h"

namespace iiot::ingest {

enum class ConsumedKind {
  kRecord,        // a record of an assigned partition
  kPartitionEof,  // the end of a partition was reached
  kFatal,         // the client is unusable: fatal_error() says why
  kError,         // a per-partition or client-level problem the client retries by itself
};

// One poll() result. A view: the strings stay valid until the next call on the client.
struct ConsumedRecord {
  ConsumedKind kind = ConsumedKind::kRecord;
  std::string_view topic;  // empty for a client-level error
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::optional<std::string_view> key;                             // nullopt: a null key
  std::optional<std::string_view> value;                           // nullopt: a null value
  std::optional<std::chrono::system_clock::time_point> timestamp;  // nullopt: none known
  std::string error;                                               // for kError: what went wrong
};

enum class RebalanceKind {
  kAssign,  // the partitions are given to this member (for a cooperative protocol: added)
  kRevoke,  // the partitions are taken away; assignment_lost() tells whether they were lost
  kError,   // the rebalance failed; the listener must drop the assignment
};

struct Rebalance {
  RebalanceKind kind = RebalanceKind::kAssign;
  std::vector<TopicPartition> partitions;
  std::string error;  // for kError
};

enum class CommitStatus {
  kCommitted,
  kNothingToCommit,  // no offset stored since the last commit
  kTransientError,   // the broker or its coordinator is away, or the wait timed out: retried
  kError,
};

struct CommitResult {
  CommitStatus status = CommitStatus::kCommitted;
  std::string error;                       // unless kCommitted
  std::uint64_t partitions_committed = 0;  // partitions whose offset the broker took
};

enum class ClientErrorKind {
  kAllBrokersDown,
  kFatal,       // the client is unusable
  kConnection,  // one connection failed or a name did not resolve; reconnected by itself
  kOther,
};

struct ClientError {
  ClientErrorKind kind = ClientErrorKind::kOther;
  std::string name;  // the error's code name
  std::string reason;
};

enum class RebalanceProtocol { kCooperative, kEager };

// The result of an operation that either works or says why not.
struct ClientStatus {
  std::string error;  // empty: it worked
  bool ok() const { return error.empty(); }
};

class GroupConsumerListener {
 public:
  virtual ~GroupConsumerListener() = default;
  virtual void on_rebalance(const Rebalance& rebalance) = 0;
  // The client's statistics document (librdkafka's statistics JSON).
  virtual void on_statistics(std::string_view json) = 0;
  virtual void on_error(const ClientError& error) = 0;
  // Every commit's outcome: the periodic auto-commit's and commit()'s.
  virtual void on_commit(const CommitResult& result) = 0;
};

class GroupConsumerClient {
 public:
  virtual ~GroupConsumerClient() = default;

  // Set once, before the first poll(); the listener must outlive the client's last call.
  virtual void set_listener(GroupConsumerListener& listener) = 0;

  // Waits at most timeout for the next record or event; nullopt if none came.
  virtual std::optional<ConsumedRecord> poll(std::chrono::milliseconds timeout) = 0;
  // Stores the next offsets to read, for the next commit. A partition revoked meanwhile is not
  // an error: its new owner reads the records again.
  virtual ClientStatus store_offsets(const std::vector<CommittableOffset>& offsets) = 0;
  // Commits every stored offset, or the given ones, and waits at most timeout for the outcome.
  virtual CommitResult commit_stored(std::chrono::milliseconds timeout) = 0;
  virtual CommitResult commit(const std::vector<CommittableOffset>& offsets,
                              std::chrono::milliseconds timeout) = 0;

  virtual RebalanceProtocol rebalance_protocol() const = 0;
  // kEager: replaces the assignment; unassign() drops it.
  virtual ClientStatus assign(const std::vector<TopicPartition>& partitions) = 0;
  virtual ClientStatus unassign() = 0;
  // kCooperative: adds to or removes from the assignment.
  virtual ClientStatus incremental_assign(const std::vector<TopicPartition>& partitions) = 0;
  virtual ClientStatus incremental_unassign(const std::vector<TopicPartition>& partitions) = 0;
  // The partitions held now; nullopt if the client cannot tell.
  virtual std::optional<std::vector<TopicPartition>> assignment() const = 0;
  // The partitions being revoked were lost: they have another owner already.
  virtual bool assignment_lost() const = 0;
  virtual ClientStatus pause(const std::vector<TopicPartition>& partitions) = 0;
  virtual ClientStatus resume(const std::vector<TopicPartition>& partitions) = 0;

  // Leaves the group, the final revocation reaching the listener; false if that did not finish
  // within timeout (the group then drops this member after its session timeout).
  virtual bool leave_group(std::chrono::milliseconds timeout) = 0;
  // Why the client is unusable, after a kFatal record or error.
  virtual std::string fatal_error() const = 0;
};

}  // namespace iiot::ingest

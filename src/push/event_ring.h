// EventRing: the most recent events of the stream, in stream order, kept for replays (CONTRACT
// section 8), bounded by an estimate of the bytes they hold (resume.memory_bytes); the oldest
// events leave first. Per partition it knows from which offset on it holds every event, so it can
// tell whether it covers a replay range or the replay must read Kafka.
// Thread-safety: one mutex. append() is called by the DataPusher in stream order (the consumer
// thread); select() and the figures from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <vector>

#include "model/filter.h"
#include "model/stream_cursor.h"
#include "push/push_event.h"

namespace iiot::push {

class EventRing {
 public:
  explicit EventRing(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  struct Usage {
    std::size_t events = 0;
    std::size_t bytes = 0;
  };
  // Appends a record's event, evicting the oldest past the byte bound; returns the usage after.
  Usage append(PushEventPtr event);

  struct Selection {
    bool covered = false;  // false: the ring lacks part of the range (events is then empty)
    bool capped = false;   // more events matched than `max_events`: only the last ones are kept
    std::vector<PushEventPtr> events;  // in stream order
  };
  // The events matching `filter` at or after `from` and before `until`, per partition. A
  // partition that `from` does not name is wanted from its beginning. The ring covers the range
  // when, for every partition either cursor names, it holds every event from the wanted offset on.
  Selection select(const model::StreamCursor& from, const model::StreamCursor& until,
                   const model::Filter& filter, std::size_t max_events) const;

  std::size_t bytes() const;
  std::size_t size() const;
  std::size_t capacity() const { return max_bytes_; }

  // The bytes an event is counted for: its text, its wire frame and its decoded value (estimated).
  static std::size_t cost(const PushEvent& event);

 private:
  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::deque<PushEventPtr> events_;                        // guarded by mutex_
  std::size_t bytes_ = 0;                                  // guarded by mutex_
  std::map<model::PartitionKey, std::int64_t> held_from_;  // guarded by mutex_
};

}  // namespace iiot::push

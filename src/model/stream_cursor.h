// A position in the gateway's input stream: for every partition seen, the next offset (every
// record before it is behind the cursor). Clients get it as an opaque string in `checkpoint` and
// `snapshot_end` frames and hand it back in `resume` (CONTRACT section 8). The string names the
// topics, so a cursor is valid on every instance reading the same topics and is refused by one
// reading others. A value type; thread-compatible.
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/record_decoder.h"
#include "model/record_position.h"

namespace iiot::model {

struct PartitionKey {
  std::string topic;
  std::int32_t partition = 0;

  auto operator<=>(const PartitionKey&) const = default;  // NOLINT(modernize-use-nullptr)
  bool operator==(const PartitionKey&) const = default;
};

class StreamCursor {
 public:
  using Offsets = std::map<PartitionKey, std::int64_t>;

  // Moves the partition's next offset past `position` (never backwards); a position that was not
  // read from Kafka (!known()) leaves the cursor as it is.
  void advance(const RecordPosition& position);
  // Sets the partition's next offset, whatever it was.
  void set(PartitionKey key, std::int64_t next_offset) { next_[std::move(key)] = next_offset; }

  // The next offset of a partition, nullopt when the cursor does not name it.
  std::optional<std::int64_t> next(const PartitionKey& key) const;
  // Whether the record at `position` is behind the cursor (its partition named, offset before).
  bool passed(const RecordPosition& position) const;
  const Offsets& offsets() const { return next_; }
  bool empty() const { return next_.empty(); }

  bool operator==(const StreamCursor&) const = default;

 private:
  Offsets next_;
};

// base64url (no padding) of "1;<topic>:<partition>=<next>,<partition>=<next>;<topic>:...".
std::string encode_cursor(const StreamCursor& cursor);
// The inverse. Fails for anything encode_cursor() cannot have written and for a topic that is
// not in `topics` (a cursor of other topics); the reason is meant for an `invalid_cursor` error.
DecodeResult<StreamCursor> decode_cursor(std::string_view text,
                                         const std::vector<std::string>& topics);

}  // namespace iiot::model

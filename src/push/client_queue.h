// A client's bounded outgoing queue, its overflow policy (CONTRACT section 6) and its delivery
// policy (section 9). Pure logic, no I/O: the Client owns one and uses it on its shard's thread
// only.
//
// Rules: a frame is queued while the queue holds fewer than max_frames frames and the bytes stay
// within max_bytes. Past max_frames the policy acts only on a client that is not draining
// (nothing accepted by its socket for 100 ms): drop_oldest drops the oldest telemetry,
// disconnect asks for a 4000 close. A draining client may briefly hold more than max_frames.
// Alerts and control frames displace telemetry and are otherwise kept beyond max_frames. The byte
// cap is hard: telemetry is dropped to make room (drop_oldest), else the client is closed.
//
// Delivery kLatest (conflation): a telemetry frame of a device that still has an unsent one in
// the queue replaces that one in place (same position, so the order between devices and with
// alerts is kept); the overflow policy then applies only to the byte cap, since no frame was
// added. Alerts and control frames are never conflated. Every operation is O(1) (amortised): the
// queue keeps telemetry and the other frames in two lanes merged by arrival order, so the oldest
// telemetry is always a lane's front, and a map device -> lane position finds the frame to
// replace without a scan.
//
// Writing: the Client take()s frames out of the queue into its gather write; a frame taken is no
// longer queued, so neither conflation nor the overflow policy can replace or drop it while the
// write holds its buffer. The lanes are allocated by the first push and freed by
// release_memory() once empty, so an idle client holds no queue storage.
#pragma once

#include <boost/circular_buffer.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"
#include "model/filter.h"
#include "model/frame_encoder.h"

namespace iiot::push {

enum class FrameClass : std::uint8_t { kTelemetry, kAlert, kControl };

struct OutFrame {
  model::SharedFrame data;
  FrameClass cls = FrameClass::kTelemetry;
  // The record's Kafka timestamp, for the Kafka-to-client latency; epoch when unknown.
  std::chrono::system_clock::time_point kafka_timestamp{};
};

struct QueueLimits {
  std::size_t max_frames = 1000;
  std::size_t max_bytes = std::size_t{4} * 1024 * 1024;
  config::OverflowPolicy policy = config::OverflowPolicy::kDropOldest;
};

// How much one gather write may carry: at most `frames` frames and, past the first frame,
// `bytes` bytes (a frame larger than the budget still leaves on its own).
struct WriteBudget {
  std::size_t frames = 64;
  std::size_t bytes = std::size_t{256} * 1024;
};

struct EnqueueOutcome {
  std::size_t dropped = 0;    // telemetry frames dropped (possibly the new one)
  std::size_t conflated = 0;  // unsent telemetry frames replaced by the new one (0 or 1)
  bool disconnect = false;    // the client must be closed with 4000
};

class ClientQueue {
 public:
  explicit ClientQueue(QueueLimits limits) : limits_(limits) {}

  // Switches the delivery policy for the frames pushed from now on. Leaving kLatest forgets
  // which frames may be replaced (O(queue) once); frames already queued stay.
  void set_delivery(model::Delivery delivery);
  model::Delivery delivery() const { return delivery_; }

  // Whether a push now would need to know if the client is draining (the queue is at its
  // frame limit). Lets the caller read the clock only when it matters.
  bool at_frame_limit() const { return size() >= limits_.max_frames; }

  // device_id names the device of a telemetry frame (the conflation key under kLatest); it is
  // ignored for other frames and may be empty (never conflated).
  EnqueueOutcome push(OutFrame frame, bool draining, std::string_view device_id = {});

  bool empty() const { return size() == 0; }
  std::size_t size() const {
    return lanes_ ? lanes_->telemetry.size() + lanes_->priority.size() : 0;
  }
  std::size_t bytes() const { return bytes_; }
  // The oldest frame of either lane. Precondition: !empty().
  OutFrame pop_front();
  // Moves the frames for one gather write from the front of the queue to the back of `out`, in
  // queue order, within `budget`; returns how many. Frames taken are no longer queued (neither
  // conflation nor the overflow policy can touch them while the write holds their buffers).
  std::size_t take(WriteBudget budget, std::vector<OutFrame>& out);
  void clear();
  // Frees the queue's storage if it is empty (an idle client holds none); the next push
  // allocates it again.
  void release_memory();

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Device id -> lane number of its unsent telemetry frame (kLatest only).
  using LatestIndex = std::unordered_map<std::string, std::uint64_t, Hash, std::equal_to<>>;

  struct Slot {
    OutFrame frame;
    std::uint64_t order = 0;                          // arrival order across both lanes
    LatestIndex::value_type* latest_entry = nullptr;  // its index entry, if any (stable address)
  };

  // A lane is a ring that doubles when full: a stalled client under drop_oldest pushes one frame
  // and drops one per event, which a ring does in place where a std::deque allocates and frees a
  // block every few frames.
  using Lane = boost::circular_buffer<Slot>;
  // Allocated by the first push.
  struct Lanes {
    Lane telemetry;  // oldest first
    Lane priority;   // alerts and control frames, oldest first
  };
  static void push_back(Lane& lane, Slot slot);

  // Removes the front of the telemetry lane and its index entry; false if the lane is empty.
  bool drop_oldest_telemetry();
  Slot take_telemetry_front();
  // Whether the oldest frame is the telemetry lane's front. Precondition: !empty().
  bool front_is_telemetry() const;
  EnqueueOutcome replace(Slot& slot, OutFrame frame);

  QueueLimits limits_;
  model::Delivery delivery_ = model::Delivery::kAll;
  std::optional<Lanes> lanes_;  // allocated by the first push, freed by release_memory()
  std::uint64_t next_order_ = 0;
  // Lane number of the telemetry lane's front: slot i of the lane has number telemetry_base_ + i,
  // which stays valid as the lane only ever loses frames at its front.
  std::uint64_t telemetry_base_ = 0;
  LatestIndex latest_;
  std::size_t bytes_ = 0;
};

}  // namespace iiot::push

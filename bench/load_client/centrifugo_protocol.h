// The load client's side of Centrifugo's JSON client protocol (bench_load_client --protocol
// centrifugo), for the benchmark's peer comparison: the commands a connection sends after the
// WebSocket upgrade, and a look at each reply it reads back.
//
// Commands: {"id":1,"connect":{}} and one {"id":N,"subscribe":{"channel":...}} per channel, sent
// newline-separated in one frame. Replies arrive newline-separated too, several per frame. A
// publication push {"push":{"channel":...,"pub":{"data":<record>}}} is recognised by position and
// its record's "timestamp" found by a short search, like the gateway's frames (frame_inspector.h);
// the rare other replies (to connect and subscribe, errors) are parsed with Boost.JSON. An empty
// object {} is the server's ping, answered with {}. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "support/device_fleet.h"

namespace iiot::bench {

struct CentrifugoChannels {
  std::string all = "devices";         // the channel every record goes to (match fraction >= 1)
  std::string per_device = "device.";  // prefix of a device's own channel: "device.<device id>"
};

// The channels connection g subscribes to: `all` when the plan matches everything, else one
// per-device channel for each of its device ids.
std::vector<std::string> centrifugo_channels(const SubscriptionPlan& plan, std::size_t g,
                                             const CentrifugoChannels& channels);

// The set-up frame: connect (id 1), then subscribe (ids 2, 3, ...) for each channel.
std::string centrifugo_setup_frame(const std::vector<std::string>& channels);

enum class CentrifugoReplyKind {
  kPublication,  // a publication push: count it
  kPing,         // {}: answer with {}
  kReply,        // a reply to one of our commands (id > 0), without error
  kError,        // a reply with an error, or a line that is not a JSON object
  kOther,        // any other push (join, leave, disconnect, ...)
};

struct CentrifugoReply {
  CentrifugoReplyKind kind = CentrifugoReplyKind::kOther;
  std::int64_t id = 0;         // kReply, kError: the command's id when there is one
  std::string_view timestamp;  // kPublication: the record's "timestamp", empty when not found
  std::string error;           // kError: what went wrong, for the log
};

CentrifugoReply inspect_centrifugo_reply(std::string_view line);

// Calls on_line for every non-empty line of a frame.
void for_each_centrifugo_reply(std::string_view frame,
                               const std::function<void(std::string_view)>& on_line);

}  // namespace iiot::bench

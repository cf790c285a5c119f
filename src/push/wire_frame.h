// Pre-framed WebSocket messages (RFC 6455 section 5.2, RFC 7692 section 7): an outgoing text
// message as the exact bytes a server writes on the socket, header and payload in one immutable
// buffer that every client receiving it shares by reference. Server frames are unmasked and
// unfragmented. Thread-safe: the functions keep no shared state (deflate streams are per thread).
//
// This is the only place where the gateway writes WebSocket frame headers itself: the reading
// side, the handshake and control frames are Boost.Beast's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

#include "model/frame_encoder.h"

namespace iiot::push {

// Messages shorter than this are sent uncompressed even to a client that negotiated
// permessage-deflate: deflating them costs more than it saves.
inline constexpr std::size_t kDeflateThreshold = 64;

// Deflate window sizes a client can negotiate (server_max_window_bits, RFC 7692 section 7.1.2).
inline constexpr int kMinWindowBits = 8;
inline constexpr int kMaxWindowBits = 15;

// A complete, final text frame: FIN | opcode 1, no mask, 7/16/64-bit payload length.
model::SharedFrame make_text_frame(std::string_view payload);

// A complete, final text frame whose payload is `payload` deflated as permessage-deflate asks
// with no context takeover: raw deflate with a window of 2^window_bits bytes, flushed with
// Z_SYNC_FLUSH and the trailing 00 00 ff ff removed, RSV1 set. Returns nullptr when the message
// should go uncompressed: shorter than kDeflateThreshold, a window of 8 bits (zlib's raw deflate
// cannot limit itself to 256 bytes), or a deflated form no shorter than the original.
model::SharedFrame make_deflated_text_frame(std::string_view payload, int window_bits);

// The wire forms of one event's message: the plain frame, built once, and the deflated frame per
// negotiated window size, built once on first use by whichever thread needs it first.
// Thread-safe.
class WireFrames {
 public:
  explicit WireFrames(model::SharedFrame text);

  const model::SharedFrame& plain() const { return plain_; }

  // The frame for a client whose permessage-deflate window is `window_bits` (0: not negotiated).
  // Falls back to the plain frame when deflating does not pay.
  const model::SharedFrame& for_window(int window_bits) const;

 private:
  static constexpr std::size_t kWindowSizes = kMaxWindowBits - kMinWindowBits + 1;

  model::SharedFrame text_;  // the message's JSON text
  model::SharedFrame plain_;
  mutable std::array<std::once_flag, kWindowSizes> deflate_once_;
  mutable std::array<model::SharedFrame, kWindowSizes> deflated_;
};

// One event's frames as the clients of one push thread hold them: each an aliasing shared_ptr to
// the WireFrames' buffer whose count lives in a holder of this object's own, made on first use.
// Queueing the frame at every matching client of the thread then moves a counter that no other
// push thread touches; the WireFrames' own count, which every thread shares, moves once per
// thread instead of once per client (with a thousand clients per event that cache line was
// bounced between the threads a thousand times). Not thread-safe: one per event per push thread,
// on the stack of its fan-out.
class ThreadFrames {
 public:
  explicit ThreadFrames(const WireFrames& wire) : wire_(wire) {}

  // As WireFrames::for_window.
  const model::SharedFrame& for_window(int window_bits);

 private:
  const WireFrames& wire_;
  // [0]: the plain frame; [1 + bits - kMinWindowBits]: the frame for that window.
  std::array<model::SharedFrame, 1 + kMaxWindowBits - kMinWindowBits + 1> local_;
};

}  // namespace iiot::push

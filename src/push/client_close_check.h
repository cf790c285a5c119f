// ClientCloseCheck: judges the close frame a client sends by RFC 6455 and corrects the close code
// Boost.Beast answers it with where Beast's own check is laxer or answers differently:
//   - a status code outside 1000-4999, or one reserved for the protocol (1004, 1005, 1006, 1015,
//     1016-2999), is a protocol error (1002); Beast echoes any code from 3000 up (5000, 65535);
//   - a reason that is not valid UTF-8 is answered 1007 (RFC 6455 section 8.1); Beast answers it
//     with 1002.
// Beast still reads the frame, answers it and closes the connection; only the status code of its
// answer is corrected.
//
// It follows the frame boundaries of the bytes the client sends (headers only: payloads are
// skipped, never decoded, and permessage-deflate compresses payloads, not headers) up to the first
// close frame, whose payload (at most 125 bytes) it unmasks and judges. It stops following at a
// frame Beast fails the connection for on its header alone (unmasked, or a malformed control
// frame): Beast's answer to that stands.
//
// Owned by the WriteGate of one connection; single-threaded like it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace iiot::push {

class ClientCloseCheck {
 public:
  // Bytes received from the client, in order.
  void on_received(std::span<const std::uint8_t> bytes);

  // Whether the check has stopped following the client's bytes (it has seen the first close frame,
  // or a frame Beast fails the connection for on its header alone).
  bool done() const { return state_ == State::kDone; }

  // The status code the server must answer the client's close frame with (1002 or 1007), once a
  // close frame that needs one other than its own echo has been received; nullopt otherwise.
  std::optional<std::uint16_t> required_answer() const { return required_answer_; }

  // Corrects a frame the server is about to send: when it is Beast's answer to the client's
  // close frame (a close frame with a status code and no reason, whose code is Beast's echo of
  // the client's code or 1002) and the client's close frame requires another answer, the status
  // code is replaced. Returns whether the frame was changed.
  bool correct_answer(std::span<std::uint8_t> frame) const;

  // Whether `code` may appear in a close frame (RFC 6455 section 7.4, IANA registry).
  static bool valid_close_code(std::uint16_t code);

 private:
  enum class State { kHeader, kPayload, kDone };

  void on_header();
  void judge_close();

  State state_ = State::kHeader;
  std::array<std::uint8_t, 14> header_{};  // up to 2 + 8 (length) + 4 (mask) bytes
  std::size_t header_have_ = 0;
  std::size_t header_need_ = 2;
  std::uint64_t payload_left_ = 0;
  bool in_close_ = false;
  std::array<std::uint8_t, 4> mask_{};
  std::string close_payload_;  // unmasked, at most 125 bytes
  std::uint16_t client_code_ = 0;
  std::optional<std::uint16_t> required_answer_;
};

}  // namespace iiot::push

#include "push/client_close_check.h"

#include <algorithm>
#include <string_view>

namespace iiot::push {

namespace {

constexpr std::uint8_t kOpcodeMask = 0x0f;
constexpr std::uint8_t kOpClose = 0x8;
constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kRsvBits = 0x70;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLength7 = 0x7f;
constexpr std::uint64_t kMaxControlPayload = 125;
constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint16_t kInvalidPayload = 1007;

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<std::uint8_t>(text[i]);
    std::size_t extra = 0;
    std::uint8_t lo = 0x80;
    std::uint8_t hi = 0xbf;  // bounds of the first continuation byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      extra = 1;
    } else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c == 0xe0) lo = 0xa0;
      if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c == 0xf0) lo = 0x90;
      if (c == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto b = static_cast<std::uint8_t>(text[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace

bool ClientCloseCheck::valid_close_code(std::uint16_t code) {
  if (code < 1000 || code > 4999) return false;
  if (code >= 1016 && code <= 2999) return false;
  return code != 1004 && code != 1005 && code != 1006 && code != 1015;
}

void ClientCloseCheck::on_received(std::span<const std::uint8_t> bytes) {
  while (!bytes.empty() && state_ != State::kDone) {
    if (state_ == State::kHeader) {
      const std::size_t n = std::min(bytes.size(), header_need_ - header_have_);
      std::copy_n(bytes.begin(), n, header_.begin() + static_cast<std::ptrdiff_t>(header_have_));
      header_have_ += n;
      bytes = bytes.subspan(n);
      if (header_have_ == 2) {
        const std::uint8_t length7 = header_[1] & kLength7;
        header_need_ = 2 +
                       (length7 == 126   ? 2
                        : length7 == 127 ? 8
                                         : 0) +
                       ((header_[1] & kMaskBit) != 0 ? 4 : 0);
      }
      if (header_have_ == header_need_) on_header();
      continue;
    }
    const std::size_t n =
        static_cast<std::size_t>(std::min<std::uint64_t>(bytes.size(), payload_left_));
    if (in_close_) {
      for (std::size_t i = 0; i < n; ++i) {
        close_payload_.push_back(
            static_cast<char>(bytes[i] ^ mask_[close_payload_.size() % mask_.size()]));
      }
    }
    payload_left_ -= n;
    bytes = bytes.subspan(n);
    if (payload_left_ > 0) continue;
    if (in_close_) {
      judge_close();
    } else {
      state_ = State::kHeader;
    }
  }
}

void ClientCloseCheck::on_header() {
  const std::uint8_t length7 = header_[1] & kLength7;
  const bool masked = (header_[1] & kMaskBit) != 0;
  std::uint64_t length = length7;
  std::size_t at = 2;
  if (length7 >= 126) {
    const std::size_t bytes = length7 == 126 ? 2 : 8;
    length = 0;
    for (std::size_t i = 0; i < bytes; ++i) length = (length << 8) | header_[at + i];
    at += bytes;
  }
  header_have_ = 0;
  header_need_ = 2;
  // Client frames are masked (RFC 6455 section 5.1); Beast fails an unmasked one with 1002.
  if (!masked) {
    state_ = State::kDone;
    return;
  }
  std::copy_n(header_.begin() + static_cast<std::ptrdiff_t>(at), mask_.size(), mask_.begin());
  payload_left_ = length;
  if ((header_[0] & kOpcodeMask) == kOpClose) {
    // A fragmented, extended or oversized close frame: Beast answers 1002 on the header alone.
    if ((header_[0] & kFin) == 0 || (header_[0] & kRsvBits) != 0 || length > kMaxControlPayload) {
      state_ = State::kDone;
      return;
    }
    in_close_ = true;
    if (length == 0)
      judge_close();
    else
      state_ = State::kPayload;
    return;
  }
  state_ = length == 0 ? State::kHeader : State::kPayload;
}

void ClientCloseCheck::judge_close() {
  state_ = State::kDone;               // nothing after the first close frame is read
  if (close_payload_.empty()) return;  // no status code: answered 1000
  if (close_payload_.size() == 1) {
    required_answer_ = kProtocolError;
    return;
  }
  client_code_ = static_cast<std::uint16_t>((static_cast<std::uint8_t>(close_payload_[0]) << 8) |
                                            static_cast<std::uint8_t>(close_payload_[1]));
  if (!valid_close_code(client_code_)) {
    required_answer_ = kProtocolError;
  } else if (!valid_utf8(std::string_view(close_payload_).substr(2))) {
    required_answer_ = kInvalidPayload;
  }
}

bool ClientCloseCheck::correct_answer(std::span<std::uint8_t> frame) const {
  if (!required_answer_) return false;
  // Beast answers a close frame with FIN | close, unmasked, a 2-byte payload: the status code.
  if (frame.size() != 4 || frame[0] != (kFin | kOpClose) || frame[1] != 2) return false;
  const auto code = static_cast<std::uint16_t>((frame[2] << 8) | frame[3]);
  if (code != client_code_ && code != kProtocolError) return false;
  frame[2] = static_cast<std::uint8_t>(*required_answer_ >> 8);
  frame[3] = static_cast<std::uint8_t>(*required_answer_ & 0xff);
  return true;
}

}  // namespace iiot::push

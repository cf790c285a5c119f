#include "push/client_close_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace iiot::push {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint8_t kMask[4] = {0x37, 0xfa, 0x21, 0x3d};

// A client frame: FIN set unless told, masked with kMask unless told, 7/16/64-bit length.
Bytes client_frame(std::uint8_t opcode, const std::string& payload, bool masked = true,
                   bool fin = true) {
  Bytes out;
  out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0) | opcode));
  const std::uint8_t mask_bit = masked ? 0x80 : 0;
  if (payload.size() < 126) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | payload.size()));
  } else if (payload.size() <= 0xffff) {
    out.push_back(mask_bit | 126);
    out.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(payload.size()));
  } else {
    out.push_back(mask_bit | 127);
    for (int i = 7; i >= 0; --i)
      out.push_back(static_cast<std::uint8_t>(payload.size() >> (8 * i)));
  }
  if (masked) out.insert(out.end(), kMask, kMask + 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    const auto b = static_cast<std::uint8_t>(payload[i]);
    out.push_back(masked ? static_cast<std::uint8_t>(b ^ kMask[i % 4]) : b);
  }
  return out;
}

std::string close_payload(std::uint16_t code, const std::string& reason = {}) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xff));
  return p + reason;
}

Bytes close_frame(std::uint16_t code, const std::string& reason = {}) {
  return client_frame(0x8, close_payload(code, reason));
}

// Beast's answer to a close frame: FIN | close, unmasked, the status code alone.
Bytes beast_answer(std::uint16_t code) {
  return {0x88, 0x02, static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code)};
}

std::uint16_t code_of(const Bytes& frame) {
  return static_cast<std::uint16_t>((frame[2] << 8) | frame[3]);
}

// Feeds `bytes` in pieces of `piece` bytes (a read may end anywhere).
void feed(ClientCloseCheck& check, const Bytes& bytes, std::size_t piece) {
  for (std::size_t at = 0; at < bytes.size(); at += piece) {
    check.on_received(std::span(bytes).subspan(at, std::min(piece, bytes.size() - at)));
  }
}

TEST(ClientCloseCheck, ValidCloseCodesFollowRfc6455AndTheIanaRegistry) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999}) {
    EXPECT_TRUE(ClientCloseCheck::valid_close_code(code)) << code;
  }
  for (std::uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    EXPECT_FALSE(ClientCloseCheck::valid_close_code(code)) << code;
  }
}

struct Case {
  std::string name;
  Bytes close;
  std::optional<std::uint16_t> answer;
};

TEST(ClientCloseCheck, JudgesTheClientsCloseFrameWhereverTheReadsSplitIt) {
  const std::vector<Case> cases = {
      {"5000", close_frame(5000), 1002},
      {"65535", close_frame(65535), 1002},
      {"1005", close_frame(1005), 1002},
      {"999", close_frame(999), 1002},
      {"2999 unassigned", close_frame(2999), 1002},
      {"invalid code with a bad reason", close_frame(5000, "\xc3\x28"), 1002},
      {"one byte", client_frame(0x8, std::string(1, '\x03')), 1002},
      {"reason not UTF-8", close_frame(1000, "\xc3\x28"), 1007},
      {"overlong UTF-8", close_frame(1000, "\xc0\xaf"), 1007},
      {"surrogate", close_frame(1001, "\xed\xa0\x80"), 1007},
      {"truncated UTF-8", close_frame(4000, "ok\xe2\x82"), 1007},
      {"1000", close_frame(1000), std::nullopt},
      {"1001 with a UTF-8 reason", close_frame(1001, "bye \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"),
       std::nullopt},
      {"3000", close_frame(3000), std::nullopt},
      {"4999", close_frame(4999), std::nullopt},
      {"empty", client_frame(0x8, ""), std::nullopt},
  };
  // Ahead of the close: a ping, a two-fragment text message, and a message with a 16-bit
  // length, so the check has to skip payloads to find the close frame.
  Bytes before = client_frame(0x9, "hi");
  for (const Bytes& f : {client_frame(0x1, "{\"type\":", true, false), client_frame(0x0, "1}"),
                         client_frame(0x1, std::string(300, 'x'))}) {
    before.insert(before.end(), f.begin(), f.end());
  }
  for (const Case& c : cases) {
    for (std::size_t piece : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{4096}}) {
      ClientCloseCheck check;
      Bytes stream = before;
      stream.insert(stream.end(), c.close.begin(), c.close.end());
      feed(check, stream, piece);
      EXPECT_TRUE(check.done()) << c.name << " piece " << piece;
      EXPECT_EQ(check.required_answer(), c.answer) << c.name << " piece " << piece;
    }
  }
}

TEST(ClientCloseCheck, CorrectsBeastsEchoOr1002ButNoOtherFrame) {
  ClientCloseCheck invalid_code;
  feed(invalid_code, close_frame(5000), 64);
  Bytes echo = beast_answer(5000);
  EXPECT_TRUE(invalid_code.correct_answer(echo));
  EXPECT_EQ(code_of(echo), 1002);

  ClientCloseCheck bad_reason;
  feed(bad_reason, close_frame(1000, "\xc3\x28"), 64);
  Bytes protocol_error = beast_answer(1002);
  EXPECT_TRUE(bad_reason.correct_answer(protocol_error));
  EXPECT_EQ(code_of(protocol_error), 1007);
  // Another close code Beast chose for another reason (an invalid UTF-8 text message before the
  // close frame: 1007; a message too big: 1009) stands, and so does any other frame.
  Bytes too_big = beast_answer(1009);
  EXPECT_FALSE(bad_reason.correct_answer(too_big));
  EXPECT_EQ(code_of(too_big), 1009);
  Bytes with_reason = {0x88, 0x04, 0x03, 0xea, 'o', 'k'};
  EXPECT_FALSE(bad_reason.correct_answer(with_reason));
  Bytes text = {0x81, 0x04, 0x03, 0xea, 'o', 'k'};
  EXPECT_FALSE(bad_reason.correct_answer(std::span(text).first(4)));

  ClientCloseCheck valid;
  feed(valid, close_frame(3000), 64);
  Bytes echo3000 = beast_answer(3000);
  EXPECT_FALSE(valid.correct_answer(echo3000));
  EXPECT_EQ(code_of(echo3000), 3000);
}

TEST(ClientCloseCheck, LeavesFramesBeastRejectsOnTheirHeaderToBeast) {
  ClientCloseCheck unmasked;
  feed(unmasked, client_frame(0x8, close_payload(1000, "\xc3\x28"), false), 64);
  EXPECT_TRUE(unmasked.done());
  EXPECT_EQ(unmasked.required_answer(), std::nullopt);

  ClientCloseCheck fragmented_close;
  feed(fragmented_close, client_frame(0x8, close_payload(5000), true, false), 64);
  EXPECT_EQ(fragmented_close.required_answer(), std::nullopt);

  ClientCloseCheck unmasked_text_first;
  Bytes stream = client_frame(0x1, "x", false);
  const Bytes close = close_frame(5000);
  stream.insert(stream.end(), close.begin(), close.end());
  feed(unmasked_text_first, stream, 64);
  EXPECT_EQ(unmasked_text_first.required_answer(), std::nullopt);
}

TEST(ClientCloseCheck, OnlyTheFirstCloseFrameCounts) {
  ClientCloseCheck check;
  Bytes stream = close_frame(1000);
  const Bytes second = close_frame(5000);
  stream.insert(stream.end(), second.begin(), second.end());
  feed(check, stream, 64);
  EXPECT_EQ(check.required_answer(), std::nullopt);
}

TEST(ClientCloseCheck, FollowsA64BitLength) {
  ClientCloseCheck check;
  Bytes stream = client_frame(0x2, std::string(70000, 'b'));
  const Bytes close = close_frame(1000, "\xff");
  stream.insert(stream.end(), close.begin(), close.end());
  feed(check, stream, 1500);
  EXPECT_EQ(check.required_answer(), 1007);
}

}  // namespace
}  // namespace iiot::push

#include "push/wire_frame.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>
#include <thread>
#include <vector>

namespace iiot::push {
namespace {

std::string bytes(std::initializer_list<unsigned> values) {
  std::string out;
  for (unsigned v : values) out.push_back(static_cast<char>(v));
  return out;
}

// Inflates a permessage-deflate payload as a client does (RFC 7692 section 7.2.2): append
// 00 00 ff ff and raw-inflate with the negotiated window.
std::string inflate_message(std::string_view deflated, int window_bits) {
  std::string input(deflated);
  input += bytes({0x00, 0x00, 0xff, 0xff});
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, -window_bits), Z_OK);
  std::string out(1 << 20, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(input.data());
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&zs, Z_SYNC_FLUSH);
  EXPECT_TRUE(rc == Z_OK || rc == Z_STREAM_END) << rc;
  EXPECT_EQ(zs.avail_in, 0u);
  out.resize(out.size() - zs.avail_out);
  inflateEnd(&zs);
  return out;
}

// A JSON-like message that deflates well, `size` bytes long.
std::string telemetry(std::size_t size) {
  std::string text = R"({"type":"device_data","timestamp":"2026-12-03T08:00:00.123456Z","data":)";
  while (text.size() < size) text += R"({"sensor":"temperature","value":21.5,"unit":"C"},)";
  text.resize(size);
  return text;
}

TEST(WireFrame, ShortPayloadHasASevenBitLength) {
  EXPECT_EQ(*make_text_frame("hello"), bytes({0x81, 0x05}) + "hello");
  EXPECT_EQ(*make_text_frame(""), bytes({0x81, 0x00}));
  const std::string max7(125, 'a');
  EXPECT_EQ(*make_text_frame(max7), bytes({0x81, 125}) + max7);
}

TEST(WireFrame, MediumPayloadHasASixteenBitLength) {
  const std::string p126(126, 'b');
  EXPECT_EQ(*make_text_frame(p126), bytes({0x81, 126, 0x00, 0x7e}) + p126);
  const std::string p300(300, 'c');
  EXPECT_EQ(*make_text_frame(p300), bytes({0x81, 126, 0x01, 0x2c}) + p300);
  const std::string p65535(65535, 'd');
  EXPECT_EQ(*make_text_frame(p65535), bytes({0x81, 126, 0xff, 0xff}) + p65535);
}

TEST(WireFrame, LargePayloadHasASixtyFourBitLength) {
  const std::string p65536(65536, 'e');
  EXPECT_EQ(*make_text_frame(p65536), bytes({0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}) + p65536);
  const std::string p70000(70000, 'f');  // 0x011170
  EXPECT_EQ(*make_text_frame(p70000), bytes({0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70}) + p70000);
}

TEST(WireFrame, DeflatedFrameHasRsv1AndInflatesBack) {
  for (int bits : {9, 10, 12, 15}) {
    for (std::size_t size : {64u, 283u, 5000u, 100000u}) {
      const std::string text = telemetry(size);
      const auto frame = make_deflated_text_frame(text, bits);
      ASSERT_TRUE(frame) << bits << " " << size;
      const auto b0 = static_cast<unsigned char>((*frame)[0]);
      EXPECT_EQ(b0, 0xc1u);  // FIN | RSV1 | text
      const auto b1 = static_cast<unsigned char>((*frame)[1]);
      EXPECT_EQ(b1 & 0x80u, 0u);  // server frames are unmasked
      std::size_t header = 2;
      std::size_t length = b1;
      if (b1 == 126) {
        header = 4;
        length = (static_cast<unsigned char>((*frame)[2]) << 8) |
                 static_cast<unsigned char>((*frame)[3]);
      } else if (b1 == 127) {
        header = 10;
        length = 0;
        for (int i = 0; i < 8; ++i)
          length = (length << 8) | static_cast<unsigned char>((*frame)[2 + i]);
      }
      ASSERT_EQ(frame->size(), header + length);
      const std::string_view payload = std::string_view(*frame).substr(header);
      EXPECT_LT(payload.size(), text.size());
      // RFC 7692 section 7.2.1: the trailing empty block's 00 00 ff ff is removed.
      EXPECT_NE(payload.substr(payload.size() - 4), bytes({0x00, 0x00, 0xff, 0xff}));
      EXPECT_EQ(inflate_message(payload, bits), text) << bits << " " << size;
    }
  }
}

TEST(WireFrame, EachDeflatedMessageStandsAlone) {
  // No context takeover: the same message deflates to the same bytes every time, so a client
  // that inflates each message with a fresh window reads every one.
  const std::string text = telemetry(283);
  const auto first = make_deflated_text_frame(text, 10);
  const auto second = make_deflated_text_frame(text, 10);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(*first, *second);
}

TEST(WireFrame, StaysPlainWhenDeflatingDoesNotPay) {
  EXPECT_EQ(make_deflated_text_frame(telemetry(kDeflateThreshold - 1), 10), nullptr);
  EXPECT_EQ(make_deflated_text_frame(telemetry(283), 8), nullptr);  // zlib cannot do 256 bytes
  std::string noise;
  std::uint32_t x = 12345;
  for (int i = 0; i < 200; ++i) {
    x = x * 1103515245u + 12345u;
    noise.push_back(static_cast<char>(x >> 24));
  }
  EXPECT_EQ(make_deflated_text_frame(noise, 10), nullptr);
}

TEST(WireFrames, BuildsEachFormOnceAndSharesIt) {
  const auto text = std::make_shared<const std::string>(telemetry(283));
  const WireFrames frames(text);
  EXPECT_EQ(*frames.plain(), *make_text_frame(*text));
  EXPECT_EQ(frames.for_window(0).get(), frames.plain().get());
  const model::SharedFrame* seen[4] = {};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { seen[i] = &frames.for_window(10); });
  }
  for (auto& t : threads) t.join();
  for (int i = 1; i < 4; ++i) EXPECT_EQ(seen[i]->get(), seen[0]->get());
  EXPECT_NE(seen[0]->get(), frames.plain().get());
  EXPECT_EQ(inflate_message(std::string_view(**seen[0]).substr(2), 10), *text);
  EXPECT_NE(frames.for_window(12).get(), seen[0]->get());  // another window, another frame
  // A window zlib cannot honour falls back to the plain frame.
  EXPECT_EQ(frames.for_window(8).get(), frames.plain().get());
}

TEST(ThreadFrames, HandsOutTheEventsBytesThroughOneHolderPerForm) {
  const auto text = std::make_shared<const std::string>(telemetry(283));
  const WireFrames wire(text);
  const long wire_refs = wire.plain().use_count();
  model::SharedFrame kept;
  {
    ThreadFrames frames(wire);
    const model::SharedFrame& plain = frames.for_window(0);
    EXPECT_EQ(plain.get(), wire.plain().get());          // the same bytes, not a copy
    EXPECT_EQ(wire.plain().use_count(), wire_refs + 1);  // one reference for the whole thread
    std::vector<model::SharedFrame> clients(100, frames.for_window(0));
    EXPECT_EQ(wire.plain().use_count(), wire_refs + 1);  // the clients count on the holder
    EXPECT_EQ(frames.for_window(10).get(), wire.for_window(10).get());
    EXPECT_EQ(frames.for_window(8).get(), wire.plain().get());  // the same fallback as WireFrames
    kept = clients.front();
  }
  // A client still holding the frame keeps it alive after the fan-out's holder is gone.
  EXPECT_EQ(*kept, *wire.plain());
  EXPECT_EQ(wire.plain().use_count(), wire_refs + 1);
  kept.reset();
  EXPECT_EQ(wire.plain().use_count(), wire_refs);
}

}  // namespace
}  // namespace iiot::push

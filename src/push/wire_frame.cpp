#include "push/wire_frame.h"

#include <zlib.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

namespace iiot::push {

namespace {

constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kRsv1 = 0x40;
constexpr std::uint8_t kOpText = 0x1;
constexpr std::size_t kMaxHeaderBytes = 10;

// Writes the header of a final, unmasked text frame into `out`; returns its length.
std::size_t write_header(std::uint8_t* out, std::size_t payload_bytes, bool compressed) {
  out[0] = kFin | kOpText | (compressed ? kRsv1 : 0);
  if (payload_bytes < 126) {
    out[1] = static_cast<std::uint8_t>(payload_bytes);
    return 2;
  }
  if (payload_bytes <= 0xffff) {
    out[1] = 126;
    out[2] = static_cast<std::uint8_t>(payload_bytes >> 8);
    out[3] = static_cast<std::uint8_t>(payload_bytes);
    return 4;
  }
  out[1] = 127;
  const auto length = static_cast<std::uint64_t>(payload_bytes);
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(length >> (56 - 8 * i));
  return 10;
}

model::SharedFrame frame_of(std::string_view payload, bool compressed) {
  std::uint8_t header[kMaxHeaderBytes];
  const std::size_t header_bytes = write_header(header, payload.size(), compressed);
  std::string frame;
  frame.reserve(header_bytes + payload.size());
  frame.append(reinterpret_cast<const char*>(header), header_bytes);
  frame.append(payload);
  return std::make_shared<const std::string>(std::move(frame));
}

// One raw deflate stream per window size and thread, reset for every message: no context is
// carried between messages, as server_no_context_takeover promises.
class Deflater {
 public:
  explicit Deflater(int window_bits) {
    // Level 1: a telemetry frame compresses well at the fastest level. memLevel 8 (zlib's
    // default): the stream exists once per thread, not per connection.
    ok_ = deflateInit2(&stream_, 1, Z_DEFLATED, -window_bits, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&stream_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // The deflated payload without its trailing 00 00 ff ff, in `out`; false if it failed.
  bool deflate_message(std::string_view payload, std::vector<std::uint8_t>& out) {
    if (!ok_ || deflateReset(&stream_) != Z_OK) return false;
    out.resize(deflateBound(&stream_, payload.size()) + 16);
    // zlib's interface is not const-correct; it does not write through next_in.
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
    stream_.avail_in = static_cast<uInt>(payload.size());
    stream_.next_out = out.data();
    stream_.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&stream_, Z_SYNC_FLUSH);
    if (rc != Z_OK || stream_.avail_in != 0 || stream_.avail_out == 0) return false;
    const std::size_t produced = out.size() - stream_.avail_out;
    static constexpr std::uint8_t kTail[4] = {0x00, 0x00, 0xff, 0xff};
    if (produced < 4 || !std::equal(kTail, kTail + 4, out.data() + produced - 4)) return false;
    out.resize(produced - 4);
    return true;
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

Deflater& deflater_for(int window_bits) {
  thread_local std::array<std::unique_ptr<Deflater>, kMaxWindowBits + 1> deflaters;
  auto& slot = deflaters[static_cast<std::size_t>(window_bits)];
  if (!slot) slot = std::make_unique<Deflater>(window_bits);
  return *slot;
}

}  // namespace

model::SharedFrame make_text_frame(std::string_view payload) {
  return frame_of(payload, false);
}

model::SharedFrame make_deflated_text_frame(std::string_view payload, int window_bits) {
  if (payload.size() < kDeflateThreshold) return nullptr;
  if (window_bits <= kMinWindowBits || window_bits > kMaxWindowBits) return nullptr;
  thread_local std::vector<std::uint8_t> deflated;
  if (!deflater_for(window_bits).deflate_message(payload, deflated)) return nullptr;
  if (deflated.size() >= payload.size()) return nullptr;
  return frame_of(std::string_view(reinterpret_cast<const char*>(deflated.data()), deflated.size()),
                  true);
}

WireFrames::WireFrames(model::SharedFrame text)
    : text_(std::move(text)), plain_(make_text_frame(*text_)) {}

const model::SharedFrame& WireFrames::for_window(int window_bits) const {
  if (window_bits < kMinWindowBits || window_bits > kMaxWindowBits) return plain_;
  const auto slot = static_cast<std::size_t>(window_bits - kMinWindowBits);
  std::call_once(deflate_once_[slot],
                 [&] { deflated_[slot] = make_deflated_text_frame(*text_, window_bits); });
  return deflated_[slot] ? deflated_[slot] : plain_;
}

const model::SharedFrame& ThreadFrames::for_window(int window_bits) {
  const bool deflated = window_bits >= kMinWindowBits && window_bits <= kMaxWindowBits;
  const std::size_t slot =
      deflated ? static_cast<std::size_t>(1 + window_bits - kMinWindowBits) : 0;
  model::SharedFrame& local = local_[slot];
  if (!local) {
    auto holder = std::make_shared<const model::SharedFrame>(wire_.for_window(window_bits));
    local = model::SharedFrame(holder, holder->get());
  }
  return local;
}

}  // namespace iiot::push

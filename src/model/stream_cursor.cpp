#include "model/stream_cursor.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace iiot::model {
namespace {

constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kVersion = "1";
// Far above any real cursor (a few bytes per partition); bounds the work on hostile input.
constexpr std::size_t kMaxCursorLength = 65536;

std::string base64url_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned v = static_cast<unsigned char>(in[i]) << 16U |
                       static_cast<unsigned char>(in[i + 1]) << 8U |
                       static_cast<unsigned char>(in[i + 2]);
    for (const unsigned shift : {18U, 12U, 6U, 0U}) out.push_back(kBase64Url[(v >> shift) & 63U]);
  }
  if (const std::size_t rest = in.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(in[i]) << 16U;
    if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8U;
    out.push_back(kBase64Url[(v >> 18U) & 63U]);
    out.push_back(kBase64Url[(v >> 12U) & 63U]);
    if (rest == 2) out.push_back(kBase64Url[(v >> 6U) & 63U]);
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view in) {
  static const std::array<int, 256> kValue = [] {
    std::array<int, 256> table{};
    table.fill(-1);
    for (std::size_t i = 0; i < kBase64Url.size(); ++i) {
      table[static_cast<unsigned char>(kBase64Url[i])] = static_cast<int>(i);
    }
    return table;
  }();
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : in) {
    const int v = kValue[static_cast<unsigned char>(c)];
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6U) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xffU));
    }
  }
  // Leftover bits must be zero, so every cursor has exactly one spelling.
  if ((buffer & ((1U << static_cast<unsigned>(bits)) - 1U)) != 0) return std::nullopt;
  return out;
}

template <typename T>
bool parse_number(std::string_view digits, T& value) {
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  return !digits.empty() && ec == std::errc() && ptr == end && value >= 0;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return parts;
    start = at + 1;
  }
}

}  // namespace

void StreamCursor::advance(const RecordPosition& position) {
  if (!position.known()) return;
  auto [it, inserted] =
      next_.try_emplace(PartitionKey{position.topic, position.partition}, position.offset + 1);
  if (!inserted && it->second <= position.offset) it->second = position.offset + 1;
}

std::optional<std::int64_t> StreamCursor::next(const PartitionKey& key) const {
  const auto it = next_.find(key);
  if (it == next_.end()) return std::nullopt;
  return it->second;
}

bool StreamCursor::passed(const RecordPosition& position) const {
  const auto it = next_.find(PartitionKey{position.topic, position.partition});
  return it != next_.end() && position.offset < it->second;
}

std::string encode_cursor(const StreamCursor& cursor) {
  std::string text(kVersion);
  const std::string* topic = nullptr;
  for (const auto& [key, next] : cursor.offsets()) {
    if (topic == nullptr || *topic != key.topic) {
      text.append(";").append(key.topic).push_back(':');
      topic = &key.topic;
    } else {
      text.push_back(',');
    }
    text.append(std::to_string(key.partition)).push_back('=');
    text.append(std::to_string(next));
  }
  return base64url_encode(text);
}

DecodeResult<StreamCursor> decode_cursor(std::string_view text,
                                         const std::vector<std::string>& topics) {
  using Result = DecodeResult<StreamCursor>;
  if (text.empty()) return Result::failure("cursor: must not be empty");
  if (text.size() > kMaxCursorLength) return Result::failure("cursor: too long");
  const std::optional<std::string> decoded = base64url_decode(text);
  if (!decoded) return Result::failure("cursor: not a cursor of this gateway (bad encoding)");
  const std::vector<std::string_view> sections = split(*decoded, ';');
  if (sections.front() != kVersion) {
    return Result::failure("cursor: not a cursor of this gateway (unknown version)");
  }
  StreamCursor cursor;
  for (std::size_t s = 1; s < sections.size(); ++s) {
    const auto colon = sections[s].find(':');
    if (colon == std::string_view::npos) return Result::failure("cursor: malformed");
    const std::string_view topic = sections[s].substr(0, colon);
    if (std::find(topics.begin(), topics.end(), topic) == topics.end()) {
      return Result::failure("cursor: names a topic this gateway does not read");
    }
    for (const std::string_view entry : split(sections[s].substr(colon + 1), ',')) {
      const auto equals = entry.find('=');
      PartitionKey key{std::string(topic), 0};
      std::int64_t next = 0;
      if (equals == std::string_view::npos ||
          !parse_number(entry.substr(0, equals), key.partition) ||
          !parse_number(entry.substr(equals + 1), next)) {
        return Result::failure("cursor: malformed");
      }
      if (cursor.next(key)) return Result::failure("cursor: malformed (a partition twice)");
      cursor.set(std::move(key), next);
    }
  }
  return cursor;
}

}  // namespace iiot::model

#include "websocket_client/rfc3339.h"

#include <cstddef>

namespace iiot::ws_client {
namespace {

// Reads exactly `digits` decimal digits at text[pos]; advances pos.
std::optional<int> read_fixed(std::string_view text, std::size_t& pos, int digits) {
  if (text.size() < pos + static_cast<std::size_t>(digits)) return std::nullopt;
  int value = 0;
  for (int i = 0; i < digits; ++i) {
    const char c = text[pos++];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char wanted) {
  if (pos >= text.size() || text[pos] != wanted) return false;
  ++pos;
  return true;
}

}  // namespace

std::optional<UtcNanos> parse_rfc3339(std::string_view text) {
  using namespace std::chrono;
  std::size_t pos = 0;
  const auto y = read_fixed(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  const auto mo = read_fixed(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return std::nullopt;
  const auto d = read_fixed(text, pos, 2);
  if (!d || pos >= text.size()) return std::nullopt;
  if (const char sep = text[pos++]; sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  const auto h = read_fixed(text, pos, 2);
  if (!h || !expect(text, pos, ':')) return std::nullopt;
  const auto mi = read_fixed(text, pos, 2);
  if (!mi || !expect(text, pos, ':')) return std::nullopt;
  const auto s = read_fixed(text, pos, 2);
  if (!s) return std::nullopt;

  const year_month_day date{year{*y}, month{static_cast<unsigned>(*mo)},
                            day{static_cast<unsigned>(*d)}};
  if (!date.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;

  nanoseconds fraction{0};
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t scale = 100'000'000;
    const std::size_t first = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      fraction += nanoseconds{(text[pos] - '0') * scale};
      scale /= 10;
      ++pos;
    }
    if (pos == first) return std::nullopt;
  }

  if (pos >= text.size()) return std::nullopt;
  minutes offset{0};
  const char zone = text[pos++];
  if (zone == '+' || zone == '-') {
    const auto oh = read_fixed(text, pos, 2);
    if (!oh || !expect(text, pos, ':')) return std::nullopt;
    const auto om = read_fixed(text, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset = hours{*oh} + minutes{*om};
    if (zone == '-') offset = -offset;
  } else if (zone != 'Z' && zone != 'z') {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  // Local wall time minus its offset from UTC is UTC.
  const auto local = sys_days{date} + hours{*h} + minutes{*mi} + seconds{*s} + fraction;
  return local - offset;
}

}  // namespace iiot::ws_client

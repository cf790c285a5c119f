#include "model/json_text.h"

#include <array>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>
#include <boost/json/serializer.hpp>
#include <utility>

namespace iiot::model::json_text {
namespace {

// JSON (RFC 8259 section 7) requires escaping only '"', '\' and U+0000..U+001F. A string free of
// them is written verbatim; anything else goes through Boost.JSON's serializer.
constexpr std::array<bool, 256> make_escaped_bytes() {
  std::array<bool, 256> escaped{};
  for (std::size_t b = 0; b < 0x20; ++b) escaped[b] = true;
  escaped[static_cast<unsigned char>('"')] = true;
  escaped[static_cast<unsigned char>('\\')] = true;
  return escaped;
}
constexpr std::array<bool, 256> kEscapedBytes = make_escaped_bytes();

bool needs_escaping(std::string_view s) {
  for (char c : s) {
    if (kEscapedBytes[static_cast<unsigned char>(c)]) return true;
  }
  return false;
}

}  // namespace

boost::json::value parse(std::string_view text, boost::json::storage_ptr memory,
                         std::string& error) {
  unsigned char parser_buffer[BOOST_JSON_STACK_BUFFER_SIZE];
  boost::json::parser parser(boost::json::storage_ptr(), boost::json::parse_options(),
                             parser_buffer);
  parser.reset(std::move(memory));
  boost::json::error_code ec;
  const std::size_t consumed = parser.write(text.data(), text.size(), ec);
  if (ec) {
    error = "invalid JSON: " + ec.message() + " at byte " + std::to_string(consumed);
    return nullptr;
  }
  return parser.release();
}

std::optional<double> parse_number(std::string_view text) {
  unsigned char memory[256];
  boost::json::monotonic_resource resource(memory);
  std::string error;
  const boost::json::value value = parse(text, &resource, error);
  if (!error.empty()) return std::nullopt;
  switch (value.kind()) {
    case boost::json::kind::int64:
      return static_cast<double>(value.get_int64());
    case boost::json::kind::uint64:
      return static_cast<double>(value.get_uint64());
    case boost::json::kind::double_:
      return value.get_double();
    default:
      return std::nullopt;
  }
}

void append_string(std::string& out, std::string_view s) {
  if (!needs_escaping(s)) {
    out.push_back('"');
    out.append(s);
    out.push_back('"');
    return;
  }
  boost::json::serializer serializer;
  serializer.reset(boost::json::string_view(s.data(), s.size()));
  char chunk[256];
  while (!serializer.done()) {
    const boost::json::string_view part = serializer.read(chunk);
    out.append(part.data(), part.size());
  }
}

std::string excerpt(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  std::string out(s.substr(0, cut));
  out.append("...");
  return out;
}

std::string quoted_excerpt(std::string_view s) {
  std::string out;
  append_string(out, excerpt(s));
  return out;
}

}  // namespace iiot::model::json_text

// Internal to the model library: small pieces of JSON text shared by the decoders (error
// messages) and the frame encoder. Escaping is Boost.JSON's; nothing here escapes by hand.
// Pure functions; thread-safe.
#pragma once

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace iiot::model::json_text {

// Parses text as one strict JSON value (UTF-8 checked) into memory. On failure returns null and
// sets error to "invalid JSON: <Boost's reason> at byte <offset>".
boost::json::value parse(std::string_view text, boost::json::storage_ptr memory,
                         std::string& error);

// Reads text as exactly one JSON number the way the parse above would: an integer beyond 64 bits
// as the nearest double, a literal beyond the double range (1e999) as an infinity. nullopt if text
// is not a JSON number.
std::optional<double> parse_number(std::string_view text);

// Appends s as a quoted, escaped JSON string.
void append_string(std::string& out, std::string_view s);

// The first bytes of s, at most max_bytes and cut at a UTF-8 code point boundary, with "..."
// appended when cut. Keeps error messages (Kafka headers, error frames) bounded.
std::string excerpt(std::string_view s, std::size_t max_bytes = 64);

// excerpt(s) as a quoted JSON string, for "(got "...")" in error messages.
std::string quoted_excerpt(std::string_view s);

}  // namespace iiot::model::json_text

// What every fuzz target checks about the text the gateway writes: it is one valid JSON object.
// A violation aborts, which libFuzzer reports as a crash with the input that caused it.
#pragma once

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace iiot::fuzz {

inline void require(bool condition, const char* what, std::string_view text) {
  if (condition) return;
  std::fprintf(stderr, "fuzz check failed: %s: %.*s\n", what, static_cast<int>(text.size()),
               text.data());
  std::abort();
}

inline void require_json_object(std::string_view text) {
  boost::system::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  require(!ec && v.is_object(), "not a JSON object", text);
}

}  // namespace iiot::fuzz

#include "json_text.h"

#include <boost/json/serializer.hpp>
#include <charconv>

namespace iiot::simulator {
namespace {

void append_string(std::string& out, boost::json::string_view text) {
  boost::json::serializer serializer;
  serializer.reset(text);
  char chunk[256];
  while (!serializer.done()) {
    const boost::json::string_view part = serializer.read(chunk);
    out.append(part.data(), part.size());
  }
}

template <typename Number>
void append_number(std::string& out, Number number) {
  char buffer[32];  // holds every shortest double and every 64-bit integer
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, number);
  out.append(buffer, result.ptr);
}

void append(std::string& out, const boost::json::value& value);

void append_object(std::string& out, const boost::json::object& object) {
  out.push_back('{');
  bool first = true;
  for (const auto& [key, member] : object) {
    if (!first) out.push_back(',');
    first = false;
    append_string(out, key);
    out.push_back(':');
    append(out, member);
  }
  out.push_back('}');
}

void append(std::string& out, const boost::json::value& value) {
  switch (value.kind()) {
    case boost::json::kind::object:
      append_object(out, value.get_object());
      return;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append(out, element);
      }
      out.push_back(']');
      return;
    }
    case boost::json::kind::string:
      append_string(out, value.get_string());
      return;
    case boost::json::kind::double_:
      append_number(out, value.get_double());
      return;
    case boost::json::kind::int64:
      append_number(out, value.get_int64());
      return;
    case boost::json::kind::uint64:
      append_number(out, value.get_uint64());
      return;
    case boost::json::kind::bool_:
      out += value.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::null:
      out += "null";
      return;
  }
}

}  // namespace

std::string to_json_text(const boost::json::value& value) {
  std::string out;
  append(out, value);
  return out;
}

std::string to_json_text(const boost::json::object& object) {
  std::string out;
  append_object(out, object);
  return out;
}

}  // namespace iiot::simulator

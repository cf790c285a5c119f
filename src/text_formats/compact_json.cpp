#include "text_formats/compact_json.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

namespace iiot::text_formats {

void append_compact_json(std::string& out, const boost::json::value& value, NumberStyle doubles) {
  switch (value.kind()) {
    case boost::json::kind::double_:
      append_json_number(out, value.get_double(), doubles);
      return;
    case boost::json::kind::object:
      append_compact_json(out, value.get_object(), doubles);
      return;
    case boost::json::kind::array: {
      out.push_back('[');
      bool first = true;
      for (const auto& element : value.get_array()) {
        if (!first) out.push_back(',');
        first = false;
        append_compact_json(out, element, doubles);
      }
      out.push_back(']');
      return;
    }
    default:
      out += boost::json::serialize(value);
  }
}

void append_compact_json(std::string& out, const boost::json::object& object, NumberStyle doubles) {
  out.push_back('{');
  bool first = true;
  for (const auto& [key, member] : object) {
    if (!first) out.push_back(',');
    first = false;
    out += boost::json::serialize(boost::json::string_view(key));
    out.push_back(':');
    append_compact_json(out, member, doubles);
  }
  out.push_back('}');
}

std::string to_compact_json(const boost::json::value& value, NumberStyle doubles) {
  std::string out;
  append_compact_json(out, value, doubles);
  return out;
}

std::string to_compact_json(const boost::json::object& object, NumberStyle doubles) {
  std::string out;
  append_compact_json(out, object, doubles);
  return out;
}

}  // namespace iiot::text_formats

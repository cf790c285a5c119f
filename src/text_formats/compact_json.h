// Compact JSON text of a Boost.JSON value, like boost::json::serialize but with doubles written
// in a chosen NumberStyle instead of Boost 1.81's exponent form. Used for the gateway's /stats
// document and the device simulator's records. Strings and keys are escaped by Boost.JSON's
// serializer; nothing here escapes by hand. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "text_formats/json_number_text.h"

namespace iiot::text_formats {

// Object members in insertion order; doubles must be finite.
void append_compact_json(std::string& out, const boost::json::value& value, NumberStyle doubles);
void append_compact_json(std::string& out, const boost::json::object& object, NumberStyle doubles);

std::string to_compact_json(const boost::json::value& value,
                            NumberStyle doubles = NumberStyle::kShortest);
std::string to_compact_json(const boost::json::object& object,
                            NumberStyle doubles = NumberStyle::kShortest);

}  // namespace iiot::text_formats

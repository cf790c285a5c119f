// Serialises Boost.JSON values to text with numbers in their shortest round-trip form
// (25.53, 60, 0.853) instead of Boost 1.81's exponent form (2.553E1, 6E1, 8.53E-1), as the
// gateway's frames do. Strings and keys are escaped by Boost.JSON's serializer; nothing here
// escapes by hand. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>

namespace iiot::simulator {

// Compact JSON text of value; object members in insertion order. Doubles must be finite.
std::string to_json_text(const boost::json::value& value);
std::string to_json_text(const boost::json::object& object);

}  // namespace iiot::simulator

#include "websocket_client/frame_printer.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "websocket_client/time_of_day.h"

namespace iiot::ws_client {
namespace {

namespace json = boost::json;

// A string field's value, or "-" when it is absent, empty or not a string.
std::string_view text_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_string() || value->get_string().empty()) return "-";
  return value->get_string();
}

const json::object* object_field(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  return value != nullptr && value->is_object() ? &value->get_object() : nullptr;
}

void append_number(std::string& out, const json::value& value) {
  char digits[32];
  std::to_chars_result result{digits, std::errc()};
  if (value.is_int64()) {
    result = std::to_chars(digits, digits + sizeof digits, value.get_int64());
  } else if (value.is_uint64()) {
    result = std::to_chars(digits, digits + sizeof digits, value.get_uint64());
  } else if (value.is_double()) {
    // Shortest form that reads back the same: 25.5, 60, 0.001.
    result = std::to_chars(digits, digits + sizeof digits, value.get_double());
  } else {
    out += json::serialize(value);
    return;
  }
  out.append(digits, result.ptr);
}

void append_fixed(std::string& out, double value, int decimals) {
  char digits[48];
  const auto result =
      std::to_chars(digits, digits + sizeof digits, value, std::chars_format::fixed, decimals);
  out.append(digits, result.ptr);
}

void append_device_data(std::string& out, const json::object& data) {
  const auto* device = object_field(data, "device");
  if (device == nullptr) {
    out += " ";
    out += json::serialize(data);
    return;
  }
  for (const auto* key : {"device_id", "device_type", "location"}) {
    out += ' ';
    out += text_field(*device, key);
  }
  if (const auto* sensors = object_field(*device, "sensors")) {
    for (const auto& [name, reading] : *sensors) {
      out += ' ';
      out += name;
      out += '=';
      if (!reading.is_object()) {
        out += json::serialize(reading);
        continue;
      }
      if (const auto* value = reading.get_object().if_contains("value")) {
        append_number(out, *value);
      }
      if (const auto* unit = reading.get_object().if_contains("unit");
          unit != nullptr && unit->is_string()) {
        out += unit->get_string();
      }
    }
  }
  if (const auto status = text_field(*device, "status"); status != "-" && status != "online") {
    out += " status=";
    out += status;
  }
}

void append_alert(std::string& out, const json::object& data) {
  const auto* alert = object_field(data, "alert");
  const json::object empty;
  const auto& fields = alert != nullptr ? *alert : empty;
  out += ' ';
  out += text_field(fields, "severity");
  out += ' ';
  out += text_field(data, "device_id");
  out += " \"";
  out += text_field(fields, "title");
  out += "\" ";
  out += text_field(data, "device_type");
  out += ' ';
  out += text_field(data, "location");
  if (const auto description = text_field(fields, "description"); description != "-") {
    out += ": ";
    out += description;
  }
}

}  // namespace

std::string FramePrinter::human_line(const ReceivedFrame& frame) {
  std::string out = format_time_of_day(frame.received_at);
  out += ' ';
  if (frame.json == nullptr) {
    out += "(not a JSON object) ";
    out += frame.text;
    return out;
  }
  const json::object* data = object_field(*frame.json, "data");
  const json::object empty;
  const auto& body = data != nullptr ? *data : empty;

  if (frame.type == "device_data") {
    out += "device_data";
    append_device_data(out, body);
  } else if (frame.type == "alert") {
    out += "ALERT";
    append_alert(out, body);
  } else if (frame.type == "welcome") {
    out += "welcome client_id=";
    out += text_field(body, "client_id");
    if (const auto* filter = body.if_contains("filter")) {
      out += " filter=";
      out += json::serialize(*filter);
    }
  } else if (frame.type == "filter_ack") {
    out += "filter_ack ";
    out += json::serialize(body);
  } else if (frame.type == "pong") {
    out += "pong";
  } else if (frame.type == "error") {
    out += "error ";
    out += text_field(body, "code");
    out += ": ";
    out += text_field(body, "message");
  } else {
    out += frame.type.empty() ? std::string_view("(no type)") : frame.type;
    out += ' ';
    out += frame.text;
  }
  if (frame.latency) {
    out += " latency=";
    append_fixed(out, std::chrono::duration<double, std::milli>(*frame.latency).count(), 3);
    out += "ms";
  }
  return out;
}

bool FramePrinter::print(const ReceivedFrame& frame) {
  switch (mode_) {
    case OutputMode::kQuiet:
      return true;
    case OutputMode::kJson:
      out_ << frame.text << '\n';
      break;
    case OutputMode::kHuman:
      out_ << human_line(frame) << '\n';
      break;
  }
  out_.flush();
  return static_cast<bool>(out_);
}

}  // namespace iiot::ws_client

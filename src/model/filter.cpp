#include "model/filter.h"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <utility>

#include "model/json_text.h"

namespace iiot::model {
namespace {

namespace json = boost::json;

template <typename T, typename V>
bool allows(const std::vector<T>& list, const V& value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

template <typename T>
void sort_unique(std::vector<T>& list) {
  std::sort(list.begin(), list.end());
  list.erase(std::unique(list.begin(), list.end()), list.end());
}

ClientFrameError invalid_filter(std::string message) {
  return ClientFrameError{"invalid_filter", std::move(message)};
}

// Reads data[key] into out with parse(element text) -> optional<T>; a missing or null list is
// empty. allowed names the accepted elements for the message when parse rejects one. Returns the
// error message, or nullopt when the list is acceptable.
template <typename T, typename Parse>
std::optional<std::string> read_list(const json::object& data, std::string_view key, Parse parse,
                                     std::string_view allowed, std::vector<T>& out) {
  const json::value* v = data.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr || v->is_null()) return std::nullopt;
  const json::array* list = v->if_array();
  if (list == nullptr) return std::string(key) + ": must be a list of strings";
  out.reserve(list->size());
  for (std::size_t i = 0; i < list->size(); ++i) {
    const json::string* s = (*list)[i].if_string();
    if (s == nullptr) {
      return std::string(key) + "[" + std::to_string(i) + "]: must be a string";
    }
    std::optional<T> element = parse(std::string_view(s->data(), s->size()));
    if (!element) {
      return std::string(key) + "[" + std::to_string(i) + "]: must be one of " +
             std::string(allowed) + " (got " +
             json_text::quoted_excerpt(std::string_view(s->data(), s->size())) + ")";
    }
    out.push_back(std::move(*element));
  }
  sort_unique(out);
  return std::nullopt;
}

std::optional<std::string> read_delivery(const json::object& data, Delivery& out) {
  const json::value* v = data.if_contains("delivery");
  if (v == nullptr || v->is_null()) return std::nullopt;
  const json::string* s = v->if_string();
  if (s != nullptr && *s == "all") {
    out = Delivery::kAll;
  } else if (s != nullptr && *s == "latest") {
    out = Delivery::kLatest;
  } else {
    const std::string got = s != nullptr
                                ? json_text::quoted_excerpt(std::string_view(s->data(), s->size()))
                                : std::string("a non-string");
    return "delivery: must be one of all, latest (got " + got + ")";
  }
  return std::nullopt;
}

ClientRequest decode_refresh(const json::value* data_value) {
  const json::object* data = data_value != nullptr ? data_value->if_object() : nullptr;
  const json::value* token = data != nullptr ? data->if_contains("token") : nullptr;
  const json::string* text = token != nullptr ? token->if_string() : nullptr;
  if (text == nullptr || text->empty()) {
    return ClientFrameError{"invalid_token", "data.token: required (a string)"};
  }
  return RefreshRequest{std::string(text->data(), text->size())};
}

std::optional<std::string> read_flag(const json::object& data, std::string_view key, bool& out) {
  const json::value* v = data.if_contains(json::string_view(key.data(), key.size()));
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_bool()) return std::string(key) + ": must be true or false";
  out = v->get_bool();
  return std::nullopt;
}

ClientRequest decode_filter(const json::value* data_value) {
  FilterRequest request;
  // No data (or null) means every list is missing: the empty filter.
  if (data_value == nullptr || data_value->is_null()) return request;
  const json::object* data = data_value->if_object();
  if (data == nullptr) return invalid_filter("data: must be an object");

  Filter& f = request.filter;
  auto text = [](std::string_view s) { return std::optional<std::string>(std::in_place, s); };
  std::optional<std::string> error = read_list(*data, "device_ids", text, "", f.device_ids);
  if (!error) error = read_list(*data, "device_types", text, "", f.device_types);
  if (!error) error = read_list(*data, "locations", text, "", f.locations);
  if (!error) {
    error = read_list(*data, "alert_levels", parse_severity, "info, warning, error, critical",
                      f.alert_levels);
  }
  if (!error) error = read_list(*data, "types", parse_message_type, "device_data, alert", f.types);
  if (!error) error = read_delivery(*data, f.delivery);
  if (!error) error = read_flag(*data, "resume", f.resume);
  if (!error) error = read_flag(*data, "snapshot", f.snapshot);
  if (error) return invalid_filter(std::move(*error));
  return request;
}

ClientRequest decode_resume(const json::value* data_value) {
  const json::object* data = data_value != nullptr ? data_value->if_object() : nullptr;
  const json::value* cursor = data != nullptr ? data->if_contains("cursor") : nullptr;
  const json::string* text = cursor != nullptr ? cursor->if_string() : nullptr;
  if (text == nullptr) return ClientFrameError{"invalid_cursor", "data.cursor: must be a string"};
  return ResumeRequest{std::string(text->data(), text->size())};
}

}  // namespace

std::string_view to_string(MessageType type) {
  return type == MessageType::kAlert ? "alert" : "device_data";
}

std::string_view to_string(Delivery delivery) {
  return delivery == Delivery::kLatest ? "latest" : "all";
}

std::optional<MessageType> parse_message_type(std::string_view text) {
  if (text == "device_data") return MessageType::kDeviceData;
  if (text == "alert") return MessageType::kAlert;
  return std::nullopt;
}

bool Filter::empty() const {
  return device_ids.empty() && device_types.empty() && locations.empty() && alert_levels.empty() &&
         types.empty();
}

bool Filter::matches(MessageType type, std::string_view device_id, std::string_view device_type,
                     std::string_view location, Severity severity) const {
  return allows(types, type) && allows(device_ids, device_id) &&
         allows(device_types, device_type) && allows(locations, location) &&
         (type != MessageType::kAlert || allows(alert_levels, severity));
}

ClientRequest decode_client_frame(std::string_view text) {
  unsigned char tree_buffer[2048];
  json::monotonic_resource tree_memory(tree_buffer);
  std::string error;
  const json::value frame = json_text::parse(text, &tree_memory, error);
  if (!error.empty()) return ClientFrameError{"invalid_json", std::move(error)};
  const json::object* object = frame.if_object();
  if (object == nullptr) return ClientFrameError{"invalid_json", "frame must be a JSON object"};

  const json::value* type = object->if_contains("type");
  if (type == nullptr || type->is_null()) return ClientFrameError{"unknown_type", "type: required"};
  const json::string* name = type->if_string();
  if (name == nullptr) return ClientFrameError{"unknown_type", "type: must be a string"};
  if (*name == "ping") return PingRequest{};
  if (*name == "filter") return decode_filter(object->if_contains("data"));
  if (*name == "refresh") return decode_refresh(object->if_contains("data"));
  if (*name == "resume") return decode_resume(object->if_contains("data"));
  return ClientFrameError{
      "unknown_type", "type: must be one of filter, ping, refresh, resume (got " +
                          json_text::quoted_excerpt(std::string_view(name->data(), name->size())) +
                          ")"};
}

std::variant<Filter, std::string> decode_filter_object(std::string_view json_text) {
  std::string error;
  const json::value parsed = json_text::parse(json_text, {}, error);
  if (!error.empty()) return error;
  const json::object* object = parsed.if_object();
  if (object == nullptr) return std::string("must be an object");
  for (const auto& entry : *object) {
    const std::string_view key(entry.key().data(), entry.key().size());
    if (key != "device_ids" && key != "device_types" && key != "locations" &&
        key != "alert_levels" && key != "types") {
      return "unknown key " + json_text::quoted_excerpt(key);
    }
  }
  ClientRequest decoded = decode_filter(&parsed);
  if (auto* failed = std::get_if<ClientFrameError>(&decoded)) return std::move(failed->message);
  return std::move(std::get<FilterRequest>(decoded).filter);
}

}  // namespace iiot::model

// Decoding of Kafka record values into DeviceData / Alert with every rule of CONTRACT section 1.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "model/device_data.h"

namespace iiot::model {

// Either a value or the precise reason the record was rejected (used as the x-error header),
// e.g. "device_id: must be 1..128 chars of [A-Za-z0-9._:/-]" or "invalid JSON: ...".
template <typename T>
class DecodeResult {
 public:
  DecodeResult(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  static DecodeResult failure(std::string reason) { return DecodeResult(Error{std::move(reason)}); }

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const std::string& error() const { return std::get<1>(v_).reason; }

 private:
  struct Error {
    std::string reason;
  };
  explicit DecodeResult(Error e) : v_(std::move(e)) {}
  std::variant<T, Error> v_;
};

DecodeResult<DeviceData> decode_device_data(std::string_view json);
DecodeResult<Alert> decode_alert(std::string_view json);

}  // namespace iiot::model

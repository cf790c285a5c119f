// Fuzzes decode_device_data (CONTRACT section 1) with arbitrary record values. A record either
// decodes, and then its frame is a JSON object, or is rejected with a non-empty reason.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "model/frame_encoder.h"
#include "model/record_decoder.h"

// libFuzzer's entry point; its name is not ours to choose.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  const auto result = iiot::model::decode_device_data(value);
  if (!result) {
    iiot::fuzz::require(!result.error().empty(), "rejected without a reason", value);
    return 0;
  }
  iiot::fuzz::require_json_object(*iiot::model::encode_device_data(
      result.value(), iiot::model::RecordPosition{"iiot.topic", 1, 2}));
  return 0;
}

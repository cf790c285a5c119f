// Fuzzes decode_client_frame (CONTRACT section 2, client to server) with arbitrary text frames.
// Every frame is a ping, a filter whose acknowledgement is a JSON object, a refresh with a token, a
// resume with a cursor, or an error with one of the contract's codes whose error frame is a JSON
// object.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "fuzz_check.h"
#include "model/filter.h"
#include "model/frame_encoder.h"

namespace {

struct Check {
  std::string_view frame;
  std::chrono::system_clock::time_point now;

  void operator()(const iiot::model::PingRequest&) const {}
  void operator()(const iiot::model::FilterRequest& request) const {
    iiot::fuzz::require_json_object(iiot::model::encode_filter_ack(request.filter, now));
  }
  void operator()(const iiot::model::RefreshRequest& request) const {
    iiot::fuzz::require(!request.token.empty(), "a refresh without a token was accepted", frame);
  }
  void operator()(const iiot::model::ResumeRequest& request) const {
    iiot::fuzz::require(!request.cursor.empty(), "a resume without a cursor was accepted", frame);
  }
  void operator()(const iiot::model::ClientFrameError& error) const {
    iiot::fuzz::require(error.code == "invalid_json" || error.code == "unknown_type" ||
                            error.code == "invalid_filter" || error.code == "invalid_token" ||
                            error.code == "invalid_cursor",
                        "error code outside the contract", frame);
    iiot::fuzz::require_json_object(iiot::model::encode_error(error.code, error.message, now));
  }
};

}  // namespace

// libFuzzer's entry point; its name is not ours to choose.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  std::visit(Check{frame, std::chrono::system_clock::time_point{}},
             iiot::model::decode_client_frame(frame));
  return 0;
}

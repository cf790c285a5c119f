// Writes one line per received frame to an output stream (stdout in main):
//   kJson  - the frame text exactly as received, so scripts can parse each line;
//   kHuman - a readable line, e.g.
//            12:00:01.234 device_data sensor-0001 temperature_sensor Building-A temperature=25.5°C
//            12:00:01.250 ALERT critical sensor-0001 "Temperature High" sensor Building-A: ...
//   kQuiet - nothing.
// Each line is flushed so a reader of a pipe sees it at once.
// Owned by main; used on the client's single thread only.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "websocket_client/client_options.h"

namespace iiot::ws_client {

// A text frame as the client saw it.
struct ReceivedFrame {
  std::string_view text;                      // exactly as received
  const boost::json::object* json = nullptr;  // null when the text is not a JSON object
  std::string_view type;                      // the "type" field; empty when absent
  std::chrono::system_clock::time_point received_at;
  std::optional<std::chrono::nanoseconds> latency;  // events, with --latency
};

class FramePrinter {
 public:
  FramePrinter(OutputMode mode, std::ostream& out) : mode_(mode), out_(out) {}

  // False when the output failed (e.g. the reader of the pipe went away).
  bool print(const ReceivedFrame& frame);

  // The kHuman line for a frame, without the newline.
  static std::string human_line(const ReceivedFrame& frame);

 private:
  OutputMode mode_;
  std::ostream& out_;
};

}  // namespace iiot::ws_client

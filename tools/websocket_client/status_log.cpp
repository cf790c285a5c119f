#include "websocket_client/status_log.h"

#include <chrono>

#include "websocket_client/time_of_day.h"

namespace iiot::ws_client {

void StatusLog::note(std::string_view line) {
  out_ << format_time_of_day(std::chrono::system_clock::now()) << " websocket_client: " << line
       << '\n';
  out_.flush();
}

}  // namespace iiot::ws_client

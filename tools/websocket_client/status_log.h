// Connection notes for the user on stderr ("12:00:01.234 websocket_client: connected to ..."),
// kept apart from the per-message output on stdout. Owned by main; single-threaded use.
#pragma once

#include <ostream>
#include <string_view>

namespace iiot::ws_client {

class StatusLog {
 public:
  explicit StatusLog(std::ostream& out) : out_(out) {}
  void note(std::string_view line);

 private:
  std::ostream& out_;
};

}  // namespace iiot::ws_client

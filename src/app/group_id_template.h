// Expansion of kafka.group_id for several instances (CONTRACT section 11): `{hostname}` becomes
// the machine's host name and `{port}` the WebSocket port, so one configuration file gives each
// instance its own consumer group (each instance then reads the whole stream). Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace iiot::app {

// Replaces every `{hostname}` and `{port}` in pattern; any other text, braces included, is kept.
std::string expand_group_id(std::string_view pattern, std::string_view hostname, int port);

// The host name from gethostname(), or "localhost" if it cannot be read.
std::string local_hostname();

}  // namespace iiot::app

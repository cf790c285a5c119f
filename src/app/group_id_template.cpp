#include "app/group_id_template.h"

#include <unistd.h>

#include <array>

namespace iiot::app {

std::string expand_group_id(std::string_view pattern, std::string_view hostname, int port) {
  static constexpr std::string_view kHostname = "{hostname}";
  static constexpr std::string_view kPort = "{port}";
  const std::string port_text = std::to_string(port);
  std::string out;
  out.reserve(pattern.size() + hostname.size());
  while (!pattern.empty()) {
    if (pattern.starts_with(kHostname)) {
      out += hostname;
      pattern.remove_prefix(kHostname.size());
    } else if (pattern.starts_with(kPort)) {
      out += port_text;
      pattern.remove_prefix(kPort.size());
    } else {
      out.push_back(pattern.front());
      pattern.remove_prefix(1);
    }
  }
  return out;
}

std::string local_hostname() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  return std::string(name.data());
}

}  // namespace iiot::app

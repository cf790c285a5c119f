#include "config/key_error.h"

#include "config/config.h"

namespace iiot::config {
namespace {

constexpr std::size_t kMaxQuotedLength = 80;

}  // namespace

[[noreturn]] void fail(std::string_view path, std::string_view env_name, std::string_view message) {
  std::string line = "config error: ";
  line += path;
  if (!env_name.empty()) {
    line += " (from ";
    line += env_name;
    line += ')';
  }
  line += ": ";
  line += message;
  throw ConfigError(line);
}

std::string quote(std::string_view text) {
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out = "\"";
  const bool truncated = text.size() > kMaxQuotedLength;
  for (const char c : text.substr(0, kMaxQuotedLength)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4U];
      out += kHex[byte & 0xfU];
    } else {
      out += c;
    }
  }
  out += truncated ? "\"..." : "\"";
  return out;
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar:
      return quote(node.Scalar());
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

}  // namespace iiot::config

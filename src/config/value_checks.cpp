#include "config/value_checks.h"

#include <algorithm>
#include <cstddef>

#include "config/ascii_text.h"
#include "config/key_error.h"

namespace iiot::config {
namespace {

constexpr std::size_t kMaxTopicNameLength = 249;  // Kafka's own limit
constexpr std::size_t kSha256HexLength = 64;

bool is_topic_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxTopicNameLength || name == "." || name == "..") {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

}  // namespace

void check_text(const FieldValue& field, std::string_view text, TextRule rule) {
  switch (rule) {
    case TextRule::kAny:
      return;
    case TextRule::kNonEmpty:
      if (text.empty()) {
        field.fail("must not be empty");
      }
      return;
    case TextRule::kUrlPath:
      // Emptiness is judged with websocket.enabled in validate_relations().
      if (!text.empty() && text.front() != '/') {
        field.fail_expected("a path starting with \"/\"", quote(text));
      }
      return;
    case TextRule::kTopicName:
      if (!is_topic_name(text)) {
        field.fail_expected("a Kafka topic name (1..249 characters of A-Z a-z 0-9 . _ -)",
                            quote(text));
      }
      return;
  }
}

std::string sha256_hex_at(std::string_view path, std::string_view text, std::string_view env_name) {
  const bool hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  if (text.size() != kSha256HexLength || !hex) {
    // Only the length is echoed: the value may be a token pasted by mistake.
    fail(path, env_name,
         "must be a SHA-256 digest of 64 hex digits, e.g. from `printf %s TOKEN | sha256sum` "
         "(got " +
             std::to_string(text.size()) + " characters" + (hex ? "" : ", not all hex") + ")");
  }
  return lower(text);
}

}  // namespace iiot::config

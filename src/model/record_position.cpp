#include "model/record_position.h"

#include <array>
#include <charconv>

namespace iiot::model {
namespace {

template <typename T>
void append_number(std::string& out, T value) {
  std::array<char, 24> digits{};
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  out.append(digits.data(), end);
}

}  // namespace

void append_position(std::string& out, const RecordPosition& position, std::uint32_t derived) {
  out.append(position.topic).push_back(':');
  append_number(out, position.partition);
  out.push_back(':');
  append_number(out, position.offset);
  if (derived > 0) {
    out.push_back('/');
    append_number(out, derived);
  }
}

std::string format_position(const RecordPosition& position, std::uint32_t derived) {
  std::string out;
  out.reserve(position.topic.size() + 32);
  append_position(out, position, derived);
  return out;
}

}  // namespace iiot::model

#include "websocket_client/time_of_day.h"

#include <array>
#include <charconv>
#include <ctime>

namespace iiot::ws_client {
namespace {

void append_padded(std::string& out, long value, int width) {
  std::array<char, 24> digits{};
  const auto [end, ec] = std::to_chars(digits.data(), digits.data() + digits.size(), value);
  const auto length = static_cast<int>(end - digits.data());
  for (int i = length; i < width; ++i) out.push_back('0');
  out.append(digits.data(), end);
}

}  // namespace

std::string format_time_of_day(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto since_epoch = when.time_since_epoch();
  const std::time_t seconds_since_epoch = duration_cast<seconds>(since_epoch).count();
  const auto millis = duration_cast<milliseconds>(since_epoch).count() % 1000;
  std::tm local{};
  localtime_r(&seconds_since_epoch, &local);
  std::string out;
  out.reserve(12);
  append_padded(out, local.tm_hour, 2);
  out.push_back(':');
  append_padded(out, local.tm_min, 2);
  out.push_back(':');
  append_padded(out, local.tm_sec, 2);
  out.push_back('.');
  append_padded(out, static_cast<long>(millis < 0 ? millis + 1000 : millis), 3);
  return out;
}

}  // namespace iiot::ws_client

#include "support/stdin_line.h"

#include <poll.h>
#include <unistd.h>

#include <iostream>

namespace iiot::bench {

std::optional<std::string> read_stdin_line(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return std::nullopt;
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  return line;
}

}  // namespace iiot::bench

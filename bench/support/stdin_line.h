// The benchmark tools take their commands ("go", "quit") one line at a time on stdin, from
// bench/run.py. Reads one line, waiting at most until a deadline. Not thread-safe (std::cin);
// the tools read stdin from their main thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace iiot::bench {

// The next line from stdin; nullopt at end of input or once the deadline has passed.
std::optional<std::string> read_stdin_line(std::chrono::steady_clock::time_point deadline);

}  // namespace iiot::bench

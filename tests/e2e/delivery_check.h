// Waiting for the gateway to finish with what a test produced, without sleeping for a guess:
// the records are consumed, the fan-out queue is empty, and the clients have read every event
// frame queued to them (push_success_count, when nothing was dropped), still so after a short
// settling pause. Thread-safe (no shared state).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace iiot::e2e {

using namespace std::chrono_literals;

// Waits until /stats total_messages >= records; returns the last /stats (throws on timeout).
boost::json::object wait_consumed(unsigned short port, std::int64_t records,
                                  std::chrono::milliseconds timeout = 90s);

// Waits until the gateway has consumed `records` records, its fan-out queue is empty and
// events_received() (the event frames all connected clients have read) equals its
// push_success_count with nothing dropped, and still does after a settling pause. Returns the
// last /stats. Throws std::runtime_error on timeout, with the figures.
boost::json::object wait_settled(unsigned short port, std::int64_t records,
                                 const std::function<std::int64_t()>& events_received,
                                 std::chrono::milliseconds timeout = 90s);

// The multiset difference of two key lists, for readable failure messages:
// "missing 2 [a, b]; unexpected 1 [c]" (empty when equal as multisets); lists at most 20 of each.
std::string describe_difference(const std::vector<std::string>& expected,
                                const std::vector<std::string>& actual);

}  // namespace iiot::e2e

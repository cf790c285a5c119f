#include "delivery_check.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <thread>

#include "gateway_process.h"
#include "http_probe.h"

namespace iiot::e2e {

namespace {
constexpr auto kSettlePause = std::chrono::milliseconds(300);

std::string figures(const boost::json::object& s, std::int64_t received) {
  return "total_messages=" + std::to_string(stat_value(s, "total_messages")) +
         " queue_size=" + std::to_string(stat_value(s, "queue_size")) +
         " push_success_count=" + std::to_string(stat_value(s, "push_success_count")) +
         " push_failure_count=" + std::to_string(stat_value(s, "push_failure_count")) +
         " dropped_messages=" + std::to_string(stat_value(s, "dropped_messages")) +
         " events received by the clients=" + std::to_string(received);
}
}  // namespace

boost::json::object wait_consumed(unsigned short port, std::int64_t records,
                                  std::chrono::milliseconds timeout) {
  boost::json::object stats;
  if (!eventually(
          [&] {
            stats = get_stats(port);
            return stat_value(stats, "total_messages") >= records;
          },
          timeout, 20ms)) {
    throw std::runtime_error("the gateway consumed " +
                             std::to_string(stat_value(stats, "total_messages")) + " of " +
                             std::to_string(records) + " records in time");
  }
  return stats;
}

boost::json::object wait_settled(unsigned short port, std::int64_t records,
                                 const std::function<std::int64_t()>& events_received,
                                 std::chrono::milliseconds timeout) {
  boost::json::object stats;
  std::int64_t received = 0;
  auto settled = [&] {
    stats = get_stats(port);
    received = events_received();
    return stat_value(stats, "total_messages") >= records && stat_value(stats, "queue_size") == 0 &&
           stat_value(stats, "dropped_messages") == 0 &&
           stat_value(stats, "push_success_count") == received;
  };
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (eventually(settled, std::chrono::duration_cast<std::chrono::milliseconds>(
                                deadline - std::chrono::steady_clock::now()))) {
      // A record counted as consumed may still be on its way to the clients: look again.
      std::this_thread::sleep_for(kSettlePause);
      if (settled()) return stats;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("the gateway did not settle: " + figures(stats, received));
    }
  }
}

std::string describe_difference(const std::vector<std::string>& expected,
                                const std::vector<std::string>& actual) {
  std::vector<std::string> e = expected;
  std::vector<std::string> a = actual;
  std::sort(e.begin(), e.end());
  std::sort(a.begin(), a.end());
  std::vector<std::string> missing;
  std::vector<std::string> unexpected;
  std::set_difference(e.begin(), e.end(), a.begin(), a.end(), std::back_inserter(missing));
  std::set_difference(a.begin(), a.end(), e.begin(), e.end(), std::back_inserter(unexpected));
  auto list = [](const std::vector<std::string>& v) {
    std::string out = std::to_string(v.size()) + " [";
    for (std::size_t i = 0; i < v.size() && i < 20; ++i) out += (i ? ", " : "") + v[i];
    return out + (v.size() > 20 ? ", ...]" : "]");
  };
  if (missing.empty() && unexpected.empty()) return "";
  return "missing " + list(missing) + "; unexpected " + list(unexpected);
}

}  // namespace iiot::e2e

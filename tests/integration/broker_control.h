// Stopping and starting the test broker through scripts/kafka.sh (path compiled in as
// IIOT_KAFKA_SCRIPT), on the port of IIOT_TEST_BROKERS. For tests that must run alone
// (ctest RUN_SERIAL): the broker is shared.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "kafka_test_support.h"

namespace iiot::kafka_test {

// Runs `kafka.sh <command>` for the broker of test_brokers(); returns its exit code.
inline int kafka_script(const std::string& command) {
  const std::string brokers = test_brokers();
  const std::string first = brokers.substr(0, brokers.find(','));
  const std::string port = first.substr(first.rfind(':') + 1);
  const std::string line = "IIOT_KAFKA_PORT='" + port + "' '" + IIOT_KAFKA_SCRIPT + "' " + command;
  const int status = std::system(line.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Makes sure the broker runs again when a test ends, however it ends.
class BrokerRunningGuard {
 public:
  BrokerRunningGuard() = default;
  ~BrokerRunningGuard() {
    if (kafka_script("status") != 0) (void)kafka_script("start");
  }
  BrokerRunningGuard(const BrokerRunningGuard&) = delete;
  BrokerRunningGuard& operator=(const BrokerRunningGuard&) = delete;
};

}  // namespace iiot::kafka_test

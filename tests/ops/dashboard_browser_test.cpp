// The dashboard at GET / in a real browser (CONTRACT section 11, "Dashboard"): Debian's Chromium,
// headless, driven by playwright-core (tests/ops/browser/dashboard_check.mjs) against a running
// bin/consumer while records flow. The script checks that devices with values and sparklines and
// colour-coded alerts appear, that the /stats figures show, that nothing is loaded from outside
// the gateway, and that a device filter narrows the table; it saves dashboard.png in the build
// folder.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "support/child_process.h"
#include "test_records.h"

namespace iiot::e2e {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kNode = "/usr/bin/node";

// A plant-like record: a few sensors whose values move, and the sequence number.
std::string plant_record(const std::string& id, const std::string& type,
                         const std::string& location, std::uint64_t seq) {
  const double t = static_cast<double>(seq) / 3.0;
  char sensors[256];
  std::snprintf(
      sensors, sizeof sensors,
      R"("temperature":{"value":%.2f,"unit":"°C"},"pressure":{"value":%.3f,"unit":"bar"},)"
      R"("seq":{"value":%llu})",
      60.0 + 15.0 * std::sin(t + static_cast<double>(id.back())), 1.0 + 0.2 * std::cos(t * 0.7),
      static_cast<unsigned long long>(seq));
  return R"({"device_id":")" + id + R"(","device_type":")" + type + R"(","location":")" + location +
         R"(","status":"online","timestamp":"2026-08-01T12:00:00Z","sensors":{)" + sensors + "}}";
}

// Produces records of five devices and alerts of four severities every 150 ms until destroyed.
class PlantTraffic {
 public:
  explicit PlantTraffic(const TestTopics& topics)
      : thread_([&topics](const std::stop_token& stop) {
          RecordProducer producer;
          const char* types[] = {"boiler", "pump", "compressor", "boiler", "conveyor"};
          const char* locations[] = {"Hall-1", "Hall-1", "Hall-2", "Hall-2", "Yard"};
          const char* severities[] = {"info", "warning", "error", "critical"};
          for (std::uint64_t seq = 0; !stop.stop_requested(); ++seq) {
            for (int d = 0; d < 5; ++d) {
              const std::string id = "dash-" + std::to_string(d);
              producer.produce(topics.device_data, id,
                               plant_record(id, types[d], locations[d], seq));
            }
            if (seq % 4 == 0) {
              const std::string id = "dash-" + std::to_string((seq / 4) % 5);
              producer.produce(
                  topics.alerts, id,
                  to_json(AlertRecord{.alert_id = "dash-al-" + std::to_string(seq),
                                      .device_id = id,
                                      .severity = severities[(seq / 4) % 4],
                                      .device_type = std::nullopt,
                                      .location = std::nullopt,
                                      .title = "Temperature above limit",
                                      .description = id + " temperature above its limit",
                                      .timestamp = "2026-08-01T12:00:00Z"}));
            }
            producer.flush();
            std::this_thread::sleep_for(std::chrono::milliseconds(150));
          }
        }) {}

 private:
  std::jthread thread_;
};

TEST(DashboardBrowser, DevicesAlertsAndFilterInChromium) {
  const fs::path browser_dir = IIOT_BROWSER_TEST_DIR;
  if (!fs::exists(kChromium) || !fs::exists(kNode) ||
      !fs::exists(browser_dir / "node_modules" / "playwright-core")) {
    GTEST_SKIP() << "needs " << kChromium << " (Debian chromium), " << kNode
                 << " and playwright-core in " << browser_dir.string()
                 << "/node_modules (scripts/install-deps.sh installs them)";
  }
  TestTopics topics(2);
  GatewayProcess gateway(topics);
  PlantTraffic traffic(topics);

  const std::string page = "http://127.0.0.1:" + std::to_string(gateway.port()) + "/";
  const fs::path log = fs::temp_directory_path() / (unique_name("dashboard-check") + ".log");
  test_support::ChildProcess check(
      {kNode, (browser_dir / "dashboard_check.mjs").string(), page, IIOT_DASHBOARD_SCREENSHOT},
      log.string());
  const auto status = check.wait(std::chrono::minutes(3));
  std::ifstream in(log);
  const std::string output((std::istreambuf_iterator<char>(in)), {});
  ASSERT_TRUE(status.has_value()) << "the browser check did not finish:\n" << output;
  EXPECT_TRUE(status->exited_ok()) << status->describe() << "\n" << output;
  EXPECT_TRUE(fs::exists(IIOT_DASHBOARD_SCREENSHOT));
  std::error_code ignored;
  fs::remove(log, ignored);
}

}  // namespace
}  // namespace iiot::e2e

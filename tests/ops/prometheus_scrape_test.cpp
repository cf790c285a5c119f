// A real Prometheus (Debian's /usr/bin/prometheus) scrapes a running bin/consumer every second
// (CONTRACT section 11, "Metrics"): through Prometheus's own HTTP API the test checks that the
// latency histograms and the per-topic lag exist, that the histograms are usable by
// histogram_quantile(), and that the counts grow while records flow to a connected client.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "gateway_process.h"
#include "http_probe.h"
#include "kafka_fixture.h"
#include "support/child_process.h"
#include "test_records.h"
#include "ws_test_client.h"

namespace iiot::e2e {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kPrometheus = "/usr/bin/prometheus";

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// A Prometheus server of its own: generated config, temporary storage, a free port.
class PrometheusServer {
 public:
  explicit PrometheusServer(unsigned short target_port) : port_(free_port()) {
    dir_ = fs::temp_directory_path() / unique_name("iiot-prometheus");
    fs::create_directories(dir_ / "data");
    std::ofstream(dir_ / "prometheus.yml")
        << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
        << "scrape_configs:\n  - job_name: iiot-gateway\n    static_configs:\n"
        << "      - targets: ['127.0.0.1:" << target_port << "']\n";
    child_ = std::make_unique<test_support::ChildProcess>(
        std::vector<std::string>{kPrometheus, "--config.file=" + (dir_ / "prometheus.yml").string(),
                                 "--storage.tsdb.path=" + (dir_ / "data").string(),
                                 "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                                 "--log.level=warn"},
        (dir_ / "prometheus.log").string());
  }
  ~PrometheusServer() {
    child_->kill();
    std::error_code ignored;
    if (!::testing::Test::HasFailure()) fs::remove_all(dir_, ignored);
  }
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  bool ready() { return http_get(port_, "/-/ready").status == 200; }
  bool running() { return child_->running(); }
  std::string log() const {
    std::ifstream in(dir_ / "prometheus.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  // The result vector of an instant query (empty when the series do not exist yet).
  json::array query(const std::string& promql) {
    const HttpResponse r = http_get(port_, "/api/v1/query?query=" + url_encode(promql));
    if (r.status != 200) return {};
    const json::value v = json::parse(r.body);
    if (v.at("status") != "success") return {};
    return v.at("data").at("result").as_array();
  }

  // The value of a query that yields one sample; nullopt if it yields none.
  std::optional<double> scalar(const std::string& promql) {
    const json::array result = query(promql);
    if (result.size() != 1) return std::nullopt;
    return std::stod(std::string(result[0].at("value").as_array()[1].as_string()));
  }

 private:
  unsigned short port_;
  fs::path dir_;
  std::unique_ptr<test_support::ChildProcess> child_;
};

// Produces a few records every 100 ms until destroyed.
class TrickleProducer {
 public:
  explicit TrickleProducer(const TestTopics& topics)
      : thread_([&topics](const std::stop_token& stop) {
          RecordProducer producer;
          for (std::uint64_t seq = 0; !stop.stop_requested(); ++seq) {
            const std::string id = "prom-" + std::to_string(seq % 3);
            producer.produce(topics.device_data, id,
                             to_json(DeviceRecord{.device_id = id, .seq = seq}));
            if (seq % 5 == 0) {
              producer.produce(topics.alerts, id,
                               to_json(AlertRecord{.alert_id = "prom-al-" + std::to_string(seq),
                                                   .device_id = id}));
            }
            producer.flush();
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
          }
        }) {}

 private:
  std::jthread thread_;
};

TEST(PrometheusScrape, HistogramsAndTopicLagAreScrapedAndGrow) {
  if (!fs::exists(kPrometheus)) {
    GTEST_SKIP() << kPrometheus << " is absent: install Debian's prometheus package "
                 << "(scripts/install-deps.sh) to run this test";
  }
  TestTopics topics(2);
  GatewayProcess gateway(topics);
  WsTestClient client(gateway.port());
  client.client_id();
  PrometheusServer prometheus(gateway.port());
  ASSERT_TRUE(eventually([&] { return prometheus.ready() || !prometheus.running(); }, 60s,
                         std::chrono::milliseconds(200)) &&
              prometheus.running())
      << prometheus.log();

  TrickleProducer trickle(topics);
  ASSERT_TRUE(eventually([&] { return prometheus.scalar(R"(up{job="iiot-gateway"})") == 1.0; }, 60s,
                         std::chrono::milliseconds(250)))
      << "Prometheus never scraped the gateway:\n"
      << prometheus.log();

  // Both histograms with their three kinds of series, per the exposition convention.
  for (const std::string name :
       {"iiot_push_latency_seconds", "iiot_kafka_to_client_latency_seconds"}) {
    ASSERT_TRUE(eventually([&] { return prometheus.scalar(name + "_count").value_or(0) > 0; }, 60s,
                           std::chrono::milliseconds(250)))
        << name;
    EXPECT_TRUE(prometheus.scalar(name + "_sum").has_value()) << name;
    const json::array buckets = prometheus.query(name + "_bucket");
    EXPECT_EQ(buckets.size(), 17u) << name;  // 16 bounds and +Inf
    EXPECT_EQ(prometheus.query(name + R"(_bucket{le="+Inf"})").size(), 1u) << name;
    const auto p99 = prometheus.scalar("histogram_quantile(0.99, " + name + "_bucket)");
    ASSERT_TRUE(p99.has_value()) << name;
    EXPECT_GE(*p99, 0.0) << name;
  }

  // Per-topic lag of both subscribed topics.
  for (const std::string* topic : {&topics.device_data, &topics.alerts}) {
    EXPECT_TRUE(eventually(
        [&] {
          return prometheus.scalar("iiot_kafka_topic_consumer_lag{topic=\"" + *topic + "\"}")
              .has_value();
        },
        30s, std::chrono::milliseconds(250)))
        << *topic;
  }

  // While records flow the counts keep growing, as Prometheus stores them.
  for (const std::string series :
       {"iiot_push_latency_seconds_count", "iiot_kafka_to_client_latency_seconds_count",
        R"(iiot_kafka_to_client_latency_seconds_bucket{le="+Inf"})", "iiot_messages_total"}) {
    const double before = prometheus.scalar(series).value_or(0);
    EXPECT_TRUE(eventually([&] { return prometheus.scalar(series).value_or(0) > before; }, 30s,
                           std::chrono::milliseconds(250)))
        << series << " stayed at " << before;
  }
  EXPECT_TRUE(eventually(
      [&] {
        return prometheus.scalar("increase(iiot_push_latency_seconds_count[5s])").value_or(0) > 0;
      },
      30s, std::chrono::milliseconds(250)));
  EXPECT_GT(client.event_count(), 0u);
}

}  // namespace
}  // namespace iiot::e2e

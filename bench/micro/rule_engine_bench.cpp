// Google Benchmark microbenchmarks of threshold-rule evaluation (CONTRACT section 10) and of
// "latest" conflation in a client's queue (section 9).
//
// BM_RuleEvaluate/<rules>/<mode>: one record of a 1,000-device fleet whose "temperature" reading
// is watched by <rules> rules; ns_per_rule is the time per record per matching rule. Modes:
// 0 quiet (condition false, the common case), 1 pending (condition true, `for` not yet elapsed:
// the record's timestamp is parsed), 2 active (fired earlier, checked for clearing).
// BM_RuleEvaluateNoMatch/<rules>: a record none of whose three sensors any of <rules> rules
// watches: one hash lookup per sensor, no scan of the rules.
#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"
#include "model/record_decoder.h"
#include "processing/rule_engine.h"
#include "push/client_queue.h"

namespace {

using iiot::model::RecordPosition;
using iiot::processing::DeviceRuleState;
using iiot::processing::RuleEngine;

iiot::model::DeviceData fleet_record(int device, double temperature) {
  char id[16];
  std::snprintf(id, sizeof id, "dev-%04d", device);
  const std::string text =
      std::string(R"({"device_id":")") + id +
      R"(","device_type":"temperature_sensor","location":"Building-A/Line-1","status":"online",)"
      R"("timestamp":"2026-11-26T05:41:22.123456Z","sensors":{"temperature":{"value":)" +
      std::to_string(temperature) +
      R"(,"unit":"°C"},"humidity":{"value":60.25,"unit":"%"},"pressure":{"value":1.013,"unit":"bar"}}})";
  return iiot::model::decode_device_data(text).value();
}

std::vector<iiot::config::RuleConfig> rules_on(const std::string& sensor, int count,
                                               std::chrono::milliseconds hold) {
  std::vector<iiot::config::RuleConfig> rules;
  for (int i = 0; i < count; ++i) {
    iiot::config::RuleConfig rule;
    rule.name = sensor + "-" + std::to_string(i);
    rule.device_types = {"temperature_sensor"};
    rule.sensor = sensor;
    rule.op = iiot::config::RuleOp::kGreater;
    rule.value = 80 + i;
    rule.hold = hold;
    rule.clear_hysteresis = 2;
    rule.severity = "critical";
    rule.title = "Overheat";
    rule.description = "{device_id} {sensor} = {value} {unit} (limit {limit})";
    rules.push_back(std::move(rule));
  }
  return rules;
}

void BM_RuleEvaluate(benchmark::State& state) {
  const int rule_count = static_cast<int>(state.range(0));
  const int mode = static_cast<int>(state.range(1));
  constexpr int kDevices = 1000;
  // Pending: `for` never elapses (all records share one timestamp). Active: fired at once.
  const auto hold = mode == 1 ? std::chrono::milliseconds(3'600'000) : std::chrono::milliseconds(0);
  const RuleEngine engine(rules_on("temperature", rule_count, hold));
  const double temperature = mode == 0 ? 25.5 : 500.0;
  std::vector<iiot::model::DeviceData> records;
  for (int d = 0; d < kDevices; ++d) records.push_back(fleet_record(d, temperature));
  std::vector<DeviceRuleState> states(kDevices);
  std::vector<iiot::model::Alert> out;
  out.reserve(static_cast<std::size_t>(rule_count));
  // Active mode: every rule fires once here, before the timing.
  for (int d = 0; d < kDevices; ++d) engine.evaluate(records[d], {}, states[d], out);
  out.clear();
  const RecordPosition position{"iiot.device-data", 0, 0};
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t d = i++ % kDevices;
    engine.evaluate(records[d], position, states[d], out);
    benchmark::DoNotOptimize(out.data());
  }
  if (!out.empty()) state.SkipWithError("a rule fired during the timed loop");
  state.counters["ns_per_rule"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * rule_count,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_RuleEvaluate)
    ->ArgNames({"rules", "mode"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({1, 2})
    ->Args({10, 0})
    ->Args({10, 1})
    ->Args({10, 2});

void BM_RuleEvaluateNoMatch(benchmark::State& state) {
  const RuleEngine engine(
      rules_on("vibration", static_cast<int>(state.range(0)), std::chrono::milliseconds(0)));
  const iiot::model::DeviceData record = fleet_record(1, 500.0);
  DeviceRuleState device_state;
  std::vector<iiot::model::Alert> out;
  for (auto _ : state) {
    engine.evaluate(record, {}, device_state, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (!out.empty()) state.SkipWithError("a rule matched");
}
BENCHMARK(BM_RuleEvaluateNoMatch)->Arg(1)->Arg(100)->Arg(10000);

// A stalled "latest" client holding one frame of each of 1,000 devices: each new frame replaces
// its device's queued one (the per-event cost of conflation, independent of the queue's depth).
void BM_QueueConflateAtStalledClient(benchmark::State& state) {
  constexpr int kDevices = 1000;
  iiot::push::ClientQueue queue(iiot::push::QueueLimits{2000, std::size_t{1} << 30});
  queue.set_delivery(iiot::model::Delivery::kLatest);
  auto frame = std::make_shared<const std::string>(250, 'x');
  std::vector<std::string> ids;
  for (int d = 0; d < kDevices; ++d) ids.push_back("dev-" + std::to_string(d));
  for (const auto& id : ids) {
    queue.push(iiot::push::OutFrame{frame, iiot::push::FrameClass::kTelemetry}, false, id);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto outcome = queue.push(iiot::push::OutFrame{frame, iiot::push::FrameClass::kTelemetry},
                              false, ids[i++ % ids.size()]);
    benchmark::DoNotOptimize(outcome);
  }
  if (queue.size() != kDevices) state.SkipWithError("the queue grew");
}
BENCHMARK(BM_QueueConflateAtStalledClient);

}  // namespace

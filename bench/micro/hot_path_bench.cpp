// Google Benchmark microbenchmarks of the per-record and per-client hot path:
// record decode, frame encode, the whole processing step, filter index lookup at 1k/10k/100k
// subscribers, and queueing a frame at a matched client.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "model/frame_encoder.h"
#include "model/record_decoder.h"
#include "observability/gateway_stats.h"
#include "processing/default_message_processor.h"
#include "push/client_queue.h"
#include "push/filter_index.h"
#include "push/push_event.h"
#include "push/wire_frame.h"

namespace {

using iiot::model::Filter;
using iiot::model::MessageType;
using iiot::model::Severity;

// About 200 bytes, the size the throughput figures are quoted for.
std::string device_record(int device) {
  char id[16];
  std::snprintf(id, sizeof id, "dev-%04d", device);
  return std::string(R"({"device_id":")") + id +
         R"(","device_type":"temperature_sensor","location":"Building-A/Line-1","status":"online",)"
         R"("timestamp":"2026-11-26T05:41:22.123456Z","sensors":{"temperature":{"value":25.5,"unit":"°C"},)"
         R"("humidity":{"value":60.25,"unit":"%"},"pressure":{"value":1.013,"unit":"bar"}}})";
}

void BM_DecodeDeviceData(benchmark::State& state) {
  const std::string record = device_record(1);
  for (auto _ : state) {
    auto decoded = iiot::model::decode_device_data(record);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * record.size()));
}
BENCHMARK(BM_DecodeDeviceData);

void BM_EncodeDeviceDataFrame(benchmark::State& state) {
  const auto data = iiot::model::decode_device_data(device_record(1)).value();
  const iiot::model::RecordPosition position{"iiot.device-data", 3, 18342};
  for (auto _ : state) {
    auto frame = iiot::model::encode_device_data(data, position);
    benchmark::DoNotOptimize(frame);
  }
}
BENCHMARK(BM_EncodeDeviceDataFrame);

// Decode + validate + latest state + counters + routing attributes + frame encode: everything
// the gateway does once per ingested record before fan-out.
void BM_ProcessAndEncodeRecord(benchmark::State& state) {
  iiot::observability::GatewayStats stats;
  iiot::processing::DefaultMessageProcessor processor(1 << 20, stats);
  std::vector<std::string> records;
  records.reserve(1000);
  for (int i = 0; i < 1000; ++i) records.push_back(device_record(i));
  std::size_t i = 0;
  for (auto _ : state) {
    auto result =
        processor.process(iiot::processing::RecordKind::kDeviceData, records[i % records.size()],
                          iiot::model::RecordPosition{"bench", 0, static_cast<std::int64_t>(i)});
    ++i;
    auto event = iiot::push::make_push_event(result.event());
    benchmark::DoNotOptimize(event);
  }
}
BENCHMARK(BM_ProcessAndEncodeRecord);

struct Subscriber {
  int id = 0;
};

// Subscribers each follow 10 random devices of a 1,000-device fleet (each event matches ~1%).
void BM_FilterIndexLookup(benchmark::State& state) {
  const auto subscribers = static_cast<std::size_t>(state.range(0));
  std::mt19937 rng(7);
  std::vector<Subscriber> subs(subscribers);
  iiot::push::FilterIndex<Subscriber> index;
  for (std::size_t s = 0; s < subscribers; ++s) {
    Filter f;
    for (int k = 0; k < 10; ++k) {
      char id[16];
      std::snprintf(id, sizeof id, "dev-%04u", static_cast<unsigned>(rng() % 1000));
      f.device_ids.emplace_back(id);
    }
    std::sort(f.device_ids.begin(), f.device_ids.end());
    f.device_ids.erase(std::unique(f.device_ids.begin(), f.device_ids.end()), f.device_ids.end());
    index.set(&subs[s], f);
  }
  std::vector<std::string> ids;
  for (int d = 0; d < 1000; ++d) {
    char id[16];
    std::snprintf(id, sizeof id, "dev-%04d", d);
    ids.emplace_back(id);
  }
  std::size_t matched = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    index.for_each_match(MessageType::kDeviceData, ids[i++ % ids.size()], "temperature_sensor",
                         "Building-A", Severity::kInfo, [&](Subscriber* s) {
                           benchmark::DoNotOptimize(s);
                           ++matched;
                         });
  }
  state.counters["matched_per_event"] =
      benchmark::Counter(static_cast<double>(matched) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_FilterIndexLookup)->Arg(1000)->Arg(10000)->Arg(100000);

// Queueing one shared frame at a matched client and taking it off again (the write path's
// bookkeeping, without the socket).
void BM_QueueFrameAtClient(benchmark::State& state) {
  iiot::push::ClientQueue queue(iiot::push::QueueLimits{});
  auto frame = std::make_shared<const std::string>(250, 'x');
  for (auto _ : state) {
    queue.push(iiot::push::OutFrame{frame, iiot::push::FrameClass::kTelemetry}, true);
    auto out = queue.pop_front();
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_QueueFrameAtClient);

// A client that stopped reading, under drop_oldest with its queue at max_frames: every event
// that matches it pushes one frame and drops the oldest (the cost a never-reading connection
// puts on each event it matches).
void BM_DropOldestAtStalledClient(benchmark::State& state) {
  iiot::push::QueueLimits limits;
  limits.policy = iiot::config::OverflowPolicy::kDropOldest;
  iiot::push::ClientQueue queue(limits);
  auto frame = std::make_shared<const std::string>(250, 'x');
  while (!queue.at_frame_limit()) {
    queue.push(iiot::push::OutFrame{frame, iiot::push::FrameClass::kTelemetry}, true);
  }
  std::size_t dropped = 0;
  for (auto _ : state) {
    dropped +=
        queue.push(iiot::push::OutFrame{frame, iiot::push::FrameClass::kTelemetry}, false).dropped;
  }
  state.counters["dropped_per_event"] =
      benchmark::Counter(static_cast<double>(dropped) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_DropOldestAtStalledClient);

// Two push threads fanning the same events out to 500 stalled clients each (drop_oldest, queues
// full). Arg 0: every client's copy of the frame counts on the event's own shared_ptr, which both
// threads share; arg 1: on a holder of each thread's own (ThreadFrames, as the shards do).
void BM_FanOutToStalledClientsOnTwoThreads(benchmark::State& state) {
  static const auto wire =
      std::make_shared<iiot::push::WireFrames>(std::make_shared<const std::string>(250, 'x'));
  const bool thread_frames = state.range(0) == 1;
  constexpr int kClients = 500;
  iiot::push::QueueLimits limits;
  limits.policy = iiot::config::OverflowPolicy::kDropOldest;
  limits.max_frames = 100;
  std::vector<iiot::push::ClientQueue> queues(kClients, iiot::push::ClientQueue(limits));
  for (auto& queue : queues) {
    while (!queue.at_frame_limit()) {
      queue.push(iiot::push::OutFrame{wire->plain(), iiot::push::FrameClass::kTelemetry}, true);
    }
  }
  for (auto _ : state) {
    iiot::push::ThreadFrames frames(*wire);
    for (auto& queue : queues) {
      const iiot::model::SharedFrame& frame = thread_frames ? frames.for_window(0) : wire->plain();
      queue.push(iiot::push::OutFrame{frame, iiot::push::FrameClass::kTelemetry}, false);
    }
  }
  state.counters["ns_per_client"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * kClients,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_FanOutToStalledClientsOnTwoThreads)->Arg(0)->Arg(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();

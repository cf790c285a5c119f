#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <set>

#include "gateway/record_factory.h"
#include "load_client/centrifugo_protocol.h"
#include "load_client/frame_inspector.h"
#include "model/filter.h"
#include "observability/gateway_stats.h"
#include "processing/default_message_processor.h"
#include "push/push_event.h"
#include "support/device_fleet.h"
#include "support/latency_recorder.h"
#include "text_formats/rfc3339_parser.h"

namespace iiot::bench {
namespace {

TEST(LatencyRecorder, BucketsAreExactBelow64AndWithin4PercentAbove) {
  for (std::uint64_t v : {0ull, 1ull, 63ull}) {
    EXPECT_EQ(LatencyRecorder::bucket_upper(LatencyRecorder::bucket_of(v)), v);
  }
  for (std::uint64_t v = 64; v < (1ull << 40); v = v * 3 / 2 + 7) {
    const std::uint64_t upper = LatencyRecorder::bucket_upper(LatencyRecorder::bucket_of(v));
    EXPECT_GE(upper, v);
    EXPECT_LE(static_cast<double>(upper), static_cast<double>(v) * 1.032);
  }
  EXPECT_LT(LatencyRecorder::bucket_of(~0ull), LatencyRecorder::kBuckets);
}

TEST(LatencyRecorder, QuantilesAndMerge) {
  LatencyRecorder a;
  LatencyRecorder b;
  for (int i = 1; i <= 99; ++i) a.record(1000);
  b.record(1'000'000);
  b.record(-5);
  a.merge(b);
  EXPECT_EQ(a.count(), 101u);
  EXPECT_EQ(a.negative(), 1u);
  EXPECT_EQ(a.max(), 1'000'000u);
  EXPECT_NEAR(static_cast<double>(a.quantile(0.5)), 1000, 32);
  EXPECT_EQ(a.quantile(1.0), 1'000'000u);
}

TEST(SubscriptionPlan, EachDeviceMatchesTheRequestedFraction) {
  DeviceFleet fleet;
  fleet.count = 100;
  for (double fraction : {0.01, 0.1, 0.25}) {
    const SubscriptionPlan plan(fleet, fraction);
    const std::size_t connections = 1000;
    std::vector<int> matches(fleet.count, 0);
    for (std::size_t g = 0; g < connections; ++g) {
      const auto ids = plan.device_ids(g);
      EXPECT_EQ(ids.size(), plan.ids_per_connection());
      for (const auto& id : ids) ++matches[std::stoul(id.substr(4))];
    }
    for (int m : matches) EXPECT_EQ(m, static_cast<int>(fraction * connections)) << fraction;
  }
}

TEST(SubscriptionPlan, FullFractionSendsTheEmptyFilter) {
  const SubscriptionPlan plan(DeviceFleet{}, 1.0);
  EXPECT_TRUE(plan.matches_everything());
  EXPECT_EQ(plan.filter_frame(7), R"({"type":"filter","data":{"device_ids":[]}})");
}

TEST(SubscriptionPlan, FilterFrameIsValidJsonWithSimulatorIds) {
  DeviceFleet fleet{"sensor-", 4, 1, 10};
  const SubscriptionPlan plan(fleet, 0.2);
  const auto value = boost::json::parse(plan.filter_frame(9));
  const auto& ids = value.at("data").at("device_ids").as_array();
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].as_string(), "sensor-0010");
  EXPECT_EQ(ids[1].as_string(), "sensor-0001");
}

TEST(SubscriptionPlan, LatestFilterFrameIsDecodedByTheGatewayAsLatest) {
  DeviceFleet fleet{"dev-", 4, 0, 100};
  for (const double fraction : {0.02, 1.0}) {
    const SubscriptionPlan plan(fleet, fraction);
    const auto request = model::decode_client_frame(plan.filter_frame(5, true));
    const auto* filter = std::get_if<model::FilterRequest>(&request);
    ASSERT_NE(filter, nullptr) << plan.filter_frame(5, true);
    EXPECT_EQ(filter->filter.delivery, model::Delivery::kLatest);
    EXPECT_EQ(filter->filter.device_ids, plan.device_ids(5));
    const auto plain = model::decode_client_frame(plan.filter_frame(5));
    EXPECT_EQ(std::get<model::FilterRequest>(plain).filter.delivery, model::Delivery::kAll);
  }
}

TEST(FrameInspector, FindsTypeAndTimestamp) {
  const auto event = inspect_frame(
      R"({"type":"device_data","timestamp":"2024-08-01T12:50:09.123456Z","data":{}})");
  EXPECT_EQ(event.kind, FrameKind::kEvent);
  EXPECT_EQ(event.timestamp, "2024-08-01T12:50:09.123456Z");
  EXPECT_EQ(inspect_frame(R"({"type":"filter_ack","timestamp":"x","data":{}})").kind,
            FrameKind::kFilterAck);
  EXPECT_EQ(inspect_frame(R"({"type":"welcome","timestamp":"x"})").kind, FrameKind::kOtherControl);
  EXPECT_EQ(inspect_frame("[]").kind, FrameKind::kUnknown);
}

TEST(RecordFactory, RecordsAreValidAndFramesStartWithTypeAndTimestamp) {
  DeviceFleet fleet;
  fleet.count = 3;
  RecordFactory records(fleet);
  observability::GatewayStats stats;
  processing::DefaultMessageProcessor processor(1 << 20, stats);
  std::set<std::string> ids;
  for (std::uint64_t seq = 0; seq < 6; ++seq) {
    const auto now = std::chrono::system_clock::now();
    const auto result =
        processor.process(processing::RecordKind::kDeviceData, records.make(seq, now),
                          model::RecordPosition{"bench", 0, static_cast<std::int64_t>(seq)});
    ASSERT_TRUE(result.ok()) << result.error();
    ids.insert(result.event()->device_data().device_id);
    const auto frame = push::make_push_event(result.event())->frame;
    const FrameInfo info = inspect_frame(*frame);
    EXPECT_EQ(info.kind, FrameKind::kEvent);
    EXPECT_EQ(text_formats::parse_rfc3339(info.timestamp),
              std::chrono::floor<std::chrono::microseconds>(now));
  }
  EXPECT_EQ(ids, (std::set<std::string>{"dev-0000", "dev-0001", "dev-0002"}));
}

TEST(CentrifugoProtocol, SetUpFrameConnectsThenSubscribesEachChannel) {
  const std::string frame = centrifugo_setup_frame({"device.dev-0001", "device.dev-0002"});
  std::vector<boost::json::value> commands;
  for_each_centrifugo_reply(
      frame, [&](std::string_view line) { commands.push_back(boost::json::parse(line)); });
  ASSERT_EQ(commands.size(), 3U);
  EXPECT_EQ(commands[0], boost::json::parse(R"({"id":1,"connect":{}})"));
  EXPECT_EQ(commands[1],
            boost::json::parse(R"({"id":2,"subscribe":{"channel":"device.dev-0001"}})"));
  EXPECT_EQ(commands[2],
            boost::json::parse(R"({"id":3,"subscribe":{"channel":"device.dev-0002"}})"));
  EXPECT_EQ(centrifugo_setup_frame({}), R"({"id":1,"connect":{}})");
}

TEST(CentrifugoProtocol, ChannelsFollowTheSubscriptionPlan) {
  DeviceFleet fleet;
  fleet.count = 100;
  const CentrifugoChannels names{"all", "d."};
  EXPECT_EQ(centrifugo_channels(SubscriptionPlan(fleet, 1.0), 5, names),
            std::vector<std::string>{"all"});
  EXPECT_EQ(centrifugo_channels(SubscriptionPlan(fleet, 0.02), 99, names),
            (std::vector<std::string>{"d.dev-0099", "d.dev-0000"}));
}

TEST(CentrifugoProtocol, RepliesAreClassifiedOnePerLine) {
  const std::string frame =
      R"({"push":{"channel":"devices","pub":{"data":{"device_id":"sensor-0001","status":"online",)"
      R"("timestamp":"2026-01-02T03:04:05.123456Z","seq":1}}}})"
      "\n{}\n"
      R"({"id":2,"subscribe":{}})"
      "\n"
      R"({"id":3,"error":{"code":103,"message":"permission denied"}})"
      "\n"
      R"({"push":{"channel":"devices","join":{"info":{}}}})"
      "\nnot json\n";
  std::vector<CentrifugoReply> replies;
  for_each_centrifugo_reply(
      frame, [&](std::string_view line) { replies.push_back(inspect_centrifugo_reply(line)); });
  ASSERT_EQ(replies.size(), 6U);
  EXPECT_EQ(replies[0].kind, CentrifugoReplyKind::kPublication);
  EXPECT_EQ(replies[0].timestamp, "2026-01-02T03:04:05.123456Z");
  EXPECT_EQ(replies[1].kind, CentrifugoReplyKind::kPing);
  EXPECT_EQ(replies[2].kind, CentrifugoReplyKind::kReply);
  EXPECT_EQ(replies[2].id, 2);
  EXPECT_EQ(replies[3].kind, CentrifugoReplyKind::kError);
  EXPECT_EQ(replies[3].id, 3);
  EXPECT_NE(replies[3].error.find("permission denied"), std::string::npos);
  EXPECT_EQ(replies[4].kind, CentrifugoReplyKind::kOther);
  EXPECT_EQ(replies[5].kind, CentrifugoReplyKind::kError);
  // A publication whose data has no timestamp is still a publication.
  const auto bare = inspect_centrifugo_reply(R"({"push":{"channel":"c","pub":{"data":{"a":1}}}})");
  EXPECT_EQ(bare.kind, CentrifugoReplyKind::kPublication);
  EXPECT_TRUE(bare.timestamp.empty());
}

}  // namespace
}  // namespace iiot::bench

#include "auth/scope.h"

#include <gtest/gtest.h>

namespace iiot::auth {
namespace {

using model::Filter;
using model::MessageType;
using model::Severity;

Filter make(std::vector<std::string> ids, std::vector<std::string> locations = {},
            std::vector<Severity> levels = {}, std::vector<MessageType> types = {}) {
  Filter f;
  f.device_ids = std::move(ids);
  f.locations = std::move(locations);
  f.alert_levels = std::move(levels);
  f.types = std::move(types);
  return f;
}

struct NarrowCase {
  const char* name;
  Filter requested;
  Filter scope;
  std::optional<Filter> expected;  // nullopt: forbidden
};

class NarrowTest : public ::testing::TestWithParam<NarrowCase> {};

TEST_P(NarrowTest, Intersects) {
  const NarrowCase& c = GetParam();
  const std::optional<Filter> got = narrow(c.requested, c.scope);
  ASSERT_EQ(got.has_value(), c.expected.has_value());
  if (got) {
    EXPECT_TRUE(*got == *c.expected);
  }
}

const NarrowCase kCases[] = {
    {"EmptyScopeKeepsRequest", make({"a"}), Filter{}, make({"a"})},
    {"EmptyRequestTakesScope", Filter{}, make({"a", "b"}), make({"a", "b"})},
    {"BothEmpty", Filter{}, Filter{}, Filter{}},
    {"Intersection", make({"a", "c"}), make({"a", "b"}), make({"a"})},
    {"DisjointIsForbidden", make({"c"}), make({"a", "b"}), std::nullopt},
    {"PerKeyIndependent", make({"x"}, {"L1"}), make({}, {"L1", "L2"}), make({"x"}, {"L1"})},
    {"OneKeyDisjointForbidsAll", make({"a"}, {"L3"}), make({"a"}, {"L1"}), std::nullopt},
    {"LevelsNarrowed", make({}, {}, {Severity::kInfo, Severity::kCritical}),
     make({}, {}, {Severity::kCritical}), make({}, {}, {Severity::kCritical})},
    {"TypesForbidden", make({}, {}, {}, {MessageType::kDeviceData}),
     make({}, {}, {}, {MessageType::kAlert}), std::nullopt},
    {"TypesFromScope", Filter{}, make({}, {}, {}, {MessageType::kAlert}),
     make({}, {}, {}, {MessageType::kAlert})},
};

INSTANTIATE_TEST_SUITE_P(Scope, NarrowTest, ::testing::ValuesIn(kCases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// Delivery, resume and snapshot are the client's choices: the scope narrows what they send, not
// whether they are asked for.
TEST(Narrow, KeepsTheDeliveryOptions) {
  Filter requested = make({"a", "b"});
  requested.delivery = model::Delivery::kLatest;
  requested.resume = true;
  requested.snapshot = true;
  const std::optional<Filter> got = narrow(requested, make({"b"}));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->device_ids, (std::vector<std::string>{"b"}));
  EXPECT_EQ(got->delivery, model::Delivery::kLatest);
  EXPECT_TRUE(got->resume);
  EXPECT_TRUE(got->snapshot);
}

TEST(ScopeFromConfig, ParsesNamesAndSorts) {
  config::ScopeConfig c;
  c.device_ids = {"b", "a", "b"};
  c.alert_levels = {"critical", "info"};
  c.types = {"alert"};
  const Scope s = scope_from_config(c);
  EXPECT_EQ(s.device_ids, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(s.alert_levels, (std::vector<Severity>{Severity::kInfo, Severity::kCritical}));
  EXPECT_EQ(s.types, std::vector<MessageType>{MessageType::kAlert});
}

}  // namespace
}  // namespace iiot::auth

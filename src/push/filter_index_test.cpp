#include "push/filter_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

namespace iiot::push {
namespace {

using model::Filter;
using model::MessageType;
using model::Severity;

struct Sub {
  int id;
};

struct Event {
  MessageType type;
  std::string device_id, device_type, location;
  Severity severity;
};

std::set<int> matches(const FilterIndex<Sub>& index, const Event& e) {
  std::set<int> out;
  index.for_each_match(e.type, e.device_id, e.device_type, e.location, e.severity,
                       [&](Sub* s) { EXPECT_TRUE(out.insert(s->id).second) << "visited twice"; });
  return out;
}

TEST(FilterIndex, EachDimensionAndWildcard) {
  FilterIndex<Sub> index;
  Sub all{0}, by_id{1}, by_loc{2}, by_type{3}, alerts_only{4}, critical{5};
  index.set(&all, Filter{});
  index.set(&by_id, Filter{{"d1"}, {}, {}, {}, {}});
  index.set(&by_loc, Filter{{}, {}, {"A"}, {}, {}});
  index.set(&by_type, Filter{{}, {"pump"}, {}, {}, {}});
  index.set(&alerts_only, Filter{{}, {}, {}, {}, {MessageType::kAlert}});
  index.set(&critical, Filter{{}, {}, {}, {Severity::kCritical}, {}});

  EXPECT_EQ(matches(index, {MessageType::kDeviceData, "d1", "pump", "A", Severity::kInfo}),
            (std::set<int>{0, 1, 2, 3, 5}));
  EXPECT_EQ(matches(index, {MessageType::kDeviceData, "d2", "fan", "B", Severity::kInfo}),
            (std::set<int>{0, 5}));
  EXPECT_EQ(matches(index, {MessageType::kAlert, "d2", "fan", "B", Severity::kWarning}),
            (std::set<int>{0, 4}));
  EXPECT_EQ(matches(index, {MessageType::kAlert, "d1", "fan", "B", Severity::kCritical}),
            (std::set<int>{0, 1, 4, 5}));
}

TEST(FilterIndex, IdenticalFiltersShareAGroupAndMovesWork) {
  FilterIndex<Sub> index;
  Sub a{1}, b{2};
  const Filter constrained{{"d1", "d2"}, {}, {}, {}, {MessageType::kDeviceData}};
  index.set(&a, constrained);
  index.set(&b, constrained);
  EXPECT_EQ(index.group_count(), 1u);
  EXPECT_EQ(matches(index, {MessageType::kDeviceData, "d2", "t", "l", Severity::kInfo}),
            (std::set<int>{1, 2}));
  EXPECT_TRUE(matches(index, {MessageType::kAlert, "d2", "t", "l", Severity::kInfo}).empty());
  index.set(&b, Filter{{}, {}, {"L"}, {}, {}});  // one dimension alone: no group needed
  EXPECT_EQ(index.group_count(), 1u);
  EXPECT_EQ(index.subscriber_count(), 2u);
  EXPECT_EQ(matches(index, {MessageType::kDeviceData, "d2", "t", "L", Severity::kInfo}),
            (std::set<int>{1, 2}));
  EXPECT_EQ(matches(index, {MessageType::kDeviceData, "d2", "t", "X", Severity::kInfo}),
            (std::set<int>{1}));
  index.remove(&a);
  index.remove(&b);
  index.remove(&b);
  EXPECT_EQ(index.group_count(), 0u);
  EXPECT_EQ(index.subscriber_count(), 0u);
  EXPECT_TRUE(matches(index, {MessageType::kDeviceData, "d2", "t", "L", Severity::kInfo}).empty());
}

TEST(FilterIndex, SingleDimensionFiltersAreDirectAndShareKeys) {
  FilterIndex<Sub> index;
  Sub a{1}, b{2}, c{3};
  index.set(&a, Filter{{"d1", "d2"}, {}, {}, {}, {}});
  index.set(&b, Filter{{"d2"}, {}, {}, {}, {}});
  index.set(&c, Filter{{"d2"}, {}, {}, {}, {MessageType::kAlert}});
  EXPECT_EQ(index.group_count(), 1u);
  EXPECT_EQ(matches(index, {MessageType::kDeviceData, "d2", "t", "l", Severity::kInfo}),
            (std::set<int>{1, 2}));
  EXPECT_EQ(matches(index, {MessageType::kAlert, "d2", "t", "l", Severity::kInfo}),
            (std::set<int>{1, 2, 3}));
  index.set(&a, Filter{{"d3"}, {}, {}, {}, {}});
  EXPECT_EQ(matches(index, {MessageType::kDeviceData, "d1", "t", "l", Severity::kInfo}),
            (std::set<int>{}));
  EXPECT_EQ(matches(index, {MessageType::kDeviceData, "d3", "t", "l", Severity::kInfo}),
            (std::set<int>{1}));
  index.remove(&c);
  EXPECT_EQ(index.group_count(), 0u);
  EXPECT_EQ(matches(index, {MessageType::kAlert, "d2", "t", "l", Severity::kInfo}),
            (std::set<int>{2}));
}

// The index must agree with Filter::matches on every event (a brute-force oracle).
TEST(FilterIndex, AgreesWithLinearScanOnRandomFilters) {
  std::mt19937 rng(42);
  const std::vector<std::string> ids{"d1", "d2", "d3", "d4"};
  const std::vector<std::string> types{"pump", "fan", "valve"};
  const std::vector<std::string> locs{"A", "B", "C"};
  auto pick = [&](const std::vector<std::string>& from) {
    std::vector<std::string> out;
    for (const auto& v : from) {
      if (rng() % 3 == 0) out.push_back(v);
    }
    return out;
  };
  std::vector<Sub> subs(300);
  std::vector<Filter> filters(subs.size());
  FilterIndex<Sub> index;
  for (std::size_t i = 0; i < subs.size(); ++i) {
    subs[i].id = static_cast<int>(i);
    Filter f{pick(ids), pick(types), pick(locs), {}, {}};
    if (rng() % 4 == 0) f.alert_levels = {Severity::kCritical};
    if (rng() % 4 == 0) f.types = {rng() % 2 ? MessageType::kAlert : MessageType::kDeviceData};
    filters[i] = f;
    index.set(&subs[i], f);
  }
  for (const auto& id : ids) {
    for (const auto& type : types) {
      for (const auto& loc : locs) {
        for (auto mt : {MessageType::kDeviceData, MessageType::kAlert}) {
          for (auto sev : {Severity::kInfo, Severity::kCritical}) {
            std::set<int> expected;
            for (std::size_t i = 0; i < subs.size(); ++i) {
              if (filters[i].matches(mt, id, type, loc, sev)) expected.insert(static_cast<int>(i));
            }
            EXPECT_EQ(matches(index, {mt, id, type, loc, sev}), expected);
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace iiot::push

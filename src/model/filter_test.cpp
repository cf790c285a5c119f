#include "model/filter.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <variant>

namespace iiot::model {
namespace {

constexpr MessageType kData = MessageType::kDeviceData;
constexpr MessageType kAlertType = MessageType::kAlert;

struct Event {
  MessageType type = kData;
  std::string device_id = "sensor-001";
  std::string device_type = "sensor";
  std::string location = "Building-A";
  Severity severity = Severity::kInfo;
};

Event alert_event(Severity severity) {
  return Event{kAlertType, "sensor-001", "sensor", "Building-A", severity};
}

struct MatchCase {
  std::string name;
  Filter filter;
  Event event;
  bool matches;
};

void PrintTo(const MatchCase& c, std::ostream* os) {
  *os << c.name;
}

std::string match_case_name(const testing::TestParamInfo<MatchCase>& info) {
  return info.param.name;
}

Filter ids(std::vector<std::string> v) {
  return Filter{std::move(v), {}, {}, {}, {}};
}
Filter device_types(std::vector<std::string> v) {
  return Filter{{}, std::move(v), {}, {}, {}};
}
Filter locations(std::vector<std::string> v) {
  return Filter{{}, {}, std::move(v), {}, {}};
}
Filter levels(std::vector<Severity> v) {
  return Filter{{}, {}, {}, std::move(v), {}};
}
Filter types(std::vector<MessageType> v) {
  return Filter{{}, {}, {}, {}, std::move(v)};
}

const Filter kCombined{{"sensor-001", "sensor-002"},
                       {"sensor"},
                       {"Building-A"},
                       {Severity::kWarning, Severity::kCritical},
                       {kData, kAlertType}};

std::vector<MatchCase> match_cases() {
  return {
      {"EmptyFilterPassesData", Filter{}, Event{}, true},
      {"EmptyFilterPassesAlert", Filter{}, alert_event(Severity::kInfo), true},

      {"DeviceIdListed", ids({"a", "sensor-001"}), Event{}, true},
      {"DeviceIdNotListed", ids({"sensor-002"}), Event{}, false},
      {"DeviceIdAppliesToAlerts", ids({"sensor-002"}), alert_event(Severity::kCritical), false},
      {"DeviceIdIsExact", ids({"sensor-00"}), Event{}, false},
      {"DeviceTypeListed", device_types({"sensor"}), Event{}, true},
      {"DeviceTypeNotListed", device_types({"plc"}), Event{}, false},
      {"DeviceTypeIsCaseSensitive", device_types({"Sensor"}), Event{}, false},
      {"LocationListed", locations({"Building-A", "Building-B"}), Event{}, true},
      {"LocationNotListed", locations({"Building-B"}), Event{}, false},
      {"LocationEmptyStringListed", locations({""}), Event{kData, "d", "t", "", Severity::kInfo},
       true},
      {"LocationEmptyStringNotListed", locations({"Building-A"}),
       Event{kData, "d", "t", "", Severity::kInfo}, false},

      {"LevelListedAlert", levels({Severity::kWarning}), alert_event(Severity::kWarning), true},
      {"LevelNotListedAlert", levels({Severity::kWarning}), alert_event(Severity::kInfo), false},
      {"LevelDoesNotConstrainData", levels({Severity::kCritical}),
       Event{kData, "sensor-001", "sensor", "Building-A", Severity::kInfo}, true},

      {"TypesDataOnlyPassesData", types({kData}), Event{}, true},
      {"TypesDataOnlyBlocksAlert", types({kData}), alert_event(Severity::kCritical), false},
      {"TypesAlertOnlyBlocksData", types({kAlertType}), Event{}, false},
      {"TypesAlertOnlyPassesAlert", types({kAlertType}), alert_event(Severity::kInfo), true},
      {"TypesBoth", types({kData, kAlertType}), Event{}, true},

      {"CombinedDataPasses", kCombined, Event{}, true},
      {"CombinedAlertPasses", kCombined, alert_event(Severity::kCritical), true},
      {"CombinedAlertWrongLevel", kCombined, alert_event(Severity::kError), false},
      {"CombinedWrongLocation", kCombined,
       Event{kData, "sensor-001", "sensor", "Building-B", Severity::kInfo}, false},
      {"CombinedWrongType", kCombined,
       Event{kData, "sensor-002", "plc", "Building-A", Severity::kInfo}, false},
      {"CombinedWrongId", kCombined,
       Event{kAlertType, "sensor-003", "sensor", "Building-A", Severity::kWarning}, false},
      {"LevelsWithDataOnlyTypes", Filter{{}, {}, {}, {Severity::kCritical}, {kData}}, Event{},
       true},
      {"LevelsWithDataOnlyTypesBlocksAlert", Filter{{}, {}, {}, {Severity::kCritical}, {kData}},
       alert_event(Severity::kCritical), false},
  };
}

class FilterMatchTest : public testing::TestWithParam<MatchCase> {};

TEST_P(FilterMatchTest, Matches) {
  const MatchCase& c = GetParam();
  EXPECT_EQ(c.filter.matches(c.event.type, c.event.device_id, c.event.device_type, c.event.location,
                             c.event.severity),
            c.matches);
}

INSTANTIATE_TEST_SUITE_P(Table, FilterMatchTest, testing::ValuesIn(match_cases()), match_case_name);

TEST(FilterTest, Empty) {
  EXPECT_TRUE(Filter{}.empty());
  EXPECT_FALSE(ids({"a"}).empty());
  EXPECT_FALSE(device_types({"a"}).empty());
  EXPECT_FALSE(locations({"a"}).empty());
  EXPECT_FALSE(levels({Severity::kInfo}).empty());
  EXPECT_FALSE(types({kAlertType}).empty());
}

TEST(FilterTest, MessageTypeNames) {
  EXPECT_EQ(to_string(MessageType::kDeviceData), "device_data");
  EXPECT_EQ(to_string(MessageType::kAlert), "alert");
}

// The expected outcome of decoding one client frame, compared field by field.
struct FrameCase {
  std::string name;
  std::string text;
  ClientRequest expected;
};

void PrintTo(const FrameCase& c, std::ostream* os) {
  *os << c.name << ": " << c.text;
}

std::string frame_case_name(const testing::TestParamInfo<FrameCase>& info) {
  return info.param.name;
}

ClientRequest error(std::string code, std::string message) {
  return ClientFrameError{std::move(code), std::move(message)};
}
ClientRequest filter(Filter f) {
  return FilterRequest{std::move(f)};
}
Filter with_flags(bool resume, bool snapshot) {
  Filter f;
  f.resume = resume;
  f.snapshot = snapshot;
  return f;
}

std::vector<FrameCase> frame_cases() {
  return {
      {"Ping", R"({"type":"ping"})", PingRequest{}},
      {"PingWithExtraFields", R"({"type":"ping","data":{"x":1},"id":7})", PingRequest{}},
      {"FullFilter",
       R"({"type":"filter","data":{"device_ids":["device-001"],"device_types":["sensor"],)"
       R"("locations":["Building-A"],"alert_levels":["warning","critical"],"types":["device_data","alert"]}})",
       filter(Filter{{"device-001"},
                     {"sensor"},
                     {"Building-A"},
                     {Severity::kWarning, Severity::kCritical},
                     {kData, kAlertType}})},
      {"SortedAndDeduplicated",
       R"({"type":"filter","data":{"device_ids":["b","a","b","c","a"],"alert_levels":["critical","info","critical"],)"
       R"("types":["alert","device_data","alert"]}})",
       filter(Filter{
           {"a", "b", "c"}, {}, {}, {Severity::kInfo, Severity::kCritical}, {kData, kAlertType}})},
      {"EmptyData", R"({"type":"filter","data":{}})", filter(Filter{})},
      {"MissingData", R"({"type":"filter"})", filter(Filter{})},
      {"NullData", R"({"type":"filter","data":null})", filter(Filter{})},
      {"NullAndEmptyLists",
       R"({"type":"filter","data":{"device_ids":null,"locations":[],"types":null}})",
       filter(Filter{})},
      {"UnknownKeysIgnored",
       R"({"type":"filter","data":{"colour":["red"],"device_types":["plc"]},"x":1})",
       filter(device_types({"plc"}))},
      {"DeliveryLatest", R"({"type":"filter","data":{"device_ids":["d"],"delivery":"latest"}})",
       filter(Filter{{"d"}, {}, {}, {}, {}, Delivery::kLatest})},
      {"DeliveryAll", R"({"type":"filter","data":{"delivery":"all"}})", filter(Filter{})},
      {"DeliveryNull", R"({"type":"filter","data":{"delivery":null}})", filter(Filter{})},
      {"UnicodeAndEscapes", R"({"type":"filter","data":{"locations":["Gebäude \"A\"","\u00e9"]}})",
       filter(locations({"Gebäude \"A\"", "é"}))},

      {"EmptyText", "", error("invalid_json", "invalid JSON: incomplete JSON at byte 0")},
      {"Malformed", R"({"type":"ping")",
       error("invalid_json", "invalid JSON: incomplete JSON at byte 14")},
      {"SyntaxError", R"({type:"ping"})",
       error("invalid_json", "invalid JSON: syntax error at byte 1")},
      {"InvalidUtf8", "{\"type\":\"\xff\"}",
       error("invalid_json", "invalid JSON: syntax error at byte 9")},
      {"NotAnObject", R"(["ping"])", error("invalid_json", "frame must be a JSON object")},
      {"BareString", R"("ping")", error("invalid_json", "frame must be a JSON object")},

      {"TypeMissing", R"({"data":{}})", error("unknown_type", "type: required")},
      {"TypeNull", R"({"type":null})", error("unknown_type", "type: required")},
      {"TypeNotString", R"({"type":1})", error("unknown_type", "type: must be a string")},
      {"TypeUnknown", R"({"type":"subscribe"})",
       error("unknown_type",
             R"(type: must be one of filter, ping, refresh, resume (got "subscribe"))")},
      {"TypeWrongCase", R"({"type":"PING"})",
       error("unknown_type", R"(type: must be one of filter, ping, refresh, resume (got "PING"))")},

      {"DataNotObject", R"({"type":"filter","data":["sensor"]})",
       error("invalid_filter", "data: must be an object")},
      {"ListNotArray", R"({"type":"filter","data":{"device_ids":"device-001"}})",
       error("invalid_filter", "device_ids: must be a list of strings")},
      {"ListObject", R"({"type":"filter","data":{"locations":{"a":1}}})",
       error("invalid_filter", "locations: must be a list of strings")},
      {"ElementNotString", R"({"type":"filter","data":{"device_types":["sensor",5]}})",
       error("invalid_filter", "device_types[1]: must be a string")},
      {"ElementNull", R"({"type":"filter","data":{"device_ids":[null]}})",
       error("invalid_filter", "device_ids[0]: must be a string")},
      {"UnknownLevel", R"({"type":"filter","data":{"alert_levels":["warning","fatal"]}})",
       error("invalid_filter",
             R"(alert_levels[1]: must be one of info, warning, error, critical (got "fatal"))")},
      {"LevelNotString", R"({"type":"filter","data":{"alert_levels":[2]}})",
       error("invalid_filter", "alert_levels[0]: must be a string")},
      {"UnknownType", R"({"type":"filter","data":{"types":["pong"]}})",
       error("invalid_filter", R"(types[0]: must be one of device_data, alert (got "pong"))")},
      {"UnknownDelivery", R"({"type":"filter","data":{"delivery":"newest"}})",
       error("invalid_filter", R"(delivery: must be one of all, latest (got "newest"))")},
      {"DeliveryNotString", R"({"type":"filter","data":{"delivery":["latest"]}})",
       error("invalid_filter", "delivery: must be one of all, latest (got a non-string)")},
      {"TypesNotArray", R"({"type":"filter","data":{"types":"alert"}})",
       error("invalid_filter", "types: must be a list of strings")},
      {"ResumeAndSnapshotFlags", R"({"type":"filter","data":{"resume":true,"snapshot":true}})",
       filter(with_flags(true, true))},
      {"FlagsNullAreFalse", R"({"type":"filter","data":{"resume":null,"snapshot":false}})",
       filter(Filter{})},
      {"ResumeFlagNotBool", R"({"type":"filter","data":{"resume":"yes"}})",
       error("invalid_filter", "resume: must be true or false")},
      {"ResumeRequest", R"({"type":"resume","data":{"cursor":"abc"}})", ResumeRequest{"abc"}},
      {"ResumeWithoutCursor", R"({"type":"resume","data":{}})",
       error("invalid_cursor", "data.cursor: must be a string")},
      {"ResumeCursorNotString", R"({"type":"resume","data":{"cursor":5}})",
       error("invalid_cursor", "data.cursor: must be a string")},
  };
}

class ClientFrameTest : public testing::TestWithParam<FrameCase> {};

TEST_P(ClientFrameTest, Decodes) {
  const FrameCase& c = GetParam();
  const ClientRequest actual = decode_client_frame(c.text);
  ASSERT_EQ(actual.index(), c.expected.index());
  if (const auto* want_resume = std::get_if<ResumeRequest>(&c.expected)) {
    ASSERT_TRUE(std::holds_alternative<ResumeRequest>(actual));
    EXPECT_EQ(std::get<ResumeRequest>(actual).cursor, want_resume->cursor);
  } else if (const auto* want = std::get_if<FilterRequest>(&c.expected)) {
    EXPECT_TRUE(std::get<FilterRequest>(actual).filter == want->filter);
  } else if (const auto* want_error = std::get_if<ClientFrameError>(&c.expected)) {
    const auto& got = std::get<ClientFrameError>(actual);
    EXPECT_EQ(got.code, want_error->code);
    EXPECT_EQ(got.message, want_error->message);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ClientFrameTest, testing::ValuesIn(frame_cases()), frame_case_name);

TEST(ClientFrameTest, EqualFiltersCompareEqualWhateverTheOrder) {
  const ClientRequest a = decode_client_frame(
      R"({"type":"filter","data":{"device_ids":["x","y"],"alert_levels":["error","info"]}})");
  const ClientRequest b = decode_client_frame(
      R"({"type":"filter","data":{"alert_levels":["info","error","info"],"device_ids":["y","x","y"]}})");
  ASSERT_TRUE(std::holds_alternative<FilterRequest>(a));
  ASSERT_TRUE(std::holds_alternative<FilterRequest>(b));
  EXPECT_TRUE(std::get<FilterRequest>(a).filter == std::get<FilterRequest>(b).filter);
}

TEST(ClientFrameTest, LongUnknownValueIsCutInTheMessage) {
  const ClientRequest r = decode_client_frame(R"({"type":")" + std::string(1000, 'x') + R"("})");
  ASSERT_TRUE(std::holds_alternative<ClientFrameError>(r));
  EXPECT_EQ(std::get<ClientFrameError>(r).message,
            "type: must be one of filter, ping, refresh, resume (got \"" + std::string(64, 'x') +
                "...\")");
}

}  // namespace
}  // namespace iiot::model

namespace iiot::model {
namespace {

TEST(RefreshFrameTest, CarriesTheToken) {
  const ClientRequest r = decode_client_frame(R"({"type":"refresh","data":{"token":"abc.def"}})");
  ASSERT_TRUE(std::holds_alternative<RefreshRequest>(r));
  EXPECT_EQ(std::get<RefreshRequest>(r).token, "abc.def");
}

TEST(RefreshFrameTest, WithoutATokenIsInvalidToken) {
  for (const char* text :
       {R"({"type":"refresh"})", R"({"type":"refresh","data":{}})",
        R"({"type":"refresh","data":{"token":5}})", R"({"type":"refresh","data":{"token":""}})"}) {
    const ClientRequest r = decode_client_frame(text);
    ASSERT_TRUE(std::holds_alternative<ClientFrameError>(r)) << text;
    EXPECT_EQ(std::get<ClientFrameError>(r).code, "invalid_token") << text;
  }
}

TEST(FilterObjectTest, DecodesLikeAFilterFrame) {
  const auto r = decode_filter_object(R"({"locations":["B","A"],"alert_levels":["critical"]})");
  ASSERT_TRUE(std::holds_alternative<Filter>(r));
  Filter want;
  want.locations = {"A", "B"};
  want.alert_levels = {Severity::kCritical};
  EXPECT_TRUE(std::get<Filter>(r) == want);
  EXPECT_TRUE(std::get<Filter>(decode_filter_object("{}")) == Filter{});
}

TEST(FilterObjectTest, RefusesUnknownKeysAndBadValues) {
  EXPECT_EQ(std::get<std::string>(decode_filter_object(R"({"devices":["a"]})")),
            R"(unknown key "devices")");
  EXPECT_EQ(std::get<std::string>(decode_filter_object(R"({"types":["x"]})")),
            R"(types[0]: must be one of device_data, alert (got "x"))");
  EXPECT_EQ(std::get<std::string>(decode_filter_object(R"(["a"])")), "must be an object");
  EXPECT_TRUE(std::holds_alternative<std::string>(decode_filter_object("{")));
}

}  // namespace
}  // namespace iiot::model

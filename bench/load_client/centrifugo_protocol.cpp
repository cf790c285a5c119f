#include "load_client/centrifugo_protocol.h"

#include <boost/json.hpp>

namespace iiot::bench {

std::vector<std::string> centrifugo_channels(const SubscriptionPlan& plan, std::size_t g,
                                             const CentrifugoChannels& channels) {
  if (plan.matches_everything()) return {channels.all};
  std::vector<std::string> out;
  for (const std::string& id : plan.device_ids(g)) out.push_back(channels.per_device + id);
  return out;
}

std::string centrifugo_setup_frame(const std::vector<std::string>& channels) {
  std::string frame =
      boost::json::serialize(boost::json::object{{"id", 1}, {"connect", boost::json::object{}}});
  std::int64_t id = 1;
  for (const std::string& channel : channels) {
    frame += '\n';
    frame += boost::json::serialize(boost::json::object{
        {"id", ++id}, {"subscribe", boost::json::object{{"channel", channel}}}});
  }
  return frame;
}

CentrifugoReply inspect_centrifugo_reply(std::string_view line) {
  constexpr std::string_view kPushPrefix = R"({"push":{)";
  constexpr std::string_view kPublication = R"("pub":{)";
  constexpr std::string_view kTimestampKey = R"("timestamp":")";
  // The record's timestamp lies within its first fields; a bounded search keeps this cheap.
  constexpr std::size_t kTimestampWindow = 512;
  CentrifugoReply reply;
  if (line == "{}") {
    reply.kind = CentrifugoReplyKind::kPing;
    return reply;
  }
  if (line.substr(0, kPushPrefix.size()) == kPushPrefix) {
    const std::size_t pub = line.find(kPublication);
    if (pub == std::string_view::npos) return reply;  // kOther
    reply.kind = CentrifugoReplyKind::kPublication;
    const std::string_view data = line.substr(pub + kPublication.size());
    const std::size_t key = data.substr(0, kTimestampWindow).find(kTimestampKey);
    if (key == std::string_view::npos) return reply;
    const std::string_view value = data.substr(key + kTimestampKey.size());
    const std::size_t close = value.find('"');
    if (close != std::string_view::npos) reply.timestamp = value.substr(0, close);
    return reply;
  }
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(line, ec);
  if (ec || !parsed.is_object()) {
    reply.kind = CentrifugoReplyKind::kError;
    reply.error = "not a JSON object: " + std::string(line.substr(0, 200));
    return reply;
  }
  const boost::json::object& object = parsed.get_object();
  if (const auto* id = object.if_contains("id"); id && id->is_int64()) reply.id = id->get_int64();
  if (const auto* error = object.if_contains("error")) {
    reply.kind = CentrifugoReplyKind::kError;
    reply.error = boost::json::serialize(*error);
    return reply;
  }
  reply.kind = reply.id > 0 ? CentrifugoReplyKind::kReply : CentrifugoReplyKind::kOther;
  return reply;
}

void for_each_centrifugo_reply(std::string_view frame,
                               const std::function<void(std::string_view)>& on_line) {
  while (!frame.empty()) {
    const std::size_t end = frame.find('\n');
    const std::string_view line = frame.substr(0, end);
    if (!line.empty()) on_line(line);
    if (end == std::string_view::npos) break;
    frame.remove_prefix(end + 1);
  }
}

}  // namespace iiot::bench

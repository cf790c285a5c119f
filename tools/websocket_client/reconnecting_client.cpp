#include "websocket_client/reconnecting_client.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <csignal>
#include <utility>

namespace iiot::ws_client {

namespace json = boost::json;
namespace net = boost::asio;

namespace {

std::string build_filter_frame(const FilterLists& filter, bool resume, bool snapshot) {
  if (!filter.any() && !resume && !snapshot) return {};
  json::object data;
  const auto put = [&data](std::string_view key,
                           const std::optional<std::vector<std::string>>& list) {
    if (!list) return;
    json::array values;
    for (const auto& item : *list) values.emplace_back(item);
    data[key] = std::move(values);
  };
  put("device_ids", filter.device_ids);
  put("device_types", filter.device_types);
  put("locations", filter.locations);
  put("alert_levels", filter.alert_levels);
  put("types", filter.types);
  if (resume) data["resume"] = true;
  if (snapshot) data["snapshot"] = true;
  return json::serialize(json::object{{"type", "filter"}, {"data", std::move(data)}});
}

std::string_view string_at(const json::object* object, std::string_view key) {
  if (object == nullptr) return {};
  const auto* value = object->if_contains(key);
  return value != nullptr && value->is_string() ? std::string_view(value->get_string())
                                                : std::string_view();
}

}  // namespace

ReconnectingClient::ReconnectingClient(net::io_context& io, const ClientOptions& options,
                                       FramePrinter& printer, RunSummary& summary, StatusLog& log,
                                       net::ssl::context* tls)
    : io_(io),
      options_(options),
      printer_(printer),
      summary_(summary),
      log_(log),
      tls_(tls),
      backoff_(options.backoff_initial, options.backoff_max),
      signals_(io, SIGINT, SIGTERM),
      duration_timer_(io),
      reconnect_timer_(io),
      filter_frame_(build_filter_frame(options.filter, options.resume, options.snapshot)),
      resume_filter_frame_(build_filter_frame(options.filter, options.resume, false)) {}

void ReconnectingClient::start() {
  wait_for_signal();
  if (options_.duration) {
    duration_timer_.expires_after(*options_.duration);
    duration_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping_) return;
      log_.note("--duration reached; closing");
      stop(ExitCode::kOk);
    });
  }
  log_.note("connecting to " + options_.url());
  connect();
}

void ReconnectingClient::connect() {
  welcomed_ = false;
  awaiting_resume_ack_ = false;
  awaiting_ack_ = false;
  session_ = std::make_shared<Session>(io_, options_, *this, tls_);
  session_->start();
}

void ReconnectingClient::wait_for_signal() {
  signals_.async_wait([this](boost::system::error_code ec, int signal_number) {
    if (ec) return;
    const std::string name = signal_number == SIGINT ? "SIGINT" : "SIGTERM";
    if (!stopping_) {
      log_.note(name + ": closing");
      stop(ExitCode::kOk);
      // A second signal while the close handshake hangs drops the connection at once.
      if (!finished_) wait_for_signal();
    } else if (session_) {
      session_->abort(name + " again: dropped the connection");
    }
  });
}

void ReconnectingClient::on_open(const SessionOpened& opened) {
  summary_.on_connected(RunSummary::Clock::now());
  std::string line = "connected to " + options_.url();
  if (opened.compressed()) {
    line += " (" + opened.extensions + ")";
  } else {
    line += options_.compression == Compression::kOn ? " (compression offered, not accepted)"
                                                     : " (no compression)";
  }
  if (summary_.reconnects() > 0) line += ", reconnect " + std::to_string(summary_.reconnects());
  log_.note(line);
}

void ReconnectingClient::send_filter() {
  if (filter_frame_.empty() || !session_) return;
  // A connection that resumes needs no snapshot: the replay brings it up to date.
  const bool resuming = options_.resume && !cursor_.empty();
  const std::string& filter = resuming ? resume_filter_frame_ : filter_frame_;
  if (session_->send(filter)) {
    awaiting_ack_ = true;
    log_.note("sent " + filter);
  }
  if (resuming) {
    const std::string resume = json::serialize(
        json::object{{"type", "resume"}, {"data", json::object{{"cursor", cursor_}}}});
    if (session_->send(resume)) {
      awaiting_resume_ack_ = true;
      log_.note("sent " + resume);
    }
  }
}

void ReconnectingClient::note_cursor(const json::object& frame) {
  const auto* data = frame.if_contains("data");
  const auto* body = data != nullptr && data->is_object() ? &data->get_object() : nullptr;
  const std::string_view cursor = string_at(body, "cursor");
  if (!cursor.empty()) cursor_ = cursor;
}

bool ReconnectingClient::first_sight(const json::object& event) {
  // A snapshot gives one state per device, in no order: it says nothing about the stream.
  if (const auto* flag = event.if_contains("snapshot");
      flag != nullptr && flag->is_bool() && flag->get_bool()) {
    return true;
  }
  // "<topic>:<partition>:<offset>[/<n>]": per partition, events arrive in offset order, and the
  // events derived from a record (n from 1) right after it.
  std::string_view pos = string_at(&event, "pos");
  std::uint32_t derived = 0;
  if (const auto slash = pos.rfind('/'); slash != std::string_view::npos) {
    const auto digits = pos.substr(slash + 1);
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), derived);
    if (ec != std::errc() || ptr != digits.data() + digits.size()) return true;
    pos = pos.substr(0, slash);
  }
  const auto colon = pos.rfind(':');
  if (colon == std::string_view::npos) return true;
  std::int64_t offset = 0;
  const auto digits = pos.substr(colon + 1);
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), offset);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return true;
  const std::pair<std::int64_t, std::uint32_t> seen{offset, derived};
  auto [it, inserted] = last_seen_.try_emplace(std::string(pos.substr(0, colon)), seen);
  if (inserted) return true;
  if (seen <= it->second) {
    ++duplicates_;
    return false;
  }
  it->second = seen;
  return true;
}

void ReconnectingClient::on_frame(std::string_view text, FrameKind kind) {
  // After --count, a signal or --duration, nothing more is printed or counted.
  if (stopping_) return;
  if (kind == FrameKind::kBinary) {
    summary_.count_message("(binary)");
    log_.note("ignored a binary frame of " + std::to_string(text.size()) + " bytes");
    return;
  }
  ReceivedFrame frame;
  frame.text = text;
  frame.received_at = std::chrono::system_clock::now();
  boost::system::error_code ec;
  const json::value parsed = json::parse(json::string_view(text.data(), text.size()), ec);
  if (!ec && parsed.is_object()) {
    frame.json = &parsed.get_object();
    frame.type = string_at(frame.json, "type");
  }
  if (frame.json == nullptr) {
    summary_.count_message("(not json)");
    emit(frame);
    return;
  }

  if (!welcomed_) {
    welcomed_ = true;
    if (frame.type == "welcome") {
      backoff_.reset();
    } else {
      log_.note("the first frame was not a welcome but '" + std::string(frame.type) + "'");
    }
    send_filter();
  }

  if (frame.type == "device_data" || frame.type == "alert") {
    // Live events sent between the filter and the resume are in the replay's range: they come
    // again, in order, with the replay, so they are left for it.
    if (awaiting_resume_ack_ && frame.json->if_contains("replay") == nullptr) return;
    if (options_.resume && !first_sight(*frame.json)) return;
    return handle_event(frame);
  }

  summary_.count_message(frame.type);
  if (frame.type == "resume_ack") awaiting_resume_ack_ = false;
  if (options_.resume && (frame.type == "checkpoint" || frame.type == "snapshot_end")) {
    note_cursor(*frame.json);
  }
  if (frame.type == "pong") {
    session_->pong_received();
  } else if (frame.type == "filter_ack") {
    awaiting_ack_ = false;
  }
  if (!emit(frame)) return;
  if (frame.type == "error" && awaiting_ack_) {
    const auto* data = frame.json->if_contains("data");
    const auto* body = data != nullptr && data->is_object() ? &data->get_object() : nullptr;
    if (string_at(body, "code") == "invalid_filter") {
      log_.note("the server rejected the filter: " + std::string(string_at(body, "message")));
      stop(ExitCode::kFilterRejected);
    }
  }
}

bool ReconnectingClient::emit(const ReceivedFrame& frame) {
  if (printer_.print(frame)) return true;
  log_.note("stdout is closed; stopping");
  stop(ExitCode::kConnectionFailed);
  return false;
}

void ReconnectingClient::handle_event(ReceivedFrame& frame) {
  // These were chosen by the filter in force before ours.
  if (awaiting_ack_) return summary_.count_skipped_before_ack();
  summary_.count_message(frame.type);
  summary_.count_event();
  if (options_.latency) {
    if (const auto sent = timestamp_parser_.parse(string_at(frame.json, "timestamp"))) {
      frame.latency = frame.received_at - *sent;
      summary_.add_latency(*frame.latency);
    } else {
      summary_.count_unparsed_timestamp();
    }
  }
  if (!emit(frame)) return;
  if (options_.count && summary_.events() >= *options_.count) stop(ExitCode::kOk);
}

void ReconnectingClient::on_end(const SessionEnd& end) {
  const bool was_open = end.phase == SessionPhase::kOpen;
  if (was_open) {
    summary_.on_disconnected(RunSummary::Clock::now());
  } else if (!stopping_) {
    summary_.on_connect_failed();
  }
  session_.reset();
  const std::string what = was_open ? "disconnected (" + end.describe() + ")" : end.describe();

  if (stopping_) {
    if (!end.clean()) log_.note(what);
    return finish();
  }
  if (options_.reconnect == Reconnect::kNo) {
    log_.note(what);
    exit_code_ = end.clean() ? ExitCode::kOk : ExitCode::kConnectionFailed;
    return finish();
  }
  const auto delay = backoff_.next_delay();
  log_.note(what + "; reconnecting in " + std::to_string(delay.count()) + "ms (attempt " +
            std::to_string(backoff_.attempt()) + ")");
  reconnect_timer_.expires_after(delay);
  reconnect_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && !stopping_) connect();
  });
}

void ReconnectingClient::stop(ExitCode code) {
  if (stopping_) return;
  stopping_ = true;
  exit_code_ = code;
  duration_timer_.cancel();
  reconnect_timer_.cancel();
  if (session_) {
    session_->close();
  } else {
    finish();
  }
}

void ReconnectingClient::finish() {
  if (finished_) return;
  finished_ = true;
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  duration_timer_.cancel();
  reconnect_timer_.cancel();
}

}  // namespace iiot::ws_client

#include "websocket_client/reconnecting_client.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <csignal>
#include <utility>

#include "websocket_client/rfc3339.h"

namespace iiot::ws_client {

namespace json = boost::json;
namespace net = boost::asio;

namespace {

std::string build_filter_frame(const FilterLists& filter) {
  if (!filter.any()) return {};
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
      filter_frame_(build_filter_frame(options.filter)) {}

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
  if (session_->send(filter_frame_)) {
    awaiting_ack_ = true;
    log_.note("sent " + filter_frame_);
  }
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

  if (frame.type == "device_data" || frame.type == "alert") return handle_event(frame);

  summary_.count_message(frame.type);
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
    if (const auto sent = parse_rfc3339(string_at(frame.json, "timestamp"))) {
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

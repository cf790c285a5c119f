#include "push/client.h"

#include <spdlog/spdlog.h>

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <vector>

#include "model/frame_encoder.h"
#include "push/push_shard.h"
#include "push/replay_service.h"
#include "push/wire_frame.h"

namespace iiot::push {

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;

namespace {

// Compression settings: bounded memory per connection. A 1 KiB window for what we send (10
// bits; zlib refuses 8) with memLevel 4 keeps the deflate state near 12 KiB instead of 256 KiB at
// the defaults, and no context takeover on our side lets the window be reset between messages:
// telemetry frames are small and each compresses well on its own. Level 1 trades a little ratio
// for CPU.
websocket::permessage_deflate deflate_options() {
  websocket::permessage_deflate pmd;
  pmd.server_enable = true;
  pmd.server_max_window_bits = 10;
  // client_max_window_bits stays 15: asking for less makes Beast decline the extension for
  // clients whose offer does not carry that parameter (RFC 7692 forbids asking unoffered).
  pmd.server_no_context_takeover = true;
  pmd.compLevel = 1;
  pmd.memLevel = 4;
  pmd.msg_size_threshold = 64;  // tiny frames cost more to deflate than they save
  return pmd;
}

// The deflate window of the permessage-deflate extension Beast agreed to in its 101 response,
// provided the answer carries server_no_context_takeover (every message deflated on its own, so
// one deflated frame serves every such client); 0 otherwise.
int negotiated_window_bits(const websocket::response_type& res) {
  const auto it = res.find(beast::http::field::sec_websocket_extensions);
  if (it == res.end()) return 0;
  for (const auto& [name, params] : beast::http::ext_list{it->value()}) {
    if (!beast::iequals(name, "permessage-deflate")) continue;
    int bits = kMaxWindowBits;
    bool no_context_takeover = false;
    for (const auto& [key, value] : params) {
      if (beast::iequals(key, "server_no_context_takeover")) no_context_takeover = true;
      if (beast::iequals(key, "server_max_window_bits") && !value.empty()) {
        bits = 0;
        for (const char c : value) bits = c >= '0' && c <= '9' ? bits * 10 + (c - '0') : -1000;
      }
    }
    if (!no_context_takeover || bits < kMinWindowBits || bits > kMaxWindowBits) return 0;
    return bits;
  }
  return 0;
}

// Writes from the Client never carry more than this: asio gathers at most 64 buffers per
// writev, and 256 KiB keeps one client's write from monopolising the shard's turn.
constexpr std::size_t kMaxWriteBuffers = 64;
constexpr WriteBudget kWriteBudget{kMaxWriteBuffers, std::size_t{256} * 1024};

// A buffer sequence over a range of const_buffers that stays where it is (asio copies the
// sequence object, not the buffers).
struct BufferRange {
  const boost::asio::const_buffer* first;
  const boost::asio::const_buffer* last;
  const boost::asio::const_buffer* begin() const { return first; }
  const boost::asio::const_buffer* end() const { return last; }
};

}  // namespace

// One gather write: Beast's control bytes first, then queued frames, and the iovec over them.
struct Client::WriteBatch {
  std::string control;
  std::vector<OutFrame> frames;
  std::array<boost::asio::const_buffer, kMaxWriteBuffers> iov;
  std::size_t next = 0;         // first buffer not completely written
  std::size_t count = 0;        // buffers in use
  std::size_t first_frame = 0;  // iov index of frames[0]
};

Client::Client(ConnectionStream stream, PushShard& shard, const SessionOptions& options,
               std::string id, std::string remote, const auth::Authenticator& authenticator,
               auth::Identity identity)
    : ws_(static_cast<Gate::Listener&>(*this), std::move(stream)),
      shard_(shard),
      options_(options),
      id_(std::move(id)),
      remote_(std::move(remote)),
      authenticator_(authenticator),
      identity_(std::move(identity)),
      deadlines_(ClientDeadlines::Timeouts{.handshake = options.handshake_timeout,
                                           .write = options.write_timeout,
                                           .ping_interval = options.ping_interval,
                                           .client = options.client_timeout}),
      rate_limiter_(options.max_messages_per_second, Clock::now()),
      filter_(identity_.scope),  // an empty request narrowed by the scope is the scope
      queue_(options.queue),
      resume_(options.max_held_events),
      session_timer_(ws_.get_executor()) {
  set_expiry(identity_);
}

void Client::set_expiry(const auth::Identity& identity) {
  deadlines_.set_expiry(identity.expires_at
                            ? std::optional(*identity.expires_at + authenticator_.leeway())
                            : std::nullopt);
}

Client::~Client() = default;

void Client::start(Request request) {
  ws_.set_option(websocket::stream_base::timeout{options_.handshake_timeout,
                                                 websocket::stream_base::none(), false});
  // Beast decorates its response after negotiating, so the decorator sees the agreed extension.
  ws_.set_option(websocket::stream_base::decorator([this](websocket::response_type& res) {
    res.set(beast::http::field::server, "iiot-gateway");
    deflate_window_bits_ = negotiated_window_bits(res);
  }));
  ws_.read_message_max(options_.max_message_size);
  ws_.auto_fragment(false);
  ws_.write_buffer_bytes(std::max<std::size_t>(options_.write_buffer_size, 8));
  if (options_.enable_compression) ws_.set_option(deflate_options());
  // Invoked only inside our own reads, which run on this shard's thread.
  ws_.control_callback([this](websocket::frame_type, beast::string_view) {
    deadlines_.heard_from_client(Clock::now());
  });
  auto held = std::make_shared<Request>(std::move(request));
  ws_.async_accept(
      *held, [self = shared_from_this(), held](beast::error_code ec) { self->on_accept(ec); });
}

void Client::on_accept(beast::error_code ec) {
  if (ec) {
    spdlog::debug("websocket handshake from {} failed: {}", remote_, ec.message());
    finish();
    return;
  }
  open_ = true;
  deadlines_.opened(Clock::now());
  shard_.attach(shared_from_this());
  send_control(
      model::encode_welcome(id_, filter_, identity_.scope, std::chrono::system_clock::now()));
  wait_readable();
}

// Until the client sends its first message nothing is allocated for reading: Beast's read
// prepares a buffer and keeps its operation state as soon as it starts, so it starts only once
// the socket has bytes. From the first message on Beast's read loop runs without a break,
// because Beast may already hold the next frame's bytes, which no readiness would announce.
// Under TLS the readiness is the socket's too: a client sends nothing before the 101, so OpenSSL
// holds no unread record when the wait starts.
void Client::wait_readable() {
  socket().async_wait(Socket::wait_read, [self = shared_from_this()](beast::error_code ec) {
    if (ec) {
      if (!self->reading_) self->finish();
      return;
    }
    self->do_read();
  });
}

void Client::do_read() {
  reading_ = true;
  ws_.async_read(read_buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void Client::on_read(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec) {
    // Beast has already answered protocol errors with their close codes (1007 for invalid
    // UTF-8, 1009 for an oversized message); a peer's close is the normal end.
    if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted &&
        ec != boost::asio::error::eof) {
      spdlog::debug("client {} read ended: {}", id_, ec.message());
    }
    finish();
    return;
  }
  deadlines_.heard_from_client(Clock::now());
  if (!ws_.got_text()) {
    close({websocket::close_code::unknown_data, "binary frames are not supported"});
  } else if (!closing_) {
    handle_text(beast::buffers_to_string(read_buffer_.data()));
  }
  read_buffer_.consume(read_buffer_.size());
  read_buffer_.shrink_to_fit();
  do_read();
}

void Client::handle_text(std::string_view text) {
  const auto now = std::chrono::system_clock::now();
  switch (rate_limiter_.on_message(Clock::now())) {
    case MessageRateLimiter::Verdict::kAccept:
      break;
    case MessageRateLimiter::Verdict::kReject:
      send_control(model::encode_error(
          "rate_limited",
          "more than " + std::to_string(options_.max_messages_per_second) +
              " messages per second (websocket.max_client_messages_per_second); message ignored",
          now));
      return;
    case MessageRateLimiter::Verdict::kAbusive:
      spdlog::info("client {} ({}) kept sending more than {} messages per second; closing", id_,
                   remote_, MessageRateLimiter::kAbuseFactor * options_.max_messages_per_second);
      close({websocket::close_code::policy_error, "message rate exceeded"});
      return;
  }
  std::visit(
      [&](auto&& request) {
        using T = std::decay_t<decltype(request)>;
        if constexpr (std::is_same_v<T, model::PingRequest>) {
          send_control(model::encode_pong(now));
        } else if constexpr (std::is_same_v<T, model::FilterRequest>) {
          apply_filter(std::move(request.filter), now);
        } else if constexpr (std::is_same_v<T, model::RefreshRequest>) {
          refresh(request.token, now);
        } else if constexpr (std::is_same_v<T, model::ResumeRequest>) {
          start_resume(request.cursor);
        } else {
          send_control(model::encode_error(request.code, request.message, now));
        }
      },
      model::decode_client_frame(text));
}

void Client::apply_filter(model::Filter requested, std::chrono::system_clock::time_point now) {
  std::optional<model::Filter> effective = auth::narrow(requested, identity_.scope);
  if (!effective) {
    send_control(model::encode_error(
        "forbidden", "the filter asks only for what this token's scope excludes; filter unchanged",
        now));
    return;
  }
  requested_ = std::move(requested);
  filter_ = std::move(*effective);
  // A replay or snapshot for the old filter ends here; the new filter starts afresh.
  abandon_session();
  resume_.reset_snapshot();
  queue_.set_delivery(filter_.delivery);
  shard_.update_filter(*this);
  send_control(model::encode_filter_ack(filter_, now));
  if (filter_.snapshot) start_snapshot();
}

void Client::refresh(std::string_view token, std::chrono::system_clock::time_point now) {
  auth::AuthResult result = authenticator_.authenticate(token, now);
  if (const auto* failure = std::get_if<auth::AuthFailure>(&result)) {
    spdlog::debug("client {} ({}): refresh refused: {}", id_, remote_, failure->reason);
    send_control(model::encode_error(
        "invalid_token", "token refused; the connection ends when the current token expires", now));
    return;
  }
  auth::Identity& identity = std::get<auth::Identity>(result);
  if (identity.subject != identity_.subject) {
    spdlog::debug("client {} ({}): refresh refused: another subject", id_, remote_);
    send_control(model::encode_error(
        "invalid_token",
        "the new token is for another subject; the connection ends when the current token expires",
        now));
    return;
  }
  std::optional<model::Filter> effective = auth::narrow(requested_, identity.scope);
  if (!effective) {
    send_control(model::encode_error(
        "forbidden",
        "the new token's scope excludes everything the current filter asks for; token not taken",
        now));
    return;
  }
  identity_ = std::move(identity);
  set_expiry(identity_);
  send_control(model::encode_refresh_ack(identity_.expires_at, identity_.scope, now));
  if (*effective != filter_) {
    filter_ = std::move(*effective);
    shard_.update_filter(*this);
    send_control(model::encode_filter_ack(filter_, now));
  }
}

void Client::deliver(const PushEventPtr& event, ThreadFrames* frames) {
  if (!open_ || closing_) return;
  switch (resume_.on_live(event)) {
    case ClientResume::Verdict::kSend: {
      const model::SharedFrame& frame = frames != nullptr
                                            ? frames->for_window(deflate_window_bits_)
                                            : event->wire->for_window(deflate_window_bits_);
      if (event->is_checkpoint()) {
        shard_.stats().resume.checkpoints_sent.fetch_add(1, std::memory_order_relaxed);
        enqueue(frame, FrameClass::kControl);
      } else if (event->is_alert()) {
        enqueue(frame, FrameClass::kAlert, {}, event->kafka_timestamp);
      } else {
        enqueue(frame, FrameClass::kTelemetry, event->device_id, event->kafka_timestamp);
      }
      break;
    }
    case ClientResume::Verdict::kHold:
    case ClientResume::Verdict::kSkip:
      break;
    case ClientResume::Verdict::kOverflow:
      // Holding more would take unbounded memory: the client may resume again later.
      shard_.stats().push.slow_disconnects.fetch_add(1, std::memory_order_relaxed);
      spdlog::info("client {} ({}): too many live events held during a replay; closing with 4000",
                   id_, remote_);
      close({websocket::close_code{4000}, "slow consumer"});
      break;
  }
}

void Client::start_snapshot() {
  ReplayService* service = shard_.replay_service();
  if (service == nullptr) return;
  start_session(service->start_snapshot(filter_, shard_.live_position(), deflate_window_bits_));
}

void Client::start_resume(const std::string& cursor) {
  const auto now = std::chrono::system_clock::now();
  ReplayService* service = shard_.replay_service();
  if (service == nullptr) {
    send_control(model::encode_error("invalid_cursor", "resume is not available", now));
    return;
  }
  auto decoded = service->decode_cursor(cursor);
  if (!decoded) {
    send_control(model::encode_error("invalid_cursor", decoded.error(), now));
    return;
  }
  if (resume_.busy()) {
    send_control(model::encode_error(
        "resume_in_progress", "a snapshot or replay is under way; resume after it ends", now));
    return;
  }
  // Live events are held from here on: the replay runs up to this shard's position now.
  start_session(service->start_resume(std::move(decoded).value(), shard_.live_position(), filter_,
                                      deflate_window_bits_));
}

void Client::start_session(std::shared_ptr<ReplaySession> session) {
  resume_.begin(std::move(session), Clock::now());
  session_sent_ = 0;
  pump_session();
}

void Client::pump_session() {
  ReplaySession* session = resume_.session();
  if (session == nullptr || closing_) return;
  ReplayService* service = shard_.replay_service();
  // Replayed frames fill at most half the client's queue, so the overflow policy never has to
  // drop one, and at most max_replay_rate per second go out.
  const std::size_t limit = std::max<std::size_t>(options_.queue.max_frames / 2, 1);
  const std::size_t room = queue_.size() < limit ? limit - queue_.size() : 0;
  const std::size_t allowed =
      room == 0 ? 0
                : std::min(room, resume_.budget(Clock::now(), service->config().max_replay_rate));
  if (allowed > 0) {
    std::vector<ReplayFrame> frames;
    session->take(allowed, frames);
    resume_.spend(frames.size());
    for (const ReplayFrame& frame : frames) {
      // The job selected with the filter of its start; a refresh may have narrowed it since.
      if (!frame.event->matches(filter_)) continue;
      ++session_sent_;
      enqueue(frame.frame, frame.cls,
              frame.cls == FrameClass::kTelemetry ? frame.event->device_id : std::string_view{});
    }
  }
  if (session->done()) {
    end_session();
    return;
  }
  session_timer_.expires_after(std::chrono::milliseconds(5));
  session_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (!ec) self->pump_session();
  });
}

void Client::end_session() {
  ReplaySession* session = resume_.session();
  const auto now = std::chrono::system_clock::now();
  const ReplayOutcome& outcome = session->outcome();
  if (session->purpose() == ReplaySession::Purpose::kResume) {
    send_control(model::encode_resume_ack(outcome.recovered, session_sent_, now));
  } else {
    send_control(model::encode_snapshot_end(session_sent_, outcome.covered, now));
  }
  for (const PushEventPtr& event : resume_.end()) {
    // Held under the filter of their fan-out; a refresh may have narrowed it since.
    if (event->is_checkpoint() ? filter_.resume : event->matches(filter_)) deliver(event);
  }
}

void Client::abandon_session() {
  ReplaySession* session = resume_.session();
  if (session == nullptr) return;
  session_timer_.cancel();
  if (session->purpose() == ReplaySession::Purpose::kResume) {
    send_control(model::encode_resume_ack(false, session_sent_, std::chrono::system_clock::now()));
  }
  resume_.cancel();
}

void Client::send_control(const std::string& frame) {
  enqueue(make_text_frame(frame), FrameClass::kControl);
}

void Client::enqueue(const model::SharedFrame& frame, FrameClass cls, std::string_view device_id,
                     std::chrono::system_clock::time_point kafka_timestamp) {
  if (!open_ || closing_) return;
  bool draining = true;
  if (queue_.at_frame_limit() && write_in_flight_) {
    draining = deadlines_.draining(shard_.now(), write_in_flight_);
  }
  const EnqueueOutcome outcome =
      queue_.push(OutFrame{frame, cls, kafka_timestamp}, draining, device_id);
  if (outcome.conflated > 0 || outcome.dropped > 0) {
    // Only this client's figures are written here; the shard adds up the gateway's.
    if (outcome.conflated > 0) conflated_.fetch_add(outcome.conflated, std::memory_order_relaxed);
    if (outcome.dropped > 0) dropped_.fetch_add(outcome.dropped, std::memory_order_relaxed);
    shard_.count_policy_outcome(outcome.dropped, outcome.conflated);
  }
  if (outcome.disconnect) {
    shard_.stats().push.slow_disconnects.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("client {} ({}) is too slow: closing with 4000", id_, remote_);
    close({websocket::close_code{4000}, "slow consumer"});
    return;
  }
  queue_depth_.store(queue_.size(), std::memory_order_relaxed);
  queue_bytes_.store(queue_.bytes(), std::memory_order_relaxed);
  request_flush();
}

void Client::request_flush() {
  // A write in flight takes the queue when it completes.
  if (flush_requested_ || write_in_flight_ || finished_) return;
  flush_requested_ = true;
  shard_.request_flush(shared_from_this());
}

void Client::flush() {
  flush_requested_ = false;
  do_write();
}

// Beast has handed the gate a control frame (or the 101 response): it goes out now, ahead of
// queued data, or right after the write in flight.
void Client::control_output_ready() {
  do_write();
}

// The lingering teardown waits for the client's FIN; sweep() closes the socket if it has not come
// within the handshake timeout, counted from here.
void Client::teardown_started() {
  closing_ = true;
  deadlines_.closing_started(Clock::now());
}

void Client::do_write() {
  if (write_in_flight_ || finished_) return;
  Gate& gate = ws_.next_layer();
  // After Beast has sent or started a close (ours, the peer's, or a protocol error it answered),
  // no data frame may follow.
  const bool data = open_ && !closing_ && ws_.is_open() && !queue_.empty();
  if (!gate.has_control() && !data) {
    gate.writer_idle();
    return;
  }
  if (!batch_) batch_ = std::make_unique<WriteBatch>();
  WriteBatch& batch = *batch_;
  batch.count = 0;
  batch.next = 0;
  gate.take_control(batch.control);
  if (!batch.control.empty()) batch.iov[batch.count++] = boost::asio::buffer(batch.control);
  batch.first_frame = batch.count;
  if (data) {
    queue_.take(WriteBudget{kMaxWriteBuffers - batch.count, kWriteBudget.bytes}, batch.frames);
    const auto now = std::chrono::system_clock::now();
    for (const OutFrame& frame : batch.frames) {
      batch.iov[batch.count++] = boost::asio::buffer(*frame.data);
      if (frame.kafka_timestamp != std::chrono::system_clock::time_point{}) {
        shard_.stats().kafka_to_client_latency.record(now - frame.kafka_timestamp);
      }
    }
  }
  write_in_flight_ = true;
  gate.set_writer_busy(true);
  deadlines_.write_progressed(Clock::now());
  write_some();
}

void Client::write_some() {
  const WriteBatch& batch = *batch_;
  // Plain: one writev of the batch. TLS: the ssl_stream takes a prefix of up to 16 KiB as one
  // record; the rest leaves with the next write_some, as after any partial write.
  stream().async_write_some(
      BufferRange{batch.iov.data() + batch.next, batch.iov.data() + batch.count},
      [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_write(ec, n); });
}

void Client::on_write(beast::error_code ec, std::size_t bytes) {
  WriteBatch& batch = *batch_;
  Gate& gate = ws_.next_layer();
  if (ec) {
    write_in_flight_ = false;
    batch.frames.clear();
    batch.control.clear();
    gate.set_error(ec);
    gate.set_writer_busy(false);
    fail(ec, "write");
    gate.writer_idle();  // a teardown waiting for the writer proceeds (and fails) now
    return;
  }
  deadlines_.write_progressed(Clock::now());
  std::uint64_t frames_done = 0;
  std::uint64_t bytes_done = 0;
  while (bytes > 0 && batch.next < batch.count) {
    auto& buffer = batch.iov[batch.next];
    if (bytes < buffer.size()) {
      buffer += bytes;  // the rest of this buffer leaves with the next write_some
      break;
    }
    bytes -= buffer.size();
    if (batch.next >= batch.first_frame) {
      ++frames_done;
      bytes_done += batch.frames[batch.next - batch.first_frame].data->size();
    }
    ++batch.next;
  }
  if (frames_done > 0) {
    sent_.fetch_add(frames_done, std::memory_order_relaxed);
    auto& counters = shard_.stats().push;
    counters.frames_sent.fetch_add(frames_done, std::memory_order_relaxed);
    counters.bytes_sent.fetch_add(bytes_done, std::memory_order_relaxed);
  }
  if (batch.next < batch.count) {
    write_some();
    return;
  }
  batch.frames.clear();
  batch.control.clear();
  write_in_flight_ = false;
  gate.set_writer_busy(false);
  queue_depth_.store(queue_.size(), std::memory_order_relaxed);
  queue_bytes_.store(queue_.bytes(), std::memory_order_relaxed);
  do_write();
}

void Client::close(const websocket::close_reason& reason) {
  if (closing_ || finished_) return;
  closing_ = true;
  deadlines_.closing_started(Clock::now());  // the closing handshake is timed from here
  resume_.cancel();
  session_timer_.cancel();
  queue_.clear();
  queue_depth_.store(0, std::memory_order_relaxed);
  queue_bytes_.store(0, std::memory_order_relaxed);
  if (!open_) {
    finish();
    return;
  }
  // The read loop stays running: it ends with error::closed when the peer answers.
  // Ends the session when the closing handshake is over, whether or not Beast's read loop was
  // running to see the peer's close.
  ws_.async_close(reason, [self = shared_from_this()](beast::error_code ec) {
    if (ec) self->fail(ec, "close");
    self->finish();
  });
}

void Client::sweep(Clock::time_point now) {
  if (!open_ || finished_) return;
  switch (deadlines_.check(now, std::chrono::system_clock::now(), write_in_flight_)) {
    case ClientDeadlines::Action::kAbort: {
      if (!closing_) {
        spdlog::info("client {} ({}): a write blocked for more than {} ms; closing", id_, remote_,
                     options_.write_timeout.count());
      }
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).close(ignored);
      return;
    }
    case ClientDeadlines::Action::kCloseTokenExpired:
      spdlog::info("client {} ({}): token expired; closing with 4001", id_, remote_);
      close({websocket::close_code{4001}, "token expired"});
      return;
    case ClientDeadlines::Action::kCloseIdle:
      spdlog::info("client {} ({}): nothing received for {} ms; closing", id_, remote_,
                   options_.client_timeout.count());
      close({websocket::close_code::policy_error, "client timeout"});
      return;
    case ClientDeadlines::Action::kPing:
      deadlines_.ping_sent(now);
      ws_.async_ping(
          {}, [self = shared_from_this()](beast::error_code) { self->deadlines_.ping_done(); });
      break;
    case ClientDeadlines::Action::kNone:
      break;
  }
  if (closing_) return;
  if (!write_in_flight_ && queue_.empty()) {
    batch_.reset();
    queue_.release_memory();
  }
}

void Client::fail(beast::error_code ec, const char* what) {
  if (ec != boost::asio::error::operation_aborted && ec != websocket::error::closed) {
    spdlog::debug("client {} {} failed: {}", id_, what, ec.message());
  }
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).close(ignored);
}

void Client::finish() {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  resume_.cancel();
  session_timer_.cancel();
  queue_.clear();
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).close(ignored);
  shard_.detach(*this, open_);
}

ClientInfo Client::info() const {
  ClientInfo info;
  info.id = id_;
  info.remote = remote_;
  info.queue_depth = queue_depth_.load(std::memory_order_relaxed);
  info.queue_bytes = queue_bytes_.load(std::memory_order_relaxed);
  info.sent = sent_.load(std::memory_order_relaxed);
  info.dropped = dropped_.load(std::memory_order_relaxed);
  info.conflated = conflated_.load(std::memory_order_relaxed);
  return info;
}

}  // namespace iiot::push

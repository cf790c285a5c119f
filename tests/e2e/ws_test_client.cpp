#include "ws_test_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/parse.hpp>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <thread>

#include "test_records.h"

namespace iiot::e2e {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using net::ip::tcp;

namespace {

constexpr auto kIoTimeout = std::chrono::seconds(15);

std::string type_of(const std::string& text) {
  boost::json::error_code ec;
  const boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return "";
  const boost::json::value* type = v.as_object().if_contains("type");
  return type != nullptr && type->is_string() ? std::string(type->as_string()) : "";
}

// For a client that does not keep its events: an event frame as the gateway writes it (its
// "type" first) is typed without a parse; anything else is parsed.
std::string quick_type_of(const std::string& text) {
  if (text.starts_with(R"({"type":"device_data",)")) return "device_data";
  if (text.starts_with(R"({"type":"alert",)")) return "alert";
  return type_of(text);
}

bool is_event(const ReceivedFrame& f) {
  return f.type == "device_data" || f.type == "alert";
}

}  // namespace

struct WsTestClient::Impl {
  net::io_context io;
  net::executor_work_guard<net::io_context::executor_type> work{io.get_executor()};
  websocket::stream<beast::tcp_stream> ws{io};
  net::steady_timer delay_timer{io};
  beast::flat_buffer buffer;
  std::thread thread;

  bool keep_events = true;  // set before the io thread starts

  // io thread only
  bool paused = false;
  bool read_scheduled = false;  // a read, or the delay before one, is pending
  std::chrono::milliseconds read_delay{0};

  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<ReceivedFrame> frames;  // guarded by mutex
  std::size_t events = 0;             // guarded by mutex
  std::atomic<std::size_t> pings{0};
  std::optional<CloseInfo> closed;  // guarded by mutex

  template <typename F>
  auto run_on_io(F&& f) {
    using R = decltype(f());
    auto task = std::make_shared<std::packaged_task<R()>>(std::forward<F>(f));
    auto result = task->get_future();
    net::post(io, [task] { (*task)(); });
    if (result.wait_for(kIoTimeout) != std::future_status::ready) {
      throw std::runtime_error("WsTestClient: the io thread did not answer");
    }
    return result.get();
  }

  void schedule_read() {
    if (paused || read_scheduled || ended()) return;
    read_scheduled = true;
    if (read_delay.count() > 0) {
      delay_timer.expires_after(read_delay);
      delay_timer.async_wait([this](beast::error_code ec) {
        if (ec) {
          read_scheduled = false;
          return;
        }
        start_read();
      });
    } else {
      start_read();
    }
  }

  void start_read() {
    ws.async_read(buffer, [this](beast::error_code ec, std::size_t) { on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    read_scheduled = false;
    if (ec) {
      CloseInfo info;
      if (ec == websocket::error::closed) {
        info.code = static_cast<int>(ws.reason().code);
        info.reason.assign(ws.reason().reason.data(), ws.reason().reason.size());
      } else {
        info.error = ec.message();
      }
      {
        std::lock_guard lock(mutex);
        closed = std::move(info);
      }
      changed.notify_all();
      return;
    }
    ReceivedFrame frame;
    frame.binary = !ws.got_text();
    frame.text = beast::buffers_to_string(buffer.data());
    buffer.consume(buffer.size());
    if (!frame.binary) frame.type = keep_events ? type_of(frame.text) : quick_type_of(frame.text);
    {
      std::lock_guard lock(mutex);
      const bool event = is_event(frame);
      if (event) ++events;
      if (keep_events || !event) frames.push_back(std::move(frame));
    }
    changed.notify_all();
    schedule_read();
  }

  // Closes the socket and stops the io thread. Beast may keep a timer of its own pending after a
  // failed handshake, so the thread is stopped rather than left to run out of work.
  void stop() {
    std::promise<void> closed_socket;
    net::post(io, [this, &closed_socket] {
      delay_timer.cancel();
      beast::error_code ignored;
      beast::get_lowest_layer(ws).socket().shutdown(tcp::socket::shutdown_both, ignored);
      beast::get_lowest_layer(ws).socket().close(ignored);
      closed_socket.set_value();
    });
    closed_socket.get_future().wait_for(kIoTimeout);
    work.reset();
    io.stop();
    thread.join();
  }

  bool ended() const {
    std::lock_guard lock(mutex);
    return closed.has_value();
  }

  void send(std::string data, bool binary) {
    auto payload = std::make_shared<std::string>(std::move(data));
    auto done = std::make_shared<std::promise<beast::error_code>>();
    auto result = done->get_future();
    net::post(io, [this, payload, done, binary] {
      ws.binary(binary);
      ws.async_write(net::buffer(*payload),
                     [payload, done](beast::error_code ec, std::size_t) { done->set_value(ec); });
    });
    if (result.wait_for(kIoTimeout) != std::future_status::ready) {
      throw std::runtime_error("WsTestClient: a write did not complete");
    }
    if (const auto ec = result.get())
      throw std::runtime_error("WsTestClient write: " + ec.message());
  }
};

WsTestClient::WsTestClient(unsigned short port, const WsClientOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& im = *impl_;
  im.keep_events = options.keep_events;
  im.thread = std::thread([&im] { im.io.run(); });

  struct Outcome {
    beast::error_code ec;
    int status = 0;
  };
  auto done = std::make_shared<std::promise<Outcome>>();
  auto outcome = done->get_future();
  auto response = std::make_shared<websocket::response_type>();
  net::post(im.io, [&im, port, options, done, response] {
    auto& stream = beast::get_lowest_layer(im.ws);
    beast::error_code ec;
    stream.socket().open(tcp::v4(), ec);
    if (!ec && options.receive_buffer_bytes > 0) {
      stream.socket().set_option(
          net::socket_base::receive_buffer_size(options.receive_buffer_bytes), ec);
    }
    if (ec) {
      done->set_value({ec, 0});
      return;
    }
    if (options.compression) {
      websocket::permessage_deflate pmd;
      pmd.client_enable = true;
      im.ws.set_option(pmd);
    }
    im.ws.read_message_max(std::size_t{64} * 1024 * 1024);
    // Runs inside our reads, which also answer the ping with a pong.
    im.ws.control_callback([&im](websocket::frame_type kind, beast::string_view) {
      if (kind == websocket::frame_type::ping) im.pings.fetch_add(1);
    });
    im.ws.set_option(websocket::stream_base::decorator(
        [origin = options.origin, bearer = options.bearer](websocket::request_type& req) {
          req.set(beast::http::field::user_agent, "iiot-e2e-test");
          if (origin) req.set(beast::http::field::origin, *origin);
          if (bearer) req.set(beast::http::field::authorization, "Bearer " + *bearer);
        }));
    stream.expires_after(std::chrono::seconds(10));
    const tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
    stream.async_connect(
        endpoint, [&im, port, path = options.path, done, response](beast::error_code cec) {
          if (cec) {
            done->set_value({cec, 0});
            return;
          }
          beast::get_lowest_layer(im.ws).expires_never();
          im.ws.set_option(websocket::stream_base::timeout{std::chrono::seconds(10),
                                                           websocket::stream_base::none(), false});
          im.ws.async_handshake(*response, "127.0.0.1:" + std::to_string(port), path,
                                [&im, done, response](beast::error_code hec) {
                                  done->set_value({hec, static_cast<int>(response->result_int())});
                                  if (!hec) im.schedule_read();
                                });
        });
  });

  std::string failure;
  int status = 0;
  if (outcome.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    failure = "WebSocket handshake did not complete";
  } else {
    const Outcome o = outcome.get();
    if (o.ec) {
      failure = "WebSocket handshake failed: " + o.ec.message() +
                (o.status != 0 ? " (HTTP " + std::to_string(o.status) + ")" : "");
      status = o.status;
    }
  }
  if (!failure.empty()) {
    im.stop();
    throw HandshakeError(failure, status);
  }
}

WsTestClient::~WsTestClient() {
  try {
    impl_->stop();
  } catch (const std::exception& e) {  // joining the io thread failed: nothing left to undo
    std::fprintf(stderr, "WsTestClient: stopping: %s\n", e.what());
  }
}

void WsTestClient::send_text(std::string_view text) {
  impl_->send(std::string(text), false);
}

void WsTestClient::send_binary(std::string_view data) {
  impl_->send(std::string(data), true);
}

void WsTestClient::send_raw(std::string_view bytes) {
  auto payload = std::make_shared<std::string>(bytes);
  auto done = std::make_shared<std::promise<beast::error_code>>();
  auto result = done->get_future();
  net::post(impl_->io, [this, payload, done] {
    net::async_write(beast::get_lowest_layer(impl_->ws).socket(), net::buffer(*payload),
                     [payload, done](beast::error_code ec, std::size_t) { done->set_value(ec); });
  });
  if (result.wait_for(kIoTimeout) != std::future_status::ready) {
    throw std::runtime_error("WsTestClient: a raw write did not complete");
  }
  if (const auto ec = result.get()) throw std::runtime_error("WsTestClient write: " + ec.message());
}

std::vector<ReceivedFrame> WsTestClient::frames() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->frames;
}

std::size_t WsTestClient::frame_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->frames.size();
}

bool WsTestClient::wait_until(
    const std::function<bool(const std::vector<ReceivedFrame>&)>& predicate,
    std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] {
    return predicate(impl_->frames) || impl_->closed.has_value();
  }) && predicate(impl_->frames);
}

std::optional<boost::json::object> WsTestClient::next_of_type(std::string_view type,
                                                              std::size_t& cursor,
                                                              std::chrono::milliseconds timeout) {
  std::optional<std::size_t> found;
  wait_until(
      [&](const std::vector<ReceivedFrame>& frames) {
        for (std::size_t i = cursor; i < frames.size(); ++i) {
          if (frames[i].type == type) {
            found = i;
            return true;
          }
        }
        return false;
      },
      timeout);
  if (!found) return std::nullopt;
  cursor = *found + 1;
  std::lock_guard lock(impl_->mutex);
  return parse_frame(impl_->frames[*found].text);
}

boost::json::object WsTestClient::request(std::string_view text, std::string_view reply_type) {
  std::size_t cursor = frame_count();
  send_text(text);
  auto reply = next_of_type(reply_type, cursor);
  if (!reply) {
    throw std::runtime_error("no " + std::string(reply_type) + " reply to " + std::string(text));
  }
  return std::move(*reply);
}

std::string WsTestClient::client_id() {
  std::size_t cursor = 0;
  auto welcome = next_of_type("welcome", cursor);
  if (!welcome) throw std::runtime_error("no welcome frame");
  return std::string(welcome->at("data").at("client_id").as_string());
}

std::size_t WsTestClient::event_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->events;
}

std::vector<std::string> WsTestClient::event_keys() const {
  std::vector<std::string> keys;
  for (const ReceivedFrame& f : frames()) {
    if (!is_event(f)) continue;
    if (auto key = event_key(parse_frame(f.text))) keys.push_back(std::move(*key));
  }
  return keys;
}

std::vector<std::string> WsTestClient::event_texts() const {
  std::vector<std::string> texts;
  for (ReceivedFrame& f : frames()) {
    if (is_event(f)) texts.push_back(std::move(f.text));
  }
  return texts;
}

bool WsTestClient::wait_for_events(std::size_t count, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] {
    return impl_->events >= count || impl_->closed.has_value();
  }) && impl_->events >= count;
}

void WsTestClient::pause() {
  impl_->run_on_io([this] { impl_->paused = true; });
}

void WsTestClient::resume() {
  impl_->run_on_io([this] {
    impl_->paused = false;
    impl_->schedule_read();
  });
}

void WsTestClient::set_read_delay(std::chrono::milliseconds delay) {
  impl_->run_on_io([this, delay] { impl_->read_delay = delay; });
}

std::size_t WsTestClient::pings_received() const {
  return impl_->pings.load();
}

bool WsTestClient::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] { return impl_->closed.has_value(); });
}

std::optional<CloseInfo> WsTestClient::close_info() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->closed;
}

int WsTestClient::wait_close_code(std::chrono::milliseconds timeout) {
  if (!wait_closed(timeout)) return -1;
  const CloseInfo info = *close_info();
  if (info.code == 0) ADD_FAILURE() << "ended without a close frame: " << info.error;
  return info.code;
}

void WsTestClient::close() {
  net::post(impl_->io, [this] {
    impl_->ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
  });
  resume();  // the close handshake completes through the read loop
  wait_closed(10s);
}

}  // namespace iiot::e2e

// WsTestClient: a WebSocket client of the gateway for tests, built on Boost.Beast. It connects
// and completes the handshake in its constructor, then a background thread reads every frame into
// a list that the test inspects and waits on (every wait has a timeout, so a test never hangs).
// The reading can be paused (the socket then fills up: a slow consumer), slowed down, or resumed.
// Thread-safety: every public member may be called from any thread; sends are serialised by the
// caller (one at a time).
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace iiot::e2e {

using namespace std::chrono_literals;

struct WsClientOptions {
  std::string path = "/ws";
  std::optional<std::string> origin = {};  // Origin header, absent by default
  int receive_buffer_bytes = 0;            // SO_RCVBUF set before connecting; 0 keeps the default
  bool compression = false;                // offer permessage-deflate
  std::optional<std::string> bearer = {};  // sent as "Authorization: Bearer <bearer>"
  // false: event frames are counted (event_count) but not kept, for a client that receives
  // hundreds of thousands of them and is asked only how many (frames() then holds the others).
  bool keep_events = true;
};

// A received frame: its text, and its "type" when it is a JSON object with one.
struct ReceivedFrame {
  std::string text;
  std::string type;  // "" if absent or not JSON
  bool binary = false;
};

// How the connection ended.
struct CloseInfo {
  int code = 0;        // the close code received from the server; 0 if none (see error)
  std::string reason;  // the close reason received
  std::string error;   // the read error when the connection ended without a close frame
};

// Thrown by the constructor when the handshake fails; status is the HTTP answer (0 if none).
class HandshakeError : public std::runtime_error {
 public:
  HandshakeError(const std::string& what, int http_status)
      : std::runtime_error(what), status(http_status) {}
  int status;
};

class WsTestClient {
 public:
  explicit WsTestClient(unsigned short port, const WsClientOptions& options = {});
  ~WsTestClient();
  WsTestClient(const WsTestClient&) = delete;
  WsTestClient& operator=(const WsTestClient&) = delete;

  // Sends one frame and waits until it is written (throws std::runtime_error on error/timeout).
  void send_text(std::string_view text);
  void send_binary(std::string_view data);
  // Writes bytes to the socket as they are, bypassing Beast's framing (a test's pre-framed,
  // possibly malformed frame); waits until they are written.
  void send_raw(std::string_view bytes);

  std::vector<ReceivedFrame> frames() const;
  std::size_t frame_count() const;

  // Waits until predicate(frames so far) holds; false after timeout (or once the connection has
  // ended without it holding). The predicate runs under the client's lock: it must not call the
  // client.
  bool wait_until(const std::function<bool(const std::vector<ReceivedFrame>&)>& predicate,
                  std::chrono::milliseconds timeout);
  // Waits for the first frame of `type` at index >= cursor; moves cursor past it.
  std::optional<boost::json::object> next_of_type(std::string_view type, std::size_t& cursor,
                                                  std::chrono::milliseconds timeout = 10s);
  // Sends text and waits for the next frame of reply_type (throws if none arrives).
  boost::json::object request(std::string_view text, std::string_view reply_type);
  // The client_id of the welcome frame (waits for it; throws if none arrives).
  std::string client_id();

  // Event frames (device_data, alert) received so far: their count, and their keys (see
  // test_records.h) in arrival order.
  std::size_t event_count() const;
  std::vector<std::string> event_keys() const;
  // The text of every event frame, in arrival order.
  std::vector<std::string> event_texts() const;
  bool wait_for_events(std::size_t count, std::chrono::milliseconds timeout);

  // Stops reading (a read already in progress still delivers its frame), resumes it, or waits
  // delay after each frame before reading the next (from the next frame on).
  void pause();
  void resume();
  void set_read_delay(std::chrono::milliseconds delay);

  // WebSocket pings received from the server so far (each is answered with a pong while the
  // client reads).
  std::size_t pings_received() const;

  // Waits until the connection has ended; then close_info() tells how.
  bool wait_closed(std::chrono::milliseconds timeout);
  std::optional<CloseInfo> close_info() const;
  // Waits until the connection has ended and returns the close code the server sent: 0 if it
  // ended without a close frame (also a test failure, naming why), -1 if it has not ended within
  // timeout.
  int wait_close_code(std::chrono::milliseconds timeout);

  // Starts a normal close (1000) and waits for the connection to end.
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iiot::e2e

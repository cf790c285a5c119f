// The client's protocol logic over successive Sessions: after each welcome it sends the user's
// filter and holds events back until filter_ack; it prints and counts frames, measures latency,
// reconnects with Backoff after a disconnect (or stops under --no-reconnect), and ends the run
// on --count, --duration, SIGINT or SIGTERM with a 1000 close.
//
// Owned by main, which runs the io_context on one thread; every member runs on that thread. The
// printer, summary and log are main's and must outlive this object. io_context::run() returns
// once the run has ended; exit_code() then tells how (see --help).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "text_formats/rfc3339_parser.h"
#include "websocket_client/backoff.h"
#include "websocket_client/client_options.h"
#include "websocket_client/frame_printer.h"
#include "websocket_client/run_summary.h"
#include "websocket_client/session.h"
#include "websocket_client/status_log.h"

namespace iiot::ws_client {

enum class ExitCode : int {
  kOk = 0,
  kConnectionFailed = 1,  // also: stdout broke
  kUsage = 2,
  kFilterRejected = 3,
};

class ReconnectingClient : public SessionHandler {
 public:
  // tls: the context for wss:// (null for ws://); outlives the client.
  ReconnectingClient(boost::asio::io_context& io, const ClientOptions& options,
                     FramePrinter& printer, RunSummary& summary, StatusLog& log,
                     boost::asio::ssl::context* tls = nullptr);

  // Connects and arms the signal and --duration handlers.
  void start();
  int exit_code() const { return static_cast<int>(exit_code_); }

  void on_open(const SessionOpened& opened) override;
  void on_frame(std::string_view text, FrameKind kind) override;
  void on_end(const SessionEnd& end) override;

 private:
  void connect();
  void wait_for_signal();
  void send_filter();
  // --resume: remembers checkpoints; false for an event whose position was seen already.
  void note_cursor(const boost::json::object& frame);
  bool first_sight(const boost::json::object& event);
  void handle_event(ReceivedFrame& frame);
  // Prints the frame; a broken stdout ends the run.
  bool emit(const ReceivedFrame& frame);
  // Ends the run: closes the connection with 1000 (if any) and cancels every wait.
  void stop(ExitCode code);
  void finish();

  boost::asio::io_context& io_;
  const ClientOptions& options_;
  FramePrinter& printer_;
  RunSummary& summary_;
  StatusLog& log_;
  boost::asio::ssl::context* tls_;
  Backoff backoff_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer duration_timer_;
  boost::asio::steady_timer reconnect_timer_;
  std::shared_ptr<Session> session_;
  std::string filter_frame_;         // serialised once; empty when no filter flag was given
  std::string resume_filter_frame_;  // the filter without the snapshot, for resuming connections
  std::string cursor_;               // --resume: the last checkpoint (or snapshot_end) cursor
  // --resume: per partition, the last event seen: the record's offset and, for an event derived
  // from it (a rule's alert, "pos" ending in "/<n>"), n.
  std::map<std::string, std::pair<std::int64_t, std::uint32_t>> last_seen_;
  std::uint64_t duplicates_ = 0;
  text_formats::Rfc3339Parser timestamp_parser_;  // --latency: events' timestamps
  bool awaiting_resume_ack_ = false;  // resume sent on this connection, resume_ack not yet in
  bool stopping_ = false;
  bool finished_ = false;
  bool welcomed_ = false;      // this connection's first frame has been seen
  bool awaiting_ack_ = false;  // filter sent on this connection, filter_ack not yet received
  ExitCode exit_code_ = ExitCode::kOk;
};

}  // namespace iiot::ws_client

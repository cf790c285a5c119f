// LoadConnection: one benchmark WebSocket connection, run entirely on its LoadWorker's thread and
// owned by the worker. Implemented by BeastConnection and TlsBeastConnection (Boost.Beast: the
// handshake, the framing, pings and the closing handshake are the library's).
//
// Set-up by mode: fast/rate send the filter and are ready at its filter_ack; stall sends the
// filter and never reads again; idle is ready after the handshake and does nothing else. A failed
// set-up (refused, 503, reset) is retried a few times with a growing pause.
#pragma once

#include <memory>

namespace iiot::bench {

class LoadConnection {
 public:
  virtual ~LoadConnection() = default;
  virtual void start() = 0;
};

}  // namespace iiot::bench

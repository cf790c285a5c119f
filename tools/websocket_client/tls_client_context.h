// The client side of wss://: an OpenSSL context that verifies the gateway's certificate against
// --ca-file (else the system's default CA paths), requires TLS 1.2 or later and, with --cert and
// --key, presents a client certificate (mutual TLS). Built once in main; every Session (one per
// reconnect) makes its TLS state from it.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "websocket_client/client_options.h"

namespace iiot::ws_client {

// Null for a ws:// address. Throws UsageError naming the flag and the file that cannot be used.
std::unique_ptr<boost::asio::ssl::context> make_tls_client_context(const ClientOptions& options);

}  // namespace iiot::ws_client

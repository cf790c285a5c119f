// TlsContext: websocket.tls loaded into one OpenSSL server context (CONTRACT section 7): the
// certificate chain, its private key, the minimum protocol version and, with client_ca_file, the
// CAs whose certificates clients must present (mutual TLS).
//
// Built once at start (and by `consumer --check-config`); every file is read and judged then, so
// a bad certificate, key, key/certificate mismatch or CA file stops the start with a ConfigError
// naming the key and the file. Immutable afterwards: the push threads create their connections'
// TLS state from it concurrently (OpenSSL allows that on a shared context).
#pragma once

#include <memory>

#include "config/config.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace iiot::push {

class TlsContext {
 public:
  // Throws config::ConfigError.
  explicit TlsContext(const config::TlsConfig& config);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  boost::asio::ssl::context& context() const { return *context_; }
  // Clients must present a certificate signed by client_ca_file.
  bool verifies_clients() const { return verifies_clients_; }

 private:
  std::unique_ptr<boost::asio::ssl::context> context_;
  bool verifies_clients_ = false;
};

}  // namespace iiot::push

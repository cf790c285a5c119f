// TLS side of the end-to-end tests: a throwaway PKI made with the `openssl` command, and Beast
// clients for https:// and wss:// that verify the gateway's certificate (name "localhost") and
// may present a client certificate. Every call is bounded by a timeout, so a test never hangs.
// Each object is used by one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "http_probe.h"

namespace iiot::e2e {

// In a fresh temporary directory (removed on destruction): a CA, a server certificate for
// localhost and 127.0.0.1 signed by it, a client certificate signed by it, a second CA with a
// client certificate of its own, and a stray key that matches no certificate. All EC P-256, PEM.
// Throws std::runtime_error when openssl fails.
class TestPki {
 public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string ca_cert() const { return path("ca.pem"); }
  std::string server_cert() const { return path("server.pem"); }
  std::string server_key() const { return path("server.key"); }
  std::string client_cert() const { return path("client.pem"); }
  std::string client_key() const { return path("client.key"); }
  std::string other_ca_cert() const { return path("other-ca.pem"); }
  std::string other_client_cert() const { return path("other-client.pem"); }
  std::string other_client_key() const { return path("other-client.key"); }
  std::string stray_key() const { return path("stray.key"); }

 private:
  std::string dir_;
};

struct TlsClientFiles {
  std::string ca_file = {};    // trust anchors for the gateway's certificate
  std::string cert_file = {};  // client certificate; empty: none is presented
  std::string key_file = {};
  bool tls12_only = false;  // offer TLS 1.2 and nothing newer
};

// GET https://localhost:<port><target> (connecting to 127.0.0.1); status 0 and error set when the
// TLS handshake or the exchange fails.
HttpResponse https_get(unsigned short port, const std::string& target, const TlsClientFiles& files,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A wss:// client: the constructor connects, completes the TLS and WebSocket handshakes, and
// throws std::runtime_error (saying at which step and why) when either fails.
class WssTestClient {
 public:
  WssTestClient(unsigned short port, const TlsClientFiles& files, const std::string& path = "/ws");
  ~WssTestClient();
  WssTestClient(const WssTestClient&) = delete;
  WssTestClient& operator=(const WssTestClient&) = delete;

  // The next text frame; nullopt once the timeout passed or the connection ended (the connection
  // is unusable afterwards).
  std::optional<std::string> next_text(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iiot::e2e

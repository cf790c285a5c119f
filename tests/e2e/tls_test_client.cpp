#include "tls_test_client.h"

#include <openssl/ssl.h>
#include <stdlib.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace iiot::e2e {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
namespace websocket = beast::websocket;
namespace fs = std::filesystem;

namespace {

constexpr const char* kServerName = "localhost";

// Shell text for the commands that make the PKI; run in the PKI's directory.
constexpr const char* kMakePki = R"(set -e
new_ca() {  # name subject
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=$2" -keyout "$1.key" -out "$1.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}
new_leaf() {  # name subject ca extensions
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$2" \
    -keyout "$1.key" -out "$1.csr"
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.pem"
}
new_ca ca "iiot e2e test CA"
new_ca other-ca "iiot e2e other CA"
new_leaf server localhost ca "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
new_leaf client e2e-client ca "extendedKeyUsage=clientAuth"
new_leaf other-client e2e-intruder other-ca "extendedKeyUsage=clientAuth"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out stray.key
)";

std::unique_ptr<ssl::context> client_context(const TlsClientFiles& files) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  context->set_verify_mode(ssl::verify_peer);
  if (files.tls12_only) SSL_CTX_set_max_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->load_verify_file(files.ca_file);
  if (!files.cert_file.empty()) {
    context->use_certificate_chain_file(files.cert_file);
    context->use_private_key_file(files.key_file, ssl::context::pem);
  }
  return context;
}

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

void prepare(TlsStream& stream) {
  if (SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(kServerName)) != 1) {
    throw std::runtime_error("cannot set SNI");
  }
  stream.set_verify_callback(ssl::host_name_verification(kServerName));
}

// Runs one asynchronous operation to its end (bounded by the stream's deadline).
template <typename Start>
beast::error_code run(net::io_context& io, Start&& start) {
  beast::error_code result = net::error::would_block;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  io.restart();
  io.run();
  return result;
}

}  // namespace

TestPki::TestPki() {
  std::string pattern = (fs::temp_directory_path() / "iiot-e2e-pki-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  const fs::path script = path("make-pki.sh");
  {
    std::FILE* out = std::fopen(script.c_str(), "w");
    if (out == nullptr) throw std::runtime_error("cannot write " + script.string());
    std::fputs(kMakePki, out);
    std::fclose(out);
  }
  const std::string command = "cd '" + dir_ + "' && sh make-pki.sh > make-pki.log 2>&1";
  if (std::system(command.c_str()) != 0) {
    throw std::runtime_error("making the test PKI with openssl failed; see " +
                             path("make-pki.log"));
  }
}

TestPki::~TestPki() {
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

HttpResponse https_get(unsigned short port, const std::string& target, const TlsClientFiles& files,
                       std::chrono::milliseconds timeout) {
  HttpResponse out;
  net::io_context io;
  const auto context = client_context(files);
  TlsStream stream(io, *context);
  prepare(stream);
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(timeout);
  const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  if (auto ec = run(io, [&](auto handler) { tcp.async_connect(endpoint, handler); })) {
    out.error = "connect: " + ec.message();
    return out;
  }
  if (auto ec = run(
          io, [&](auto handler) { stream.async_handshake(ssl::stream_base::client, handler); })) {
    out.error = "TLS handshake: " + ec.message();
    return out;
  }
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, std::string(kServerName) + ":" + std::to_string(port));
  req.set(http::field::user_agent, "iiot-e2e-test");
  req.set(http::field::connection, "close");
  if (auto ec = run(io, [&](auto handler) { http::async_write(stream, req, handler); })) {
    out.error = "write: " + ec.message();
    return out;
  }
  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  if (auto ec = run(io, [&](auto handler) { http::async_read(stream, buffer, res, handler); })) {
    out.error = "read: " + ec.message();
    return out;
  }
  return to_http_response(res);
}

struct WssTestClient::Impl {
  explicit Impl(const TlsClientFiles& files) : context(client_context(files)), ws(io, *context) {}

  net::io_context io;
  std::unique_ptr<ssl::context> context;
  websocket::stream<TlsStream> ws;
  beast::flat_buffer buffer;
  bool ended = false;
};

WssTestClient::WssTestClient(unsigned short port, const TlsClientFiles& files,
                             const std::string& path)
    : impl_(std::make_unique<Impl>(files)) {
  Impl& c = *impl_;
  TlsStream& tls = c.ws.next_layer();
  prepare(tls);
  auto& tcp = beast::get_lowest_layer(c.ws);
  tcp.expires_after(std::chrono::seconds(10));
  const net::ip::tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), port);
  if (auto ec = run(c.io, [&](auto handler) { tcp.async_connect(endpoint, handler); })) {
    throw std::runtime_error("connect: " + ec.message());
  }
  if (auto ec = run(
          c.io, [&](auto handler) { tls.async_handshake(ssl::stream_base::client, handler); })) {
    throw std::runtime_error("TLS handshake: " + ec.message());
  }
  // Under TLS 1.3 the server judges a client certificate after the client's side of the
  // handshake has completed: a refusal shows up here, as an alert instead of an HTTP answer.
  if (auto ec = run(c.io, [&](auto handler) {
        c.ws.async_handshake(std::string(kServerName) + ":" + std::to_string(port), path, handler);
      })) {
    throw std::runtime_error("WebSocket handshake: " + ec.message());
  }
}

WssTestClient::~WssTestClient() {
  Impl& c = *impl_;
  if (c.ended) return;
  try {
    beast::get_lowest_layer(c.ws).expires_after(std::chrono::seconds(2));
    run(c.io, [&](auto handler) { c.ws.async_close(websocket::close_code::normal, handler); });
  } catch (const std::exception&) {
    // A peer gone without a close handshake: nothing left to do.
  }
}

std::optional<std::string> WssTestClient::next_text(std::chrono::milliseconds timeout) {
  Impl& c = *impl_;
  if (c.ended) return std::nullopt;
  beast::get_lowest_layer(c.ws).expires_after(timeout);
  c.buffer.clear();
  if (run(c.io, [&](auto handler) { c.ws.async_read(c.buffer, handler); })) {
    c.ended = true;
    return std::nullopt;
  }
  return beast::buffers_to_string(c.buffer.data());
}

}  // namespace iiot::e2e

#include "websocket_client/tls_client_context.h"

#include <openssl/ssl.h>

#include <string>

namespace iiot::ws_client {

namespace ssl = boost::asio::ssl;

namespace {

[[noreturn]] void fail(const std::string& flag, const std::string& path,
                       const boost::system::error_code& ec) {
  throw UsageError(flag + ": cannot use '" + path + "': " + ec.message());
}

}  // namespace

std::unique_ptr<ssl::context> make_tls_client_context(const ClientOptions& options) {
  if (!options.tls) return nullptr;
  auto context = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (options.ca_file) {
    context->load_verify_file(*options.ca_file, ec);
    if (ec) fail("--ca-file", *options.ca_file, ec);
  } else {
    context->set_default_verify_paths(ec);
    if (ec) throw UsageError("cannot load the system's default CA certificates: " + ec.message());
  }
  if (options.cert_file) {
    context->use_certificate_chain_file(*options.cert_file, ec);
    if (ec) fail("--cert", *options.cert_file, ec);
    context->use_private_key_file(*options.key_file, ssl::context::pem, ec);
    if (ec) fail("--key", *options.key_file, ec);
    if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
      throw UsageError("--key: '" + *options.key_file + "' does not match --cert '" +
                       *options.cert_file + "'");
    }
  }
  return context;
}

}  // namespace iiot::ws_client

#include "push/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace iiot::push {

namespace ssl = boost::asio::ssl;

namespace {

[[noreturn]] void fail(std::string_view key, const std::string& path, const std::string& what) {
  throw config::ConfigError("config error: websocket.tls." + std::string(key) + ": \"" + path +
                            "\" " + what);
}

std::string read_file(std::string_view key, const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    fail(key, path, "cannot be read: " + std::make_error_code(std::errc::is_a_directory).message());
  }
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno != 0 ? errno : EIO;
    fail(key, path, "cannot be read: " + std::error_code(error, std::generic_category()).message());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    fail(key, path, "cannot be read: " + std::make_error_code(std::errc::io_error).message());
  }
  return text.str();
}

// OpenSSL's reason for the latest queued error (clears the queue).
std::string openssl_reason() {
  const unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
}

// An encrypted key would otherwise make OpenSSL prompt on the terminal: refuse it instead.
int no_passphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) {
  return 0;
}

struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

}  // namespace

TlsContext::TlsContext(const config::TlsConfig& config)
    : context_(std::make_unique<ssl::context>(ssl::context::tls_server)) {
  SSL_CTX* native = context_->native_handle();
  context_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::single_dh_use);
  // Client-initiated renegotiation costs the server a handshake per request: refused.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(
      native, config.min_version == config::TlsVersion::kTls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  // An idle connection gives its record buffers back to the allocator.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_default_passwd_cb(native, &no_passphrase);

  const std::string chain = read_file("cert_file", config.cert_file);
  if (chain.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    fail("cert_file", config.cert_file,
         "holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\"); give the server's "
         "certificate, then any intermediates");
  }
  boost::system::error_code ec;
  ERR_clear_error();
  context_->use_certificate_chain(boost::asio::buffer(chain), ec);
  if (ec) {
    fail("cert_file", config.cert_file,
         "is not a usable PEM certificate chain (" + ec.message() + ")");
  }

  const std::string key_text = read_file("key_file", config.key_file);
  if (key_text.find("PRIVATE KEY-----") == std::string::npos) {
    fail("key_file", config.key_file,
         "holds no PEM private key (\"-----BEGIN PRIVATE KEY-----\" or a traditional form)");
  }
  if (key_text.find("ENCRYPTED") != std::string::npos) {
    fail("key_file", config.key_file,
         "is encrypted; give an unencrypted key (e.g. `openssl pkey -in KEY -out PLAIN`) and "
         "protect it with file permissions");
  }
  std::unique_ptr<BIO, BioDeleter> bio(
      BIO_new_mem_buf(key_text.data(), static_cast<int>(key_text.size())));
  ERR_clear_error();
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, &no_passphrase, nullptr));
  if (!key) {
    fail("key_file", config.key_file,
         "is not an unencrypted PEM private key (" + openssl_reason() + ")");
  }
  if (SSL_CTX_use_PrivateKey(native, key.get()) != 1 || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    fail("key_file", config.key_file,
         "does not match the certificate in websocket.tls.cert_file \"" + config.cert_file + "\"");
  }

  if (!config.client_ca_file.empty()) {
    const std::string cas = read_file("client_ca_file", config.client_ca_file);
    ERR_clear_error();
    context_->add_certificate_authority(boost::asio::buffer(cas), ec);
    if (ec) {
      fail("client_ca_file", config.client_ca_file,
           "is not a usable list of PEM CA certificates (" + ec.message() + ")");
    }
    // The CA names are sent in the certificate request, so a client holding several
    // certificates can pick the right one.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(config.client_ca_file.c_str());
    ERR_clear_error();
    if (names != nullptr) SSL_CTX_set_client_CA_list(native, names);
    context_->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    verifies_clients_ = true;
  }
}

TlsContext::~TlsContext() = default;

}  // namespace iiot::push

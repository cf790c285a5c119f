// Verification of JSON Web Tokens (RFC 7519) for auth.mode jwt, with libjwt on OpenSSL for the
// signature and Boost.JSON for the claims. Keys are read once at construction; afterwards the
// verifier is immutable, so verify() may be called from any thread at once.
//
// A token is accepted only when: its header's `alg` is one of auth.jwt.algorithms (so `none` and
// any algorithm not configured are refused before a key is touched); its signature verifies with
// the key of that algorithm's family, the HMAC secret for HS*, the PEM public key for RS*/ES*
// (an HS token is never checked against the public key: no key confusion); `exp` (when present)
// plus leeway is not past; `nbf` (when present) minus leeway is not ahead; `iss` equals
// auth.jwt.issuer and `aud` (string or array) contains auth.jwt.audience when those are set; and
// the scope claim, when present, is an object with the filter's keys.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.h"
#include "config/config.h"

namespace iiot::auth {

class JwtVerifier {
 public:
  // Reads auth.jwt.secret_file and auth.jwt.public_key_file as the algorithms need them. Throws
  // config::ConfigError naming the key and the file when one is unreadable, empty, not a PEM
  // public key, or of the wrong type for an algorithm (RS* need RSA, ES256 an EC P-256 key).
  explicit JwtVerifier(const config::JwtConfig& config);

  AuthResult verify(std::string_view token, std::chrono::system_clock::time_point now) const;

  // Tokens longer than this are refused unread.
  static constexpr std::size_t kMaxTokenBytes = 8192;

 private:
  std::vector<std::string> algorithms_;
  std::string secret_;      // HS*
  std::string public_pem_;  // RS*, ES*
  std::string issuer_;
  std::string audience_;
  std::chrono::milliseconds leeway_;
  std::string scope_claim_;
};

}  // namespace iiot::auth

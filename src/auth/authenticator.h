// Authenticator: decides who a client is from the token its handshake presented (CONTRACT
// section 7), for auth.mode none, token (static tokens stored as SHA-256 digests) or jwt, and
// whether a request may read /stats and /metrics (auth.admin_tokens_sha256).
// Built once at start from the configuration (reading any key files), then immutable: every
// member may be called from any thread at once. Owned by ConsumerService, used by the push layer.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/identity.h"
#include "auth/jwt_verifier.h"
#include "config/config.h"

namespace iiot::auth {

class Authenticator {
 public:
  // Throws config::ConfigError (naming the key and the file) when a key file cannot be used.
  explicit Authenticator(const config::AuthConfig& config);

  config::AuthMode mode() const { return mode_; }
  bool required() const { return mode_ != config::AuthMode::kNone; }

  // The identity for a presented token ("" when none was presented). With auth.mode none every
  // request is admitted with the unrestricted scope and no expiry, whatever it presented.
  AuthResult authenticate(std::string_view token, std::chrono::system_clock::time_point now) const;

  // How long after a token's `exp` a connection it opened may stay (auth.jwt.leeway).
  std::chrono::milliseconds leeway() const { return leeway_; }

  // /stats and /metrics: whether a token is needed, and whether this bearer token is one of
  // auth.admin_tokens_sha256.
  bool admin_required() const { return !admin_digests_.empty(); }
  bool is_admin(std::string_view token) const;

 private:
  struct StaticToken {
    std::string name;
    std::string sha256;
    Scope scope;
  };

  config::AuthMode mode_;
  std::vector<StaticToken> tokens_;
  std::unique_ptr<JwtVerifier> jwt_;  // mode jwt only
  std::chrono::milliseconds leeway_;
  std::vector<std::string> admin_digests_;
};

}  // namespace iiot::auth

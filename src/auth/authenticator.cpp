#include "auth/authenticator.h"

#include "auth/token_digest.h"

namespace iiot::auth {

Authenticator::Authenticator(const config::AuthConfig& config)
    : mode_(config.mode), leeway_(config.jwt.leeway), admin_digests_(config.admin_tokens_sha256) {
  for (const config::TokenConfig& token : config.tokens) {
    tokens_.push_back(StaticToken{token.name, token.sha256, scope_from_config(token.scope)});
  }
  if (mode_ == config::AuthMode::kJwt) jwt_ = std::make_unique<JwtVerifier>(config.jwt);
}

AuthResult Authenticator::authenticate(std::string_view token,
                                       std::chrono::system_clock::time_point now) const {
  switch (mode_) {
    case config::AuthMode::kNone:
      return Identity{};
    case config::AuthMode::kToken: {
      if (token.empty()) return AuthFailure{"no token"};
      const std::string digest = sha256_hex(token);
      // Every entry is compared, so the time taken does not tell which one matched.
      const StaticToken* match = nullptr;
      for (const StaticToken& entry : tokens_) {
        if (digests_equal(digest, entry.sha256) && match == nullptr) match = &entry;
      }
      if (match == nullptr) return AuthFailure{"unknown token"};
      return Identity{match->name, match->scope, std::nullopt};
    }
    case config::AuthMode::kJwt:
      if (token.empty()) return AuthFailure{"no token"};
      return jwt_->verify(token, now);
  }
  return AuthFailure{"unknown auth.mode"};
}

bool Authenticator::is_admin(std::string_view token) const {
  if (token.empty()) return false;
  const std::string digest = sha256_hex(token);
  bool found = false;
  for (const std::string& admin : admin_digests_) found = digests_equal(digest, admin) || found;
  return found;
}

}  // namespace iiot::auth

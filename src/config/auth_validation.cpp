#include "config/auth_validation.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <string_view>

#include "config/key_error.h"
#include "config/value_checks.h"

namespace iiot::config {
namespace {

bool is_hmac_algorithm(std::string_view name) {
  return name.starts_with("HS");
}

}  // namespace

void validate_auth(AuthConfig& auth, const RawValues& raw) {
  const auto source = [&](std::string_view path) { return env_source(raw, path); };
  for (std::size_t i = 0; i < auth.admin_tokens_sha256.size(); ++i) {
    auth.admin_tokens_sha256[i] =
        sha256_hex_at("auth.admin_tokens_sha256[" + std::to_string(i) + "]",
                      auth.admin_tokens_sha256[i], source("auth.admin_tokens_sha256"));
  }
  JwtConfig& jwt = auth.jwt;
  for (std::size_t i = 0; i < jwt.algorithms.size(); ++i) {
    const std::string& name = jwt.algorithms[i];
    if (std::find(std::begin(kJwtAlgorithms), std::end(kJwtAlgorithms), name) ==
        std::end(kJwtAlgorithms)) {
      fail("auth.jwt.algorithms[" + std::to_string(i) + "]", source("auth.jwt.algorithms"),
           "must be one of HS256, HS384, HS512, RS256, RS384, RS512, ES256 (got " + quote(name) +
               ")");
    }
  }
  if (auth.mode == AuthMode::kToken && auth.tokens.empty()) {
    fail("auth.tokens", "", "must not be empty when auth.mode is token");
  }
  if (auth.mode != AuthMode::kJwt) {
    return;
  }
  if (jwt.algorithms.empty()) {
    fail("auth.jwt.algorithms", source("auth.jwt.algorithms"),
         "must not be empty when auth.mode is jwt");
  }
  const bool hmac = std::any_of(jwt.algorithms.begin(), jwt.algorithms.end(), is_hmac_algorithm);
  const bool asymmetric =
      std::any_of(jwt.algorithms.begin(), jwt.algorithms.end(),
                  [](const std::string& name) { return !is_hmac_algorithm(name); });
  if (hmac && jwt.secret_file.empty()) {
    fail("auth.jwt.secret_file", source("auth.jwt.secret_file"),
         "required when auth.jwt.algorithms has an HS algorithm");
  }
  if (asymmetric && jwt.public_key_file.empty()) {
    fail("auth.jwt.public_key_file", source("auth.jwt.public_key_file"),
         "required when auth.jwt.algorithms has an RS or ES algorithm");
  }
}

}  // namespace iiot::config

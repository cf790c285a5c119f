// Who a client is once its token was accepted, and why a token was refused. Values;
// thread-compatible.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>

#include "auth/scope.h"

namespace iiot::auth {

struct Identity {
  std::string subject;  // a static token's name, a JWT's `sub`; "" with auth.mode none
  Scope scope;          // empty: everything
  std::optional<std::chrono::system_clock::time_point> expires_at;  // a JWT's `exp`
};

// The reason is written for the gateway's log at debug level; it never contains the token.
struct AuthFailure {
  std::string reason;
};

using AuthResult = std::variant<Identity, AuthFailure>;

}  // namespace iiot::auth

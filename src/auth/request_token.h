// Where a handshake carries its token (CONTRACT section 7), and how request targets are made safe
// to print: `Authorization: Bearer <token>`, else the `token` query parameter (for browsers,
// which cannot set headers on a WebSocket). Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace iiot::auth {

// What a request presented.
struct PresentedToken {
  enum class Source { kNone, kHeader, kQuery, kMalformed };
  Source source = Source::kNone;
  std::string token;  // empty unless kHeader or kQuery
};

// authorization: the Authorization header's value ("" when absent); target: the request target.
// A header that is present but not "Bearer <token>" is kMalformed (the query is not consulted).
PresentedToken presented_token(std::string_view authorization, std::string_view target);

// The token of an "Authorization: Bearer <token>" value (scheme case-insensitive); nullopt for any
// other value.
std::optional<std::string> bearer_token(std::string_view authorization);

// The target with its query string replaced by "?<redacted>", for logs and anything stored:
// "/ws?token=abc" -> "/ws?<redacted>". A target without a query is returned unchanged.
std::string redact_target(std::string_view target);

}  // namespace iiot::auth

// SHA-256 digests of bearer tokens, as stored in the configuration (auth.tokens[].sha256,
// auth.admin_tokens_sha256), and their comparison in constant time. Thread-safe (no state).
#pragma once

#include <string>
#include <string_view>

namespace iiot::auth {

// The lower-case hex SHA-256 of the token's bytes (OpenSSL EVP), as `sha256sum` prints it.
std::string sha256_hex(std::string_view token);

// Whether two digests are equal, in time that does not depend on where they differ (digests of
// different lengths are simply unequal).
bool digests_equal(std::string_view a, std::string_view b);

}  // namespace iiot::auth

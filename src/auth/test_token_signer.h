// Test support: keys made with OpenSSL's API at test time and JWTs signed with OpenSSL directly
// (not with libjwt, so a verifier test does not check libjwt against itself). For unit and
// end-to-end tests only. Thread-compatible.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

namespace iiot::auth::testing {

struct KeyPair {
  std::string private_pem;
  std::string public_pem;  // SubjectPublicKeyInfo ("BEGIN PUBLIC KEY")
};

KeyPair make_rsa_key(int bits = 2048);
KeyPair make_ec_p256_key();

std::string base64url(std::string_view bytes);

// header.payload.signature for alg HS256/384/512 (key: the secret), RS256/384/512 or ES256
// (key: a private key PEM); any other alg, or an empty key, gives an empty signature. `header`
// members are added to {"alg":..,"typ":"JWT"}.
std::string sign_jwt(std::string_view alg, const boost::json::object& claims, std::string_view key,
                     const boost::json::object& header = {});

// Writes text to a new file under the test temporary directory and returns its path.
std::string write_temp_file(std::string_view name, std::string_view text);

}  // namespace iiot::auth::testing

#include "auth/jwt_verifier.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

namespace iiot::auth {
namespace {

namespace json = boost::json;

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

struct StringFree {
  void operator()(char* text) const { std::free(text); }  // NOLINT(cppcoreguidelines-no-malloc)
};

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

[[noreturn]] void fail(std::string_view key, const std::string& message) {
  throw config::ConfigError("config error: auth.jwt." + std::string(key) + ": " + message);
}

std::string read_key_file(std::string_view key, const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno != 0 ? errno : EIO;
    fail(key, "cannot read \"" + path +
                  "\": " + std::error_code(error, std::generic_category()).message());
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) fail(key, "cannot read \"" + path + "\": read error");
  return text.str();
}

bool is_hmac(std::string_view algorithm) {
  return algorithm.starts_with("HS");
}

// The public key's type must fit every asymmetric algorithm configured; libjwt would otherwise
// refuse every token at run time with no hint why.
void check_public_key(const std::string& pem, const std::string& path,
                      const std::vector<std::string>& algorithms) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) {
    fail("public_key_file",
         "\"" + path +
             "\" is not a PEM public key (expected \"-----BEGIN PUBLIC KEY-----\"; "
             "`openssl pkey -in private.pem -pubout` writes one)");
  }
  const int type = EVP_PKEY_get_base_id(key.get());
  for (const std::string& algorithm : algorithms) {
    if (algorithm.starts_with("RS") && type != EVP_PKEY_RSA) {
      fail("public_key_file", "\"" + path + "\" is not an RSA key, which " + algorithm + " needs");
    }
    if (algorithm == "ES256" && (type != EVP_PKEY_EC || !EVP_PKEY_is_a(key.get(), "EC") ||
                                 EVP_PKEY_get_bits(key.get()) != 256)) {
      fail("public_key_file", "\"" + path + "\" is not an EC P-256 key, which ES256 needs");
    }
  }
}

// A NumericDate: seconds since the epoch, integer or not.
std::optional<double> numeric_date(const json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double() && std::isfinite(value.get_double())) return value.get_double();
  return std::nullopt;
}

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

AuthFailure refuse(std::string reason) {
  return AuthFailure{std::move(reason)};
}

}  // namespace

JwtVerifier::JwtVerifier(const config::JwtConfig& config)
    : algorithms_(config.algorithms),
      issuer_(config.issuer),
      audience_(config.audience),
      leeway_(config.leeway),
      scope_claim_(config.scope_claim) {
  const bool hmac = std::any_of(algorithms_.begin(), algorithms_.end(), is_hmac);
  const bool asymmetric = std::any_of(algorithms_.begin(), algorithms_.end(),
                                      [](const std::string& a) { return !is_hmac(a); });
  if (hmac) {
    secret_ = read_key_file("secret_file", config.secret_file);
    while (!secret_.empty() && (secret_.back() == '\n' || secret_.back() == '\r')) {
      secret_.pop_back();
    }
    if (secret_.empty()) {
      fail("secret_file", "\"" + config.secret_file + "\" is empty (an HMAC secret is needed)");
    }
  }
  if (asymmetric) {
    public_pem_ = read_key_file("public_key_file", config.public_key_file);
    check_public_key(public_pem_, config.public_key_file, algorithms_);
  }
}

AuthResult JwtVerifier::verify(std::string_view token,
                               std::chrono::system_clock::time_point now) const {
  if (token.size() > kMaxTokenBytes) return refuse("token longer than 8192 bytes");
  if (std::count(token.begin(), token.end(), '.') != 2) return refuse("not a signed JWT");
  const std::string text(token);  // libjwt wants a terminated string

  // The header is read first, unverified, only to learn the algorithm: the key is chosen by our
  // configuration, never by the token.
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, text.c_str(), nullptr, 0) != 0) return refuse("malformed JWT");
  JwtPtr unverified(raw);
  // libjwt reports no algorithm for a token decoded without a key, so the header is read.
  const char* alg_header = jwt_get_header(unverified.get(), "alg");
  const std::string algorithm = alg_header != nullptr ? alg_header : "(missing)";
  unverified.reset();
  if (std::find(algorithms_.begin(), algorithms_.end(), algorithm) == algorithms_.end()) {
    return refuse("algorithm " + algorithm.substr(0, 16) + " is not in auth.jwt.algorithms");
  }
  const jwt_alg_t alg = jwt_str_alg(algorithm.c_str());
  if (alg == JWT_ALG_NONE || alg == JWT_ALG_INVAL) return refuse("algorithm not supported");

  const std::string& key = is_hmac(algorithm) ? secret_ : public_pem_;
  raw = nullptr;
  if (jwt_decode(&raw, text.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                 static_cast<int>(key.size())) != 0) {
    return refuse("signature does not verify (" + algorithm + ")");
  }
  JwtPtr verified(raw);
  if (jwt_get_alg(verified.get()) != alg) return refuse("algorithm changed between reads");

  std::unique_ptr<char, StringFree> claims_text(jwt_get_grants_json(verified.get(), nullptr));
  if (!claims_text) return refuse("no claims");
  boost::system::error_code ec;
  const json::value claims_value = json::parse(claims_text.get(), ec);
  const json::object* claims = ec ? nullptr : claims_value.if_object();
  if (claims == nullptr) return refuse("claims are not a JSON object");

  const double now_s = seconds_since_epoch(now);
  const double leeway_s = std::chrono::duration<double>(leeway_).count();
  Identity identity;
  if (const json::value* exp = claims->if_contains("exp")) {
    const auto when = numeric_date(*exp);
    if (!when) return refuse("exp is not a number");
    if (now_s > *when + leeway_s) return refuse("expired");
    identity.expires_at = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<double>(*when)));
  }
  if (const json::value* nbf = claims->if_contains("nbf")) {
    const auto when = numeric_date(*nbf);
    if (!when) return refuse("nbf is not a number");
    if (now_s + leeway_s < *when) return refuse("not valid yet (nbf)");
  }
  if (!issuer_.empty()) {
    const json::value* iss = claims->if_contains("iss");
    if (iss == nullptr || !iss->is_string() || iss->get_string() != issuer_) {
      return refuse("wrong or missing iss");
    }
  }
  if (!audience_.empty()) {
    const json::value* aud = claims->if_contains("aud");
    bool found = false;
    if (aud != nullptr && aud->is_string()) {
      found = aud->get_string() == audience_;
    } else if (aud != nullptr && aud->is_array()) {
      const json::array& list = aud->get_array();
      found = std::any_of(list.begin(), list.end(), [&](const json::value& entry) {
        return entry.is_string() && entry.get_string() == audience_;
      });
    }
    if (!found) return refuse("wrong or missing aud");
  }
  if (const json::value* sub = claims->if_contains("sub")) {
    if (!sub->is_string()) return refuse("sub is not a string");
    identity.subject = std::string(sub->get_string());
  }
  if (const json::value* scope = claims->if_contains(scope_claim_)) {
    if (!scope->is_null()) {
      auto decoded = model::decode_filter_object(json::serialize(*scope));
      if (auto* error = std::get_if<std::string>(&decoded)) {
        return refuse("scope claim " + scope_claim_ + ": " + *error);
      }
      identity.scope = std::move(std::get<model::Filter>(decoded));
    }
  }
  return identity;
}

}  // namespace iiot::auth

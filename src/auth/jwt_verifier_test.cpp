#include "auth/jwt_verifier.h"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "auth/test_token_signer.h"

namespace iiot::auth {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
namespace json = boost::json;
namespace t = iiot::auth::testing;

const system_clock::time_point kNow{seconds(1'800'000'000)};
constexpr std::int64_t kNowS = 1'800'000'000;
const std::string kSecret = "a-test-hmac-secret-of-more-than-32-bytes!";

struct Keys {
  t::KeyPair rsa = t::make_rsa_key();
  t::KeyPair ec = t::make_ec_p256_key();
  std::string secret_file = t::write_temp_file("secret", kSecret + "\n");
  std::string rsa_file = t::write_temp_file("rsa.pub.pem", rsa.public_pem);
  std::string ec_file = t::write_temp_file("ec.pub.pem", ec.public_pem);
};

const Keys& keys() {
  static const Keys k;
  return k;
}

config::JwtConfig jwt_config(std::vector<std::string> algorithms) {
  config::JwtConfig c;
  c.algorithms = std::move(algorithms);
  c.secret_file = keys().secret_file;
  const bool ec =
      std::find(c.algorithms.begin(), c.algorithms.end(), "ES256") != c.algorithms.end();
  c.public_key_file = ec ? keys().ec_file : keys().rsa_file;
  return c;
}

std::string key_for(std::string_view alg) {
  if (alg.starts_with("HS")) return kSecret;
  if (alg.starts_with("RS")) return keys().rsa.private_pem;
  return keys().ec.private_pem;
}

json::object claims(std::int64_t exp_offset = 3600) {
  return {{"sub", "screen-7"}, {"exp", kNowS + exp_offset}, {"iat", kNowS}};
}

std::string reason(const AuthResult& result) {
  if (const auto* failure = std::get_if<AuthFailure>(&result)) return failure->reason;
  return "(accepted)";
}

class EveryAlgorithm : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryAlgorithm, ValidTokenIsAccepted) {
  const std::string alg = GetParam();
  const JwtVerifier verifier(jwt_config({alg}));
  const AuthResult result = verifier.verify(t::sign_jwt(alg, claims(), key_for(alg)), kNow);
  ASSERT_TRUE(std::holds_alternative<Identity>(result)) << reason(result);
  const Identity& identity = std::get<Identity>(result);
  EXPECT_EQ(identity.subject, "screen-7");
  ASSERT_TRUE(identity.expires_at.has_value());
  EXPECT_EQ(*identity.expires_at, kNow + seconds(3600));
  EXPECT_TRUE(identity.scope.empty());
}

TEST_P(EveryAlgorithm, TamperedPayloadIsRefused) {
  const std::string alg = GetParam();
  const JwtVerifier verifier(jwt_config({alg}));
  const std::string good = t::sign_jwt(alg, claims(), key_for(alg));
  json::object wider = claims();
  wider["sub"] = "admin";
  const std::string forged_payload = t::base64url(json::serialize(wider));
  const auto first = good.find('.');
  const auto second = good.find('.', first + 1);
  const std::string forged = good.substr(0, first + 1) + forged_payload + good.substr(second);
  EXPECT_EQ(reason(verifier.verify(forged, kNow)), "signature does not verify (" + alg + ")");
}

TEST_P(EveryAlgorithm, TamperedSignatureIsRefused) {
  const std::string alg = GetParam();
  const JwtVerifier verifier(jwt_config({alg}));
  std::string token = t::sign_jwt(alg, claims(), key_for(alg));
  const std::size_t at = token.rfind('.') + 3;
  token[at] = token[at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(reason(verifier.verify(token, kNow)), "signature does not verify (" + alg + ")");
}

INSTANTIATE_TEST_SUITE_P(Jwt, EveryAlgorithm,
                         ::testing::Values("HS256", "HS384", "HS512", "RS256", "RS384", "RS512",
                                           "ES256"));

TEST(JwtVerifier, ExpiryHonoursTheLeeway) {
  config::JwtConfig c = jwt_config({"HS256"});
  c.leeway = seconds(30);
  const JwtVerifier verifier(c);
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", claims(-31), kSecret), kNow)), "expired");
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", claims(-29), kSecret), kNow)),
            "(accepted)");
  c.leeway = seconds(0);
  const JwtVerifier strict(c);
  EXPECT_EQ(reason(strict.verify(t::sign_jwt("HS256", claims(-1), kSecret), kNow)), "expired");
}

TEST(JwtVerifier, NotBeforeHonoursTheLeeway) {
  config::JwtConfig c = jwt_config({"HS256"});
  c.leeway = seconds(30);
  const JwtVerifier verifier(c);
  json::object early = claims();
  early["nbf"] = kNowS + 31;
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", early, kSecret), kNow)),
            "not valid yet (nbf)");
  early["nbf"] = kNowS + 29;
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", early, kSecret), kNow)), "(accepted)");
}

TEST(JwtVerifier, TokenWithoutExpiryHasNone) {
  const JwtVerifier verifier(jwt_config({"HS256"}));
  const AuthResult r = verifier.verify(t::sign_jwt("HS256", {{"sub", "x"}}, kSecret), kNow);
  ASSERT_TRUE(std::holds_alternative<Identity>(r)) << reason(r);
  EXPECT_FALSE(std::get<Identity>(r).expires_at.has_value());
}

TEST(JwtVerifier, NonNumericDatesAreRefused) {
  const JwtVerifier verifier(jwt_config({"HS256"}));
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", {{"exp", "tomorrow"}}, kSecret), kNow)),
            "exp is not a number");
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", {{"nbf", true}}, kSecret), kNow)),
            "nbf is not a number");
}

TEST(JwtVerifier, IssuerMustMatchWhenConfigured) {
  config::JwtConfig c = jwt_config({"HS256"});
  c.issuer = "plant-idp";
  const JwtVerifier verifier(c);
  json::object with = claims();
  with["iss"] = "plant-idp";
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow)), "(accepted)");
  with["iss"] = "other-idp";
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow)),
            "wrong or missing iss");
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", claims(), kSecret), kNow)),
            "wrong or missing iss");
}

TEST(JwtVerifier, AudienceMayBeAStringOrAnArray) {
  config::JwtConfig c = jwt_config({"HS256"});
  c.audience = "gateway";
  const JwtVerifier verifier(c);
  json::object with = claims();
  with["aud"] = "gateway";
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow)), "(accepted)");
  with["aud"] = json::array{"dashboard", "gateway"};
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow)), "(accepted)");
  with["aud"] = json::array{"dashboard"};
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow)),
            "wrong or missing aud");
  with["aud"] = "gateway-2";
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow)),
            "wrong or missing aud");
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", claims(), kSecret), kNow)),
            "wrong or missing aud");
}

TEST(JwtVerifier, AlgNoneIsRefused) {
  const JwtVerifier verifier(jwt_config({"HS256", "RS256"}));
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("none", claims(), ""), kNow)),
            "algorithm none is not in auth.jwt.algorithms");
  // Also with a signature part present, and spelt otherwise.
  const std::string none = t::sign_jwt("none", claims(), "");
  EXPECT_NE(reason(verifier.verify(none + "c2ln", kNow)), "(accepted)");
  EXPECT_NE(reason(verifier.verify(t::sign_jwt("None", claims(), ""), kNow)), "(accepted)");
}

TEST(JwtVerifier, HmacTokenKeyedWithThePublicKeyIsRefused) {
  // The classic key confusion: an attacker who knows the RSA public key signs an HS256 token
  // with the PEM text as the HMAC key.
  const std::string forged = t::sign_jwt("HS256", claims(), keys().rsa.public_pem);
  const JwtVerifier rsa_only(jwt_config({"RS256"}));
  EXPECT_EQ(reason(rsa_only.verify(forged, kNow)), "algorithm HS256 is not in auth.jwt.algorithms");
  // With HS256 allowed too, the HMAC key is the configured secret, never the public key.
  const JwtVerifier both(jwt_config({"RS256", "HS256"}));
  EXPECT_EQ(reason(both.verify(forged, kNow)), "signature does not verify (HS256)");
  const std::string forged_der_less =
      t::sign_jwt("HS256", claims(), keys().rsa.public_pem.substr(0, 100));
  EXPECT_NE(reason(both.verify(forged_der_less, kNow)), "(accepted)");
}

TEST(JwtVerifier, AlgorithmNotConfiguredIsRefused) {
  const JwtVerifier verifier(jwt_config({"HS256"}));
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS512", claims(), kSecret), kNow)),
            "algorithm HS512 is not in auth.jwt.algorithms");
  const JwtVerifier rs256(jwt_config({"RS256"}));
  EXPECT_EQ(reason(rs256.verify(t::sign_jwt("RS512", claims(), keys().rsa.private_pem), kNow)),
            "algorithm RS512 is not in auth.jwt.algorithms");
}

TEST(JwtVerifier, SignedWithAnotherKeyIsRefused) {
  const JwtVerifier verifier(jwt_config({"RS256"}));
  const t::KeyPair other = t::make_rsa_key();
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("RS256", claims(), other.private_pem), kNow)),
            "signature does not verify (RS256)");
  const JwtVerifier hs(jwt_config({"HS256"}));
  EXPECT_EQ(reason(hs.verify(t::sign_jwt("HS256", claims(), "another secret"), kNow)),
            "signature does not verify (HS256)");
}

TEST(JwtVerifier, MalformedTokensAreRefused) {
  const JwtVerifier verifier(jwt_config({"HS256"}));
  for (const std::string& token :
       {std::string(), std::string("abc"), std::string("a.b"), std::string("a.b.c"),
        std::string("!!.??.**"), std::string(9000, 'a') + ".b.c"}) {
    EXPECT_NE(reason(verifier.verify(token, kNow)), "(accepted)") << token.substr(0, 20);
  }
}

TEST(JwtVerifier, ScopeClaimBecomesTheScope) {
  const JwtVerifier verifier(jwt_config({"HS256"}));
  json::object with = claims();
  with["iiot"] = json::object{{"locations", json::array{"Hall-2", "Hall-1"}},
                              {"alert_levels", json::array{"critical"}}};
  const AuthResult r = verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow);
  ASSERT_TRUE(std::holds_alternative<Identity>(r)) << reason(r);
  const Scope& scope = std::get<Identity>(r).scope;
  EXPECT_EQ(scope.locations, (std::vector<std::string>{"Hall-1", "Hall-2"}));
  EXPECT_EQ(scope.alert_levels, std::vector<model::Severity>{model::Severity::kCritical});

  with["iiot"] = json::object{{"device", json::array{"x"}}};
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow)),
            R"(scope claim iiot: unknown key "device")");
  with["iiot"] = "everything";
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow)),
            "scope claim iiot: must be an object");
}

TEST(JwtVerifier, ScopeClaimNameIsConfigurable) {
  config::JwtConfig c = jwt_config({"HS256"});
  c.scope_claim = "gw";
  const JwtVerifier verifier(c);
  json::object with = claims();
  with["gw"] = json::object{{"types", json::array{"alert"}}};
  with["iiot"] = json::object{{"types", json::array{"device_data"}}};
  const AuthResult r = verifier.verify(t::sign_jwt("HS256", with, kSecret), kNow);
  ASSERT_TRUE(std::holds_alternative<Identity>(r)) << reason(r);
  EXPECT_EQ(std::get<Identity>(r).scope.types,
            std::vector<model::MessageType>{model::MessageType::kAlert});
}

// ---- Key files at start ------------------------------------------------------------------------

std::string construction_error(const config::JwtConfig& c) {
  try {
    const JwtVerifier verifier(c);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(JwtVerifierKeys, UnreadableSecretFileIsNamed) {
  config::JwtConfig c = jwt_config({"HS256"});
  c.secret_file = "/nonexistent/secret";
  EXPECT_EQ(construction_error(c),
            "config error: auth.jwt.secret_file: cannot read \"/nonexistent/secret\": No such "
            "file or directory");
}

TEST(JwtVerifierKeys, EmptySecretIsRefused) {
  config::JwtConfig c = jwt_config({"HS384"});
  c.secret_file = t::write_temp_file("empty-secret", "\n");
  EXPECT_EQ(construction_error(c), "config error: auth.jwt.secret_file: \"" + c.secret_file +
                                       "\" is empty (an HMAC secret is needed)");
}

TEST(JwtVerifierKeys, UnreadablePublicKeyIsNamed) {
  config::JwtConfig c = jwt_config({"RS256"});
  c.public_key_file = "/nonexistent/key.pem";
  EXPECT_EQ(construction_error(c),
            "config error: auth.jwt.public_key_file: cannot read \"/nonexistent/key.pem\": No such "
            "file or directory");
}

TEST(JwtVerifierKeys, PrivateKeyOrGarbageIsNotAPublicKey) {
  config::JwtConfig c = jwt_config({"RS256"});
  c.public_key_file = t::write_temp_file("private.pem", keys().rsa.private_pem);
  EXPECT_EQ(construction_error(c),
            "config error: auth.jwt.public_key_file: \"" + c.public_key_file +
                "\" is not a PEM public key (expected \"-----BEGIN PUBLIC KEY-----\"; `openssl "
                "pkey -in private.pem -pubout` writes one)");
  c.public_key_file = t::write_temp_file("garbage.pem", "hello");
  EXPECT_NE(construction_error(c).find("is not a PEM public key"), std::string::npos);
}

TEST(JwtVerifierKeys, KeyTypeMustFitTheAlgorithms) {
  config::JwtConfig c = jwt_config({"ES256"});
  c.public_key_file = keys().rsa_file;
  EXPECT_EQ(construction_error(c), "config error: auth.jwt.public_key_file: \"" + keys().rsa_file +
                                       "\" is not an EC P-256 key, which ES256 needs");
  c = jwt_config({"RS256"});
  c.public_key_file = keys().ec_file;
  EXPECT_EQ(construction_error(c), "config error: auth.jwt.public_key_file: \"" + keys().ec_file +
                                       "\" is not an RSA key, which RS256 needs");
}

TEST(JwtVerifierKeys, SecretTrailingNewlinesAreTrimmed) {
  config::JwtConfig c = jwt_config({"HS256"});
  c.secret_file = t::write_temp_file("crlf-secret", kSecret + "\r\n");
  const JwtVerifier verifier(c);
  EXPECT_EQ(reason(verifier.verify(t::sign_jwt("HS256", claims(), kSecret), kNow)), "(accepted)");
}

}  // namespace
}  // namespace iiot::auth

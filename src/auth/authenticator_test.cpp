#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include "auth/test_token_signer.h"
#include "auth/token_digest.h"

namespace iiot::auth {
namespace {

const auto kNow = std::chrono::system_clock::time_point{std::chrono::seconds(1'800'000'000)};

std::string reason(const AuthResult& result) {
  if (const auto* failure = std::get_if<AuthFailure>(&result)) return failure->reason;
  return "(accepted)";
}

config::AuthConfig token_config() {
  config::AuthConfig c;
  c.mode = config::AuthMode::kToken;
  config::TokenConfig screen{"screen-1", sha256_hex("s3cret-screen"), {}};
  screen.scope.locations = {"Hall-1"};
  c.tokens.push_back(screen);
  c.tokens.push_back({"ops", sha256_hex("s3cret-ops"), {}});
  return c;
}

TEST(Authenticator, ModeNoneAdmitsEveryoneUnrestricted) {
  const Authenticator auth(config::AuthConfig{});
  EXPECT_FALSE(auth.required());
  for (const char* token : {"", "anything"}) {
    const AuthResult r = auth.authenticate(token, kNow);
    ASSERT_TRUE(std::holds_alternative<Identity>(r));
    EXPECT_TRUE(std::get<Identity>(r).scope.empty());
    EXPECT_FALSE(std::get<Identity>(r).expires_at);
  }
}

TEST(Authenticator, StaticTokensAreFoundByDigest) {
  const Authenticator auth(token_config());
  EXPECT_TRUE(auth.required());
  const AuthResult screen = auth.authenticate("s3cret-screen", kNow);
  ASSERT_TRUE(std::holds_alternative<Identity>(screen)) << reason(screen);
  EXPECT_EQ(std::get<Identity>(screen).subject, "screen-1");
  EXPECT_EQ(std::get<Identity>(screen).scope.locations, std::vector<std::string>{"Hall-1"});
  EXPECT_FALSE(std::get<Identity>(screen).expires_at);
  const AuthResult ops = auth.authenticate("s3cret-ops", kNow);
  ASSERT_TRUE(std::holds_alternative<Identity>(ops));
  EXPECT_EQ(std::get<Identity>(ops).subject, "ops");
  EXPECT_TRUE(std::get<Identity>(ops).scope.empty());
}

TEST(Authenticator, UnknownOrMissingStaticTokenIsRefused) {
  const Authenticator auth(token_config());
  EXPECT_EQ(reason(auth.authenticate("s3cret-screen2", kNow)), "unknown token");
  EXPECT_EQ(reason(auth.authenticate(sha256_hex("s3cret-ops"), kNow)), "unknown token");
  EXPECT_EQ(reason(auth.authenticate("", kNow)), "no token");
}

TEST(Authenticator, JwtModeUsesTheVerifier) {
  config::AuthConfig c;
  c.mode = config::AuthMode::kJwt;
  c.jwt.secret_file = testing::write_temp_file("authenticator-secret", "k3y-k3y-k3y-k3y-k3y");
  c.jwt.leeway = std::chrono::seconds(5);
  const Authenticator auth(c);
  EXPECT_EQ(auth.leeway(), std::chrono::seconds(5));
  const std::string token =
      testing::sign_jwt("HS256", {{"sub", "u1"}, {"exp", 1'800'000'100}}, "k3y-k3y-k3y-k3y-k3y");
  const AuthResult r = auth.authenticate(token, kNow);
  ASSERT_TRUE(std::holds_alternative<Identity>(r)) << reason(r);
  EXPECT_EQ(std::get<Identity>(r).subject, "u1");
  EXPECT_EQ(reason(auth.authenticate("", kNow)), "no token");
}

TEST(Authenticator, AdminTokens) {
  config::AuthConfig c;
  EXPECT_FALSE(Authenticator(c).admin_required());
  c.admin_tokens_sha256 = {sha256_hex("admin-1"), sha256_hex("admin-2")};
  const Authenticator auth(c);
  EXPECT_TRUE(auth.admin_required());
  EXPECT_TRUE(auth.is_admin("admin-1"));
  EXPECT_TRUE(auth.is_admin("admin-2"));
  EXPECT_FALSE(auth.is_admin("admin-3"));
  EXPECT_FALSE(auth.is_admin(""));
  EXPECT_FALSE(auth.is_admin(sha256_hex("admin-1")));
}

}  // namespace
}  // namespace iiot::auth

#include "auth/request_token.h"

#include <gtest/gtest.h>

namespace iiot::auth {
namespace {

using Source = PresentedToken::Source;

TEST(RequestToken, BearerHeader) {
  EXPECT_EQ(bearer_token("Bearer abc.def-ghi"), "abc.def-ghi");
  EXPECT_EQ(bearer_token("bearer   abc  "), "abc");
  EXPECT_EQ(bearer_token("Basic dXNlcjpwYXNz"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer "), std::nullopt);
  EXPECT_EQ(bearer_token("Bearer a b"), std::nullopt);
  EXPECT_EQ(bearer_token("Bearerabc"), std::nullopt);
}

TEST(RequestToken, HeaderComesBeforeQuery) {
  const PresentedToken t = presented_token("Bearer from-header", "/ws?token=from-query");
  EXPECT_EQ(t.source, Source::kHeader);
  EXPECT_EQ(t.token, "from-header");
}

TEST(RequestToken, QueryParameterIsDecoded) {
  const PresentedToken t = presented_token("", "/ws?x=1&token=a%2Bb%3D.c&y");
  EXPECT_EQ(t.source, Source::kQuery);
  EXPECT_EQ(t.token, "a+b=.c");
}

TEST(RequestToken, NothingPresented) {
  EXPECT_EQ(presented_token("", "/ws").source, Source::kNone);
  EXPECT_EQ(presented_token("", "/ws?token=").source, Source::kNone);
  EXPECT_EQ(presented_token("", "/ws?tokens=abc").source, Source::kNone);
  EXPECT_EQ(presented_token("  ", "/ws").source, Source::kNone);
}

TEST(RequestToken, MalformedHeaderIsNotReplacedByTheQuery) {
  const PresentedToken t = presented_token("Basic abc", "/ws?token=q");
  EXPECT_EQ(t.source, Source::kMalformed);
  EXPECT_TRUE(t.token.empty());
}

TEST(RequestToken, RedactionDropsTheWholeQuery) {
  EXPECT_EQ(redact_target("/ws?token=secret"), "/ws?<redacted>");
  EXPECT_EQ(redact_target("/ws?a=1&token=secret"), "/ws?<redacted>");
  EXPECT_EQ(redact_target("/ws"), "/ws");
  EXPECT_EQ(redact_target("/stats?"), "/stats?<redacted>");
}

}  // namespace
}  // namespace iiot::auth

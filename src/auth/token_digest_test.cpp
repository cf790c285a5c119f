#include "auth/token_digest.h"

#include <gtest/gtest.h>

namespace iiot::auth {
namespace {

TEST(TokenDigest, Sha256HexMatchesKnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(TokenDigest, EqualityNeedsEveryByte) {
  const std::string a = sha256_hex("token-a");
  EXPECT_TRUE(digests_equal(a, sha256_hex("token-a")));
  EXPECT_FALSE(digests_equal(a, sha256_hex("token-b")));
  std::string last = a;
  last.back() = last.back() == '0' ? '1' : '0';
  EXPECT_FALSE(digests_equal(a, last));
  EXPECT_FALSE(digests_equal(a, a.substr(0, 63)));
  EXPECT_FALSE(digests_equal("", a));
}

}  // namespace
}  // namespace iiot::auth

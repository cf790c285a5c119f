#include "push/client_deadlines.h"

#include <gtest/gtest.h>

namespace iiot::push {
namespace {

using namespace std::chrono_literals;
using Action = ClientDeadlines::Action;
using Clock = ClientDeadlines::Clock;
using WallClock = ClientDeadlines::WallClock;

constexpr ClientDeadlines::Timeouts kTimeouts{
    .handshake = 2s, .write = 5s, .ping_interval = 20s, .client = 60s};

class ClientDeadlinesTest : public ::testing::Test {
 protected:
  ClientDeadlinesTest() { deadlines.opened(t0); }

  Action at(Clock::duration since_open, bool write_in_flight = false) const {
    return deadlines.check(t0 + since_open, wall0 + since_open, write_in_flight);
  }

  const Clock::time_point t0 = Clock::time_point{} + 1000h;
  const WallClock::time_point wall0 = WallClock::time_point{} + 500000h;
  ClientDeadlines deadlines{kTimeouts};
};

TEST_F(ClientDeadlinesTest, AFreshSessionOwesNothingUntilItsFirstPing) {
  EXPECT_EQ(at(0s), Action::kNone);
  EXPECT_EQ(at(19s), Action::kNone);
  EXPECT_EQ(at(20s), Action::kPing);
}

TEST_F(ClientDeadlinesTest, OnePingAtATimeThenOneEveryInterval) {
  deadlines.ping_sent(t0 + 20s);
  EXPECT_EQ(at(45s), Action::kNone) << "the first ping has not completed";
  deadlines.ping_done();
  EXPECT_EQ(at(39s), Action::kNone);
  EXPECT_EQ(at(40s), Action::kPing);
}

TEST_F(ClientDeadlinesTest, AClientSilentForClientTimeoutIsClosedAndHearingFromItResetsTheClock) {
  deadlines.ping_sent(t0);
  EXPECT_EQ(at(60s), Action::kNone) << "exactly client_timeout is still within it";
  EXPECT_EQ(at(61s), Action::kCloseIdle);
  deadlines.heard_from_client(t0 + 50s);
  EXPECT_EQ(at(61s), Action::kNone);
  EXPECT_EQ(at(111s), Action::kCloseIdle);
}

TEST_F(ClientDeadlinesTest, AWriteWithoutProgressForWriteTimeoutIsAborted) {
  deadlines.ping_sent(t0);
  deadlines.write_progressed(t0 + 1s);
  EXPECT_EQ(at(6s, true), Action::kNone);
  EXPECT_EQ(at(7s, true), Action::kAbort);
  EXPECT_EQ(at(7s, false), Action::kNone) << "no write in flight: nothing is blocked";
  deadlines.write_progressed(t0 + 6s);  // the socket took some bytes
  EXPECT_EQ(at(7s, true), Action::kNone);
  EXPECT_EQ(at(12s, true), Action::kAbort);
}

TEST_F(ClientDeadlinesTest, AnExpiredTokenClosesWith4001BeforeAnyOtherRuleButABlockedWrite) {
  deadlines.set_expiry(wall0 + 30s);
  EXPECT_EQ(at(29s), Action::kPing);
  EXPECT_EQ(at(30s), Action::kCloseTokenExpired);
  EXPECT_EQ(at(90s), Action::kCloseTokenExpired) << "also when the client is silent too long";
  deadlines.write_progressed(t0 + 1s);
  EXPECT_EQ(at(30s, true), Action::kAbort);
  deadlines.set_expiry(std::nullopt);  // a refresh with a token that never expires
  EXPECT_EQ(at(30s), Action::kPing);
}

TEST_F(ClientDeadlinesTest, WhileClosingOnlyTheHandshakeTimeoutApplies) {
  deadlines.set_expiry(wall0 + 1s);
  deadlines.closing_started(t0 + 100s);
  EXPECT_TRUE(deadlines.closing());
  EXPECT_EQ(at(100s, true), Action::kNone);
  EXPECT_EQ(at(102s, true), Action::kNone);
  EXPECT_EQ(at(103s), Action::kAbort);
  // A teardown after the handshake gets its own period.
  deadlines.closing_started(t0 + 102s);
  EXPECT_EQ(at(103s), Action::kNone);
  EXPECT_EQ(at(105s), Action::kAbort);
}

TEST_F(ClientDeadlinesTest, AWriteThatTookNothingForSlowAfterIsNotDraining) {
  deadlines.write_progressed(t0 + 1s);
  EXPECT_TRUE(deadlines.draining(t0 + 1s + ClientDeadlines::kSlowAfter - 1ms, true));
  EXPECT_FALSE(deadlines.draining(t0 + 1s + ClientDeadlines::kSlowAfter, true));
  EXPECT_TRUE(deadlines.draining(t0 + 10s, false)) << "nothing in flight: nothing is stuck";
}

}  // namespace
}  // namespace iiot::push

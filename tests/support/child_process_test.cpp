#include "support/child_process.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>

namespace iiot::test_support {
namespace {

using namespace std::chrono_literals;

std::vector<std::string> shell(const std::string& script) {
  return {"/bin/sh", "-c", script};
}

TEST(ChildProcess, ReportsExitCodeAndSignal) {
  ChildProcess ok(shell("exit 0"), [](std::string_view) {});
  EXPECT_TRUE(ok.wait().exited_ok());
  ChildProcess failing(shell("exit 3"), [](std::string_view) {});
  EXPECT_EQ(failing.wait().code, 3);
  ChildProcess sleeping(shell("exec sleep 30"), [](std::string_view) {});
  EXPECT_TRUE(sleeping.running());
  EXPECT_FALSE(sleeping.wait(50ms));
  sleeping.signal(SIGTERM);
  const auto status = sleeping.wait(10s);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->signal, SIGTERM);
  EXPECT_EQ(status->describe(), "killed by signal " + std::to_string(SIGTERM));
}

TEST(ChildProcess, SplitsOutputIntoLinesWithTheExtraEnvironment) {
  std::mutex mutex;
  std::vector<std::string> seen;
  ChildProcess child(shell("echo \"one $IIOT_CHILD_TEST\"; echo two >&2; printf three"),
                     [&](std::string_view line) {
                       const std::lock_guard lock(mutex);
                       seen.emplace_back(line);
                     },
                     {{"IIOT_CHILD_TEST", "set"}});
  EXPECT_TRUE(child.wait().exited_ok());
  EXPECT_EQ(seen, (std::vector<std::string>{"one set", "two", "three"}));
  EXPECT_EQ(child.tail(1), "two\n");
  EXPECT_EQ(child.tail(5), "one set\ntwo\n");
}

TEST(ChildProcess, AppendsOutputToALogFile) {
  const std::string log =
      ::testing::TempDir() + "child_process_test_" + std::to_string(::getpid()) + ".log";
  std::remove(log.c_str());
  {
    ChildProcess child(shell("echo out; echo err >&2"), log);
    EXPECT_TRUE(child.wait(10s).value_or(ExitStatus{}).exited_ok());
    EXPECT_EQ(child.tail(5), "");
  }
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "out\nerr\n");
  std::remove(log.c_str());
}

TEST(ChildProcess, KillsAChildStillRunningWhenDestroyed) {
  pid_t pid = 0;
  {
    ChildProcess child(shell("exec sleep 30"), [](std::string_view) {});
    pid = child.pid();
    EXPECT_TRUE(child.running());
  }
  // Reaped: the pid no longer names a process of ours.
  EXPECT_NE(::kill(pid, 0), 0);
}

TEST(ChildProcess, ReportsAProgramThatCannotStart) {
  ChildProcess child({"/nonexistent/program"}, [](std::string_view) {});
  EXPECT_EQ(child.wait().code, 127);
  EXPECT_EQ(child.tail(1), "exec failed\n");
}

}  // namespace
}  // namespace iiot::test_support

#include "app/group_id_template.h"

#include <gtest/gtest.h>

namespace iiot::app {
namespace {

TEST(GroupIdTemplate, ExpandsHostnameAndPort) {
  EXPECT_EQ(expand_group_id("iiot-gateway-{hostname}-{port}", "edge-7", 8081),
            "iiot-gateway-edge-7-8081");
  EXPECT_EQ(expand_group_id("{port}{port}", "h", 9000), "90009000");
  EXPECT_EQ(expand_group_id("{hostname}", "plant.example", 1), "plant.example");
}

TEST(GroupIdTemplate, LeavesEverythingElseAlone) {
  EXPECT_EQ(expand_group_id("iiot-gateway", "h", 8081), "iiot-gateway");
  EXPECT_EQ(expand_group_id("g-{host}-{PORT}-{", "h", 8081), "g-{host}-{PORT}-{");
  EXPECT_EQ(expand_group_id("{{port}}", "h", 80), "{80}");
  EXPECT_EQ(expand_group_id("", "h", 80), "");
}

TEST(GroupIdTemplate, LocalHostnameIsNeverEmpty) {
  EXPECT_FALSE(local_hostname().empty());
}

}  // namespace
}  // namespace iiot::app

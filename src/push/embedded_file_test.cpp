#include "push/embedded_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace iiot::push {
namespace {

TEST(EmbeddedFile, DashboardPageScriptAndStyleAreBuiltIn) {
  const EmbeddedFile* page = find_dashboard_file("/");
  ASSERT_NE(page, nullptr);
  EXPECT_EQ(page->content_type, "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<script src=\"/dashboard.js\">"), std::string_view::npos);
  EXPECT_NE(page->body.find("/dashboard.css"), std::string_view::npos);

  const EmbeddedFile* script = find_dashboard_file("/dashboard.js");
  ASSERT_NE(script, nullptr);
  EXPECT_EQ(script->content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(script->body.find("new WebSocket("), std::string_view::npos);
  ASSERT_NE(find_dashboard_file("/dashboard.css"), nullptr);
  EXPECT_EQ(find_dashboard_file("/dashboard.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(find_dashboard_file("/index.html"), nullptr);
  EXPECT_EQ(find_dashboard_file("/nothing"), nullptr);
}

TEST(EmbeddedFile, NoExternalResources) {
  // Works offline: nothing is loaded from another origin (the SVG namespace URI is a name).
  for (const EmbeddedFile& file : dashboard_files()) {
    for (const char* link : {"=\"http", "='http", "url(", "@import", "//cdn", "import("}) {
      EXPECT_EQ(file.body.find(link), std::string_view::npos) << file.url_path << ": " << link;
    }
  }
}

}  // namespace
}  // namespace iiot::push

// Files built into the binary (the dashboard), generated at build time from src/push/dashboard/
// by cmake/embed_files.cmake. Immutable static data; safe from any thread.
#pragma once

#include <span>
#include <string_view>

namespace iiot::push {

struct EmbeddedFile {
  std::string_view url_path;      // "/", "/dashboard.js", ...
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view body;
};

// The dashboard's files: the page at "/", its script and its style sheet.
std::span<const EmbeddedFile> dashboard_files();

// The dashboard file served at path (without the query string), or nullptr.
const EmbeddedFile* find_dashboard_file(std::string_view path);

}  // namespace iiot::push

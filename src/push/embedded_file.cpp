#include "push/embedded_file.h"

namespace iiot::push {

const EmbeddedFile* find_dashboard_file(std::string_view path) {
  for (const EmbeddedFile& file : dashboard_files()) {
    if (file.url_path == path) return &file;
  }
  return nullptr;
}

}  // namespace iiot::push

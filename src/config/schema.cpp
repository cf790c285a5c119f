#include "config/schema.h"

#include <algorithm>

#include "config/ascii_text.h"

namespace iiot::config {
namespace {

// Optimal string alignment distance: a swapped pair of letters counts as one edit.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (std::size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

Schema::Schema() {
  Config scratch;
  visit_fields(scratch, *this);
  for (const auto& [path, shape] : keys_) {
    for (auto dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1)) {
      sections_.insert(path.substr(0, dot));
    }
  }
}

std::optional<std::string> Schema::suggest(std::string_view parent, std::string_view name) const {
  std::optional<std::string> best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  const auto consider = [&](const std::string& path) {
    const auto dot = path.rfind('.');
    const std::string_view path_parent =
        dot == std::string::npos ? std::string_view{} : std::string_view(path).substr(0, dot);
    if (path_parent != parent) {
      return;
    }
    const std::string_view candidate =
        dot == std::string::npos ? std::string_view(path) : std::string_view(path).substr(dot + 1);
    const std::size_t distance = edit_distance(lower(name), candidate);
    if (distance <= 2 && distance * 3 <= candidate.size() && distance < best_distance) {
      best_distance = distance;
      best = path;
    }
  };
  for (const auto& [path, shape] : keys_) {
    consider(path);
  }
  for (const auto& path : sections_) {
    consider(path);
  }
  return best;
}

}  // namespace iiot::config

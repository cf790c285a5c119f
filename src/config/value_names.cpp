#include "config/value_names.h"

namespace iiot::config {
namespace {

template <typename E, std::size_t N>
std::string_view name_of(const NameTable<E, N>& table, E value) {
  for (const auto& [name, entry] : table) {
    if (entry == value) {
      return name;
    }
  }
  return "unknown";
}

}  // namespace

std::string_view to_string(OverflowPolicy policy) {
  return name_of(kOverflowPolicies, policy);
}
std::string_view to_string(OffsetReset reset) {
  return name_of(kOffsetResets, reset);
}
std::string_view to_string(LogFormat format) {
  return name_of(kLogFormats, format);
}
std::string_view to_string(RuleOp op) {
  for (const auto& [name, entry] : kRuleOps) {
    if (entry == op) {
      return name;
    }
  }
  return "?";
}

std::string_view to_string(AuthMode mode) {
  return name_of(kAuthModes, mode);
}

std::string_view to_string(TlsVersion version) {
  return name_of(kTlsVersions, version);
}

}  // namespace iiot::config

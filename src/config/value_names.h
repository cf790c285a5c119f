// The configuration file's spellings of enumerated values (overflow policies, offset resets, log
// levels and formats, auth modes, TLS versions, rule operators and severities, scope names), one
// table each, read both when parsing and by to_string(). Internal to iiot_config.
// Constants only; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

#include "config/config.h"

namespace iiot::config {

template <typename E, std::size_t N = 2>
using NameTable = std::array<std::pair<std::string_view, E>, N>;

inline constexpr NameTable<OverflowPolicy> kOverflowPolicies{{
    {"drop_oldest", OverflowPolicy::kDropOldest},
    {"disconnect", OverflowPolicy::kDisconnect},
}};
inline constexpr NameTable<OffsetReset> kOffsetResets{{
    {"earliest", OffsetReset::kEarliest},
    {"latest", OffsetReset::kLatest},
}};
inline constexpr NameTable<LogFormat> kLogFormats{{
    {"text", LogFormat::kText},
    {"json", LogFormat::kJson},
}};
inline constexpr NameTable<AuthMode, 3> kAuthModes{{
    {"none", AuthMode::kNone},
    {"token", AuthMode::kToken},
    {"jwt", AuthMode::kJwt},
}};
inline constexpr NameTable<TlsVersion> kTlsVersions{{
    {"1.2", TlsVersion::kTls12},
    {"1.3", TlsVersion::kTls13},
}};
inline constexpr NameTable<RuleOp, 6> kRuleOps{{
    {">", RuleOp::kGreater},
    {">=", RuleOp::kGreaterEqual},
    {"<", RuleOp::kLess},
    {"<=", RuleOp::kLessEqual},
    {"==", RuleOp::kEqual},
    {"!=", RuleOp::kNotEqual},
}};

inline constexpr std::array<std::string_view, 5> kLogLevels{"trace", "debug", "info", "warn",
                                                            "error"};
inline constexpr std::array<std::string_view, 4> kSeverities{"info", "warning", "error",
                                                             "critical"};
inline constexpr std::array<std::string_view, 4> kScopeAlertLevels{"info", "warning", "error",
                                                                   "critical"};
inline constexpr std::array<std::string_view, 2> kScopeTypes{"device_data", "alert"};

// The names of a table, in its order.
template <typename E, std::size_t N>
std::array<std::string_view, N> names_of(const NameTable<E, N>& table) {
  std::array<std::string_view, N> names{};
  for (std::size_t i = 0; i < N; ++i) {
    names[i] = table[i].first;
  }
  return names;
}

}  // namespace iiot::config

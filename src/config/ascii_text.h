// ASCII trimming and case folding for configuration text (key names, booleans, digests).
// Internal to iiot_config. Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace iiot::config {

// Without leading and trailing spaces, tabs, CR and LF.
std::string_view trim(std::string_view text);

// A-Z folded to a-z; every other byte kept.
std::string lower(std::string_view text);

}  // namespace iiot::config

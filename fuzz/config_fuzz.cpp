// Fuzzes parse_config (CONTRACT section 4) with arbitrary YAML text and no environment overrides.
// Text is either a valid configuration or rejected with a ConfigError whose message starts with
// "config error: "; any other exception escapes and libFuzzer reports it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "fuzz_check.h"

// libFuzzer's entry point; its name is not ours to choose.
extern "C" int LLVMFuzzerTestOneInput(  // NOLINT(readability-identifier-naming)
    const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    iiot::config::parse_config(text, [](const char*) -> const char* { return nullptr; });
  } catch (const iiot::config::ConfigError& e) {
    iiot::fuzz::require(std::string_view(e.what()).starts_with("config error: "),
                        "config error without its prefix", e.what());
  }
  return 0;
}

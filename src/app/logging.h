// Process-wide logging set-up from the log: section (level; text or JSON lines on stderr).
#pragma once

#include "config/config.h"

namespace iiot::app {

void setup_logging(const config::LogConfig& log);

}  // namespace iiot::app

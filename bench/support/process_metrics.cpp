#include "support/process_metrics.h"

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace iiot::bench {
namespace {

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

CpuTimes process_cpu_times() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return CpuTimes{seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

MemoryStatus memory_status() {
  MemoryStatus status;
  std::FILE* file = std::fopen("/proc/self/status", "r");
  if (file == nullptr) return status;
  char line[256];
  while (std::fgets(line, sizeof line, file) != nullptr) {
    auto value_of = [&](const char* key, std::int64_t& out) {
      const std::size_t n = std::strlen(key);
      if (std::strncmp(line, key, n) == 0) out = std::strtoll(line + n, nullptr, 10);
    };
    value_of("VmRSS:", status.rss_kib);
    value_of("RssAnon:", status.rss_anon_kib);
    value_of("RssFile:", status.rss_file_kib);
    value_of("VmHWM:", status.hwm_kib);
  }
  std::fclose(file);
  return status;
}

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

}  // namespace iiot::bench

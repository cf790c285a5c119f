// What the benchmark reads about its own process: CPU time (getrusage), resident memory
// (/proc/self/status) and the open-file limit. Plain functions; thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

namespace iiot::bench {

struct CpuTimes {
  double user_s = 0;
  double system_s = 0;
  double total() const { return user_s + system_s; }
};

CpuTimes process_cpu_times();  // RUSAGE_SELF: every thread of this process

struct MemoryStatus {
  std::int64_t rss_kib = 0;       // VmRSS
  std::int64_t rss_anon_kib = 0;  // RssAnon: heap and stacks, what connections cost
  std::int64_t rss_file_kib = 0;  // RssFile: mapped binaries and libraries
  std::int64_t hwm_kib = 0;       // VmHWM: peak RSS
};

MemoryStatus memory_status();

// Raises the soft RLIMIT_NOFILE to the hard limit; returns the soft limit now in force.
std::uint64_t raise_open_file_limit();

}  // namespace iiot::bench

// What this process holds right now: resident memory, threads and open file descriptors, for
// soak runs that must show nothing grows over hours (`lookalike-cli live --usage-every`).
//
// Contract: reads /proc/self (Linux); never throws (a field it cannot read is -1). Cheap
// enough to call every second: two small /proc reads and one directory listing.
#pragma once

namespace lookalike {

struct ProcessUsage {
  long rss_kb = -1;     // VmRSS
  int threads = -1;     // Threads
  int open_files = -1;  // entries of /proc/self/fd (sockets, pipes and devices count too)
};

ProcessUsage process_usage();

}  // namespace lookalike

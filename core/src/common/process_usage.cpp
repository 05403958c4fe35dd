#include "lookalike/process_usage.hpp"

#include <filesystem>
#include <fstream>
#include <string>

namespace lookalike {

ProcessUsage process_usage() {
  ProcessUsage usage;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) usage.rss_kb = std::stol(line.substr(6));
    if (line.rfind("Threads:", 0) == 0) usage.threads = std::stoi(line.substr(8));
  }
  std::error_code ec;
  int files = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++files;
  if (!ec) usage.open_files = files - 1;  // the listing's own descriptor
  return usage;
}

}  // namespace lookalike

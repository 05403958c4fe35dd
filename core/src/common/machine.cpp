#include "lookalike/machine.hpp"

#include <unistd.h>

#include <fstream>

namespace lookalike {

std::string MachineInfo::describe() const {
  return cpu + ", " + std::to_string(cores) + (cores == 1 ? " core, " : " cores, ") + isa;
}

MachineInfo machine_info() {
  MachineInfo info;
  info.cpu = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon != std::string::npos && colon + 2 <= line.size()) info.cpu = line.substr(colon + 2);
    break;
  }
  info.cores = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f"))
    info.isa = "AVX-512";
  else if (__builtin_cpu_supports("avx2"))
    info.isa = "AVX2";
  else if (__builtin_cpu_supports("sse4.2"))
    info.isa = "SSE4.2";
  else
    info.isa = "baseline x86-64";
  return info;
}

}  // namespace lookalike

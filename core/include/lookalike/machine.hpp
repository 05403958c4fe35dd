// What the benchmarks ran on: every benchmark prints this line and writes it into its JSON, so
// numbers from machines that differ (AVX-512 vs AVX2-only, core counts) are never compared
// blindly.
//
// Contract: reads /proc/cpuinfo once per call and the CPU's feature bits (GCC builtins); never
// throws (unknown fields are "unknown").
#pragma once

#include <string>

namespace lookalike {

struct MachineInfo {
  std::string cpu;  // /proc/cpuinfo "model name"
  int cores = 0;    // online logical CPUs
  std::string isa;  // the widest vector ISA: "AVX-512", "AVX2", "SSE4.2", ...
  // "AMD EPYC, 2 cores, AVX2"
  std::string describe() const;
};

MachineInfo machine_info();

}  // namespace lookalike

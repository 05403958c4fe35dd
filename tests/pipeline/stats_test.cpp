// percentile(): the one definition (linear interpolation) that the CLI's summary, the UI bench
// and the benchmarks report; machine_info(): the line every benchmark prints.
#include <gtest/gtest.h>

#include <vector>

#include "lookalike/machine.hpp"
#include "lookalike/pipeline/snapshot_json.hpp"
#include "lookalike/stats.hpp"

namespace lookalike {
namespace {

TEST(MachineInfo, NamesTheCpuItsCoresAndItsVectorIsa) {
  const MachineInfo m = machine_info();
  EXPECT_NE(m.cpu, "unknown CPU");  // Linux has /proc/cpuinfo
  EXPECT_GE(m.cores, 1);
  EXPECT_FALSE(m.isa.empty());
  const std::string line = m.describe();
  EXPECT_EQ(line.find(m.cpu), 0u) << line;
  EXPECT_NE(line.find(std::to_string(m.cores) + (m.cores == 1 ? " core" : " cores")),
            std::string::npos)
      << line;
  EXPECT_EQ(line.substr(line.size() - m.isa.size()), m.isa) << line;
}

TEST(Percentile, InterpolatesLinearlyBetweenClosestRanks) {
  const std::vector<double> v = {4, 1, 3, 2};  // unsorted on purpose
  EXPECT_DOUBLE_EQ(*percentile(v, 50), 2.5);
  EXPECT_DOUBLE_EQ(*percentile(v, 0), 1);
  EXPECT_DOUBLE_EQ(*percentile(v, 100), 4);
  EXPECT_DOUBLE_EQ(*percentile(v, 25), 1.75);
  std::vector<double> twenty;
  for (int i = 1; i <= 20; ++i) twenty.push_back(i);
  EXPECT_DOUBLE_EQ(*percentile(twenty, 95), 19.05);
  EXPECT_DOUBLE_EQ(*percentile(std::vector<double>{7}, 99), 7);
  EXPECT_DOUBLE_EQ(*percentile(v, 150), 4) << "p is clamped to 0..100";
  EXPECT_FALSE(percentile(std::vector<double>{}, 50).has_value());
}

TEST(Percentile, TheLiveSummaryUsesIt) {
  RunSummary s;
  s.face_to_name_ms = {10, 20, 30, 40};
  const auto j = summary_to_json(s).at("summary");
  EXPECT_DOUBLE_EQ(j.at("face_to_name_ms_p50").get<double>(), 25.0);
  EXPECT_DOUBLE_EQ(j.at("face_to_name_ms_p95").get<double>(), 38.5);
}

}  // namespace
}  // namespace lookalike

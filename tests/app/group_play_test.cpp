// Group play: the unique cast (Hungarian assignment, checked against brute force) and the twins
// in the room, as functions and through `lookalike-cli match --assign unique` / `twins` on the
// shared BBT and lfw10 photos.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include "lookalike/app/group_play.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

IdentityMatch candidate(std::uint32_t identity, float similarity) {
  IdentityMatch m;
  m.identity = identity;
  m.name = "id" + std::to_string(identity);
  m.similarity_percent = similarity;
  return m;
}

// The best total over every one-to-one choice (each face one of its candidates, or none).
float brute_force_best(const std::vector<std::vector<IdentityMatch>>& candidates) {
  float best = 0;
  std::vector<std::uint32_t> used;
  std::function<void(std::size_t, float)> go = [&](std::size_t face, float total) {
    if (face == candidates.size()) {
      best = std::max(best, total);
      return;
    }
    go(face + 1, total);  // this face plays nobody
    for (const auto& m : candidates[face]) {
      if (std::find(used.begin(), used.end(), m.identity) != used.end()) continue;
      used.push_back(m.identity);
      go(face + 1, total + m.similarity_percent);
      used.pop_back();
    }
  };
  go(0, 0);
  return best;
}

float total_of(const std::vector<std::vector<IdentityMatch>>& candidates,
               const std::vector<std::optional<std::size_t>>& assigned) {
  float total = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (assigned[i]) total += candidates[i][*assigned[i]].similarity_percent;
  return total;
}

void expect_one_to_one(const std::vector<std::vector<IdentityMatch>>& candidates,
                       const std::vector<std::optional<std::size_t>>& assigned) {
  std::set<std::uint32_t> seen;
  for (std::size_t i = 0; i < candidates.size(); ++i)
    if (assigned[i]) {
      EXPECT_TRUE(seen.insert(candidates[i][*assigned[i]].identity).second);
    }
}

TEST(UniqueCast, EqualsTheBruteForceOptimumOnSmallCases) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t faces = 1 + rng() % 5, pool = 1 + rng() % 6, k = 1 + rng() % 4;
    std::vector<std::vector<IdentityMatch>> candidates(faces);
    for (auto& list : candidates) {
      std::vector<std::uint32_t> ids(pool);
      std::iota(ids.begin(), ids.end(), 0u);
      std::shuffle(ids.begin(), ids.end(), rng);
      for (std::size_t j = 0; j < std::min(k, pool); ++j)
        list.push_back(candidate(ids[j], static_cast<float>(rng() % 1000) / 10.f));
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return a.similarity_percent > b.similarity_percent;
      });
    }
    const auto assigned = assign_unique_cast(candidates);
    ASSERT_EQ(assigned.size(), faces);
    expect_one_to_one(candidates, assigned);
    EXPECT_NEAR(total_of(candidates, assigned), brute_force_best(candidates), 0.01f)
        << "trial " << trial;
  }
}

TEST(UniqueCast, TwoFacesWithTheSameTopOneGetDifferentParts) {
  // Both look most like identity 1; face 0 is the better fit for it, face 1 gets its second.
  const std::vector<std::vector<IdentityMatch>> candidates = {{candidate(1, 90), candidate(2, 40)},
                                                              {candidate(1, 80), candidate(3, 75)}};
  const auto assigned = assign_unique_cast(candidates);
  ASSERT_TRUE(assigned[0] && assigned[1]);
  EXPECT_EQ(candidates[0][*assigned[0]].identity, 1u);
  EXPECT_EQ(candidates[1][*assigned[1]].identity, 3u);
}

TEST(UniqueCast, FacesWithoutADistinctCandidateGetNone) {
  const std::vector<std::vector<IdentityMatch>> candidates = {
      {candidate(5, 60)}, {candidate(5, 70)}, {candidate(5, 50)}};
  const auto assigned = assign_unique_cast(candidates);
  EXPECT_FALSE(assigned[0]);
  ASSERT_TRUE(assigned[1]);  // the best fit keeps it
  EXPECT_FALSE(assigned[2]);
  EXPECT_TRUE(assign_unique_cast({}).empty());
}

TEST(Twins, PairsComeMostAlikeFirstWithTheSamePersonVerdict) {
  Embedding a{}, b{}, c{};
  a[0] = 1.f;
  b[0] = 1.3f;  // 0.3 from a: same person
  c[1] = 1.f;   // ~1.4 from both
  const auto pairs = rank_twins({a, b, c});
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].a, 0u);
  EXPECT_EQ(pairs[0].b, 1u);
  EXPECT_TRUE(pairs[0].same_person);
  EXPECT_FALSE(pairs[2].same_person);
  EXPECT_GT(pairs[0].similarity_percent, pairs[2].similarity_percent);
  for (std::size_t i = 1; i < pairs.size(); ++i)
    EXPECT_LE(pairs[i - 1].euclidean, pairs[i].euclidean);
  EXPECT_TRUE(rank_twins({a}).empty());
}

class GroupPlayCli : public ::testing::Test {
 protected:
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    cli_ = (test::build_dir() / "app/lookalike-cli").string();
  }
  std::vector<nlohmann::json> match_lines(const std::string& gallery, const std::string& extra) {
    std::string cmd = cli_ + " match --gallery " + gallery + " --json --assign unique " + extra;
    for (const auto& f : fs::directory_iterator(test::shared_data("faces/bbt/_group")))
      cmd += " " + f.path().string();
    const auto run = test::run_command(cmd);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return test::json_lines(run.out);
  }
  std::string build(const std::string& dataset) {
    const std::string gallery = (dir_ / (dataset + ".lkg")).string();
    const auto run = test::build_gallery_with_cli(test::shared_data("faces/" + dataset), gallery);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return gallery;
  }
  std::string cli_;
  test::TempDir dir_;
};

TEST_F(GroupPlayCli, EveryBbtCastMemberPlaysThemselves) {
  const auto lines = match_lines(build("bbt"), "--top 1");
  ASSERT_EQ(lines.size(), 5u);
  for (const auto& line : lines) {
    std::set<std::string> cast;
    ASSERT_GE(line.at("faces").size(), 2u) << line.at("image");
    for (const auto& face : line.at("faces")) {
      const std::string own = face.at("matches").at(0).at("name");
      const std::string part = face.at("assigned").at("name");
      EXPECT_EQ(part, own) << line.at("image");  // the cast is in the gallery: nobody moves
      EXPECT_TRUE(cast.insert(part).second) << part << " twice in " << line.at("image");
    }
  }
}

TEST_F(GroupPlayCli, StrangersGetDistinctPartsWithTheBestTotal) {
  // The BBT cast against lfw10: several faces share a top-1; the cast is the optimum.
  const auto lines = match_lines(build("lfw10"), "--top 10");
  ASSERT_EQ(lines.size(), 5u);
  bool someone_moved = false;
  for (const auto& line : lines) {
    std::vector<std::vector<IdentityMatch>> candidates;
    std::map<std::string, std::uint32_t> ids;
    float assigned_total = 0;
    std::set<std::string> cast;
    for (const auto& face : line.at("faces")) {
      auto& list = candidates.emplace_back();
      for (const auto& m : face.at("matches")) {
        const auto id = ids.try_emplace(m.at("name"), ids.size()).first->second;
        list.push_back(candidate(id, m.at("similarity").get<float>()));
      }
      const auto& part = face.at("assigned");
      assigned_total += part.at("similarity").get<float>();
      EXPECT_TRUE(cast.insert(part.at("name")).second) << line.at("image");
      someone_moved |= part.at("name") != face.at("matches").at(0).at("name");
    }
    EXPECT_NEAR(assigned_total, brute_force_best(candidates), 0.05f * candidates.size())
        << line.at("image");
  }
  EXPECT_TRUE(someone_moved) << "no two strangers shared a top-1: the case tests nothing";
}

TEST_F(GroupPlayCli, TwinsPairPhotosOfTheSamePersonFirst) {
  const fs::path lfw = test::shared_data("faces/lfw10");
  std::string cmd = cli_ + " twins --json";
  std::vector<std::string> who;
  for (const std::string name : {"Colin_Powell", "Tony_Blair", "Hugo_Chavez"})
    for (const char* n : {"_0001.jpg", "_0002.jpg"}) {
      cmd += " " + (lfw / name / (name + n)).string();
      who.push_back(name);
    }
  const auto run = test::run_command(cmd);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  ASSERT_EQ(j.at("people").size(), 6u);  // one centred face per LFW photo
  const auto& pairs = j.at("pairs");
  ASSERT_EQ(pairs.size(), 15u);
  for (std::size_t k = 0; k < 3; ++k) {
    const auto a = pairs[k].at("a").get<std::size_t>(), b = pairs[k].at("b").get<std::size_t>();
    EXPECT_EQ(who[a], who[b]) << "pair " << k << ": " << pairs[k].dump();
    EXPECT_TRUE(pairs[k].at("same_person").get<bool>());
  }
  for (std::size_t k = 1; k < pairs.size(); ++k)
    EXPECT_LE(pairs[k - 1].at("distance").get<double>(), pairs[k].at("distance").get<double>());
  EXPECT_TRUE(j.at("errors").empty());

  const auto one =
      test::run_command(cli_ + " twins " + (lfw / "Tony_Blair/Tony_Blair_0001.jpg").string());
  EXPECT_EQ(one.exit_code, 2);
  EXPECT_NE(one.err.find("at least two people"), std::string::npos) << one.err;
}

}  // namespace
}  // namespace lookalike::app

#include "lookalike/app/group_play.hpp"

#include <dlib/optimization/max_cost_assignment.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "lookalike/gallery/similarity.hpp"

namespace lookalike::app {

std::vector<std::optional<std::size_t>> assign_unique_cast(
    const std::vector<std::vector<IdentityMatch>>& candidates) {
  const std::size_t faces = candidates.size();
  std::vector<std::optional<std::size_t>> assigned(faces);
  // Columns: every identity some face has among its candidates.
  std::map<std::uint32_t, std::size_t> column_of;
  for (const auto& list : candidates)
    for (const auto& m : list) column_of.try_emplace(m.identity, column_of.size());
  if (faces == 0 || column_of.empty()) return assigned;
  // The solver wants a square integer matrix: similarity in 1e-4 % steps, +1 so that any real
  // candidate beats a padding cell (0: "not among this face's candidates").
  const std::size_t n = std::max(faces, column_of.size());
  dlib::matrix<long> cost = dlib::zeros_matrix<long>(static_cast<long>(n), static_cast<long>(n));
  for (std::size_t i = 0; i < faces; ++i)
    for (const auto& m : candidates[i])
      cost(static_cast<long>(i), static_cast<long>(column_of[m.identity])) =
          1 + std::lround(static_cast<double>(m.similarity_percent) * 1e4);
  const std::vector<long> column = dlib::max_cost_assignment(cost);
  for (std::size_t i = 0; i < faces; ++i) {
    const auto& list = candidates[i];
    for (std::size_t k = 0; k < list.size(); ++k)
      if (column_of[list[k].identity] == static_cast<std::size_t>(column[i])) assigned[i] = k;
  }
  return assigned;
}

std::vector<TwinPair> rank_twins(const std::vector<Embedding>& people) {
  std::vector<TwinPair> pairs;
  for (std::size_t a = 0; a < people.size(); ++a)
    for (std::size_t b = a + 1; b < people.size(); ++b) {
      TwinPair p;
      p.a = a;
      p.b = b;
      p.euclidean = euclidean_distance(people[a], people[b]);
      p.similarity_percent = similarity_percent(p.euclidean);
      p.same_person = p.euclidean < kSamePersonDistance;
      pairs.push_back(p);
    }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const TwinPair& x, const TwinPair& y) { return x.euclidean < y.euclidean; });
  return pairs;
}

}  // namespace lookalike::app

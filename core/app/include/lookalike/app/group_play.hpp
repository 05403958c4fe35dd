// Group play: one distinct celebrity per person (the unique cast) and the people present ranked
// by resemblance to each other (the twins in the room).
//
// Contract: pure functions of their inputs (value types, no I/O, thread-compatible).
// assign_unique_cast() maximizes the total similarity over every one-to-one assignment of faces
// to identities inside the faces' candidate lists, with dlib's Hungarian solver
// (max_cost_assignment); a face gets nullopt only when the candidates cannot give every face a
// distinct identity (ask for at least as many candidates per face as there are faces: then they
// always can). rank_twins() uses the similarity mapping users see everywhere else, on the
// Euclidean distance between two people's descriptors.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "lookalike/gallery/search_types.hpp"
#include "lookalike/types.hpp"

namespace lookalike::app {

// candidates[i]: face i's matches, best first. Returns, per face, the index into candidates[i]
// of the identity it plays.
std::vector<std::optional<std::size_t>> assign_unique_cast(
    const std::vector<std::vector<IdentityMatch>>& candidates);

struct TwinPair {
  std::size_t a = 0, b = 0;  // indices into the people given, a < b
  float euclidean = 0.f;
  float similarity_percent = 0.f;
  bool same_person = false;  // below dlib's 0.6 margin
};

// Every pair of `people`, most alike first (ties: by a, then b).
std::vector<TwinPair> rank_twins(const std::vector<Embedding>& people);

}  // namespace lookalike::app

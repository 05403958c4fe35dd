// Only look-alikes of one gender (the seed's "filter the gallery to the same gender"). One
// implementation for `lookalike-cli match --gender`, photo mode's "only look-alikes of my gender"
// and the live pipeline's tracks (the app's and the kiosk's `search.same_gender`). Genders are
// estimates (the face's from GenderAgeEstimator, a folder gallery's from its photos), never facts
// about a person.
//
// Contract: pure functions, thread-safe. `same` with a face whose gender is unknown does not
// filter (there is nothing to compare); identities of unknown gender are left out by every
// filter but `any`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lookalike/gallery/search_types.hpp"
#include "lookalike/gender.hpp"

namespace lookalike {

enum class GenderFilter { any, same, female, male };
std::string_view to_string(GenderFilter filter);
std::optional<GenderFilter> gender_filter_from_string(std::string_view name);
std::vector<std::string> gender_filter_names();  // "any", "same", "female", "male"

// The gender the face's matches must have; nullopt = no filter.
std::optional<Gender> wanted_gender(GenderFilter filter, Gender face);

// The top `search.top_k` identities of gender `wanted` (all of them when nullopt): searches
// deeper than top_k as needed so the filter does not leave the list short.
std::vector<IdentityMatch> match_gender(const IdentityMatcher& gallery, const Embedding& query,
                                        const SearchOptions& search, std::optional<Gender> wanted);

}  // namespace lookalike

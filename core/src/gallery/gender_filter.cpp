#include "lookalike/gallery/gender_filter.hpp"

#include <algorithm>
#include <array>

namespace lookalike {
namespace {

constexpr std::array<std::pair<GenderFilter, std::string_view>, 4> kNames = {{
    {GenderFilter::any, "any"},
    {GenderFilter::same, "same"},
    {GenderFilter::female, "female"},
    {GenderFilter::male, "male"},
}};

}  // namespace

std::string_view to_string(GenderFilter filter) {
  for (const auto& [f, name] : kNames)
    if (f == filter) return name;
  return "any";
}

std::vector<std::string> gender_filter_names() {
  std::vector<std::string> names;
  for (const auto& [f, name] : kNames) names.emplace_back(name);
  return names;
}

std::optional<GenderFilter> gender_filter_from_string(std::string_view name) {
  for (const auto& [f, n] : kNames)
    if (n == name) return f;
  return std::nullopt;
}

std::optional<Gender> wanted_gender(GenderFilter filter, Gender face) {
  switch (filter) {
    case GenderFilter::female:
      return Gender::female;
    case GenderFilter::male:
      return Gender::male;
    case GenderFilter::same:
      if (face != Gender::unknown) return face;
      break;
    case GenderFilter::any:
      break;
  }
  return std::nullopt;
}

std::vector<IdentityMatch> match_gender(const IdentityMatcher& gallery, const Embedding& query,
                                        const SearchOptions& search, std::optional<Gender> wanted) {
  if (!wanted) return gallery.match(query, search);
  const int identities = static_cast<int>(gallery.identity_count());
  // Usually a few times top_k suffice (about half the gallery qualifies); else everyone.
  SearchOptions deeper = search;
  for (int depth : {std::max(search.top_k * 4, 32), identities}) {
    deeper.top_k = std::min(depth, identities);
    auto matches = gallery.match(query, deeper);
    std::erase_if(matches, [&](const IdentityMatch& m) {
      return gallery.identity_gender(m.identity) != *wanted;
    });
    if (static_cast<int>(matches.size()) >= search.top_k || deeper.top_k >= identities) {
      if (matches.size() > static_cast<std::size_t>(search.top_k))
        matches.resize(static_cast<std::size_t>(search.top_k));
      return matches;
    }
  }
  return {};
}

}  // namespace lookalike

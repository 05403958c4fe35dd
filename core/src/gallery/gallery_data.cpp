// GalleryData helpers and the small to_string functions of the gallery area.
#include "lookalike/gallery/gallery_data.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "lookalike/gallery/gallery_error.hpp"
#include "lookalike/gallery/search_types.hpp"

namespace lookalike {
namespace {
bool iequals(const std::string& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}
}  // namespace

const char* to_string(Gender gender) {
  switch (gender) {
    case Gender::female:
      return "female";
    case Gender::male:
      return "male";
    case Gender::unknown:
      break;
  }
  return "unknown";
}

std::optional<Gender> gender_from_string(std::string_view name) {
  for (Gender g : {Gender::unknown, Gender::female, Gender::male})
    if (name == to_string(g)) return g;
  return std::nullopt;
}

const char* to_string(GalleryError::Kind kind) {
  switch (kind) {
    case GalleryError::Kind::io:
      return "io";
    case GalleryError::Kind::not_a_gallery:
      return "not_a_gallery";
    case GalleryError::Kind::truncated:
      return "truncated";
    case GalleryError::Kind::corrupted:
      return "corrupted";
    case GalleryError::Kind::wrong_version:
      return "wrong_version";
    case GalleryError::Kind::wrong_model:
      return "wrong_model";
    case GalleryError::Kind::invalid_data:
      return "invalid_data";
  }
  return "unknown";
}

namespace {
struct MetricName {
  Metric metric;
  std::string_view name;
};
constexpr std::array<MetricName, 3> kMetricNames = {{{Metric::euclidean, "euclidean"},
                                                     {Metric::cosine, "cosine"},
                                                     {Metric::mahalanobis, "mahalanobis"}}};
constexpr std::array<Metric, kMetricNames.size()> kMetrics = [] {
  std::array<Metric, kMetricNames.size()> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = kMetricNames[i].metric;
  return out;
}();
}  // namespace

std::span<const Metric> all_metrics() {
  return kMetrics;
}

std::string_view to_string(Metric metric) {
  for (const auto& m : kMetricNames)
    if (m.metric == metric) return m.name;
  return "euclidean";
}

Metric metric_from_string(std::string_view name) {
  std::string expected;
  for (const auto& m : kMetricNames) {
    if (m.name == name) return m.metric;
    expected += (expected.empty() ? "" : ", ") + std::string(m.name);
  }
  throw std::invalid_argument("unknown metric '" + std::string(name) + "' (expected one of " +
                              expected + ")");
}

int GalleryData::find_identity(const std::string& name) const {
  for (std::size_t i = 0; i < identities.size(); ++i) {
    if (iequals(identities[i].name, name)) return static_cast<int>(i);
    for (const auto& alias : identities[i].aliases)
      if (iequals(alias, name)) return static_cast<int>(i);
  }
  return -1;
}

bool GalleryData::remove_identity(const std::string& name) {
  const int index = find_identity(name);
  if (index < 0) return false;
  const auto removed = static_cast<std::uint32_t>(index);
  identities.erase(identities.begin() + index);
  std::erase_if(photos, [&](const PhotoEntry& p) { return p.identity == removed; });
  for (auto& p : photos)
    if (p.identity > removed) --p.identity;
  return true;
}

}  // namespace lookalike

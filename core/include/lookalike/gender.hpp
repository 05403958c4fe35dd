// Gender as the gallery stores it and the gender/age estimator reports it (gender_age.hpp).
// Contract: a plain enum whose values are the gallery file's byte (format.hpp): never renumber.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lookalike {

enum class Gender : std::uint8_t { unknown = 0, female = 1, male = 2 };
const char* to_string(Gender gender);
// "female", "male" or "unknown" (as to_string writes them); nullopt for anything else.
std::optional<Gender> gender_from_string(std::string_view name);

}  // namespace lookalike

// Fuzz target: the desktop settings TOML (parse_settings, ui/.../view_models/settings.hpp).
// Accepted settings must be usable: the clamped numbers in range (NaN included: `nan` is valid
// TOML), and writing them out and reading them back gives the same settings.
// Finding: a crash or sanitizer report, an exception other than std::runtime_error from
// parse_settings, any exception on the round trip, or a broken range / round trip.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "lookalike/ui/view_models/settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using lookalike::ui::Settings;
  Settings settings;
  try {
    settings =
        lookalike::ui::parse_settings(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const std::runtime_error&) {
    return 0;
  }
  const auto& k = settings.kiosk;
  const bool in_range =
      settings.search.top_k >= 1 && settings.search.top_k <= 10 &&
      settings.search.same_person_threshold >= 0.2f &&
      settings.search.same_person_threshold <= 1.2f && settings.ui_scale >= 0.5f &&
      settings.ui_scale <= 3.0f && k.dwell_seconds >= 0.2 && k.dwell_seconds <= 10.0 &&
      k.hold_seconds >= 1.0 && k.hold_seconds <= 60.0 && k.leave_seconds >= 0.2 &&
      k.leave_seconds <= 30.0 && settings.recent_galleries.size() <= Settings::kMaxRecent;
  if (!in_range) std::abort();
  const Settings again = lookalike::ui::parse_settings(lookalike::ui::format_settings(settings));
  if (!(again == settings)) std::abort();
  return 0;
}

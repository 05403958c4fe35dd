// The gender/age estimator of `match` and `embed`: their JSON carries every face's estimate.
#pragma once

#include <iostream>
#include <memory>

#include "lookalike/engine/gender_age.hpp"

namespace lookalike::cli {

// The estimator from the installed human-models, or null after saying why on stderr: an error
// when the command needs it (`match --gender same`), else a note (the faces then say
// "unknown").
inline std::unique_ptr<GenderAgeEstimator> load_gender_age_estimator(bool required) {
  try {
    return GenderAgeEstimator::load();
  } catch (const std::exception& e) {
    std::cerr << (required ? "error: " : "note: no gender/age estimates: ") << e.what() << "\n";
    return nullptr;
  }
}

}  // namespace lookalike::cli

// Process-wide cache of immutable model data (weights, landmark model), so that N engines
// share one copy. Thread-safe; entries live until the process ends.
#pragma once

#include <filesystem>
#include <memory>

#include "lookalike/engine/aligner.hpp"
#include "lookalike/engine/resnet_weights.hpp"

namespace lookalike::detail {

std::shared_ptr<const ResNetWeights> cached_weights(const std::filesystem::path& path);
std::shared_ptr<const LandmarkModel> cached_landmarks(const std::filesystem::path& path);

}  // namespace lookalike::detail

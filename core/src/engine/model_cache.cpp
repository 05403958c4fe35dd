#include "model_cache.hpp"

#include <map>
#include <mutex>

namespace lookalike::detail {
namespace {
template <typename T, typename Load>
std::shared_ptr<const T> cached(const std::filesystem::path& path, Load load) {
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::shared_ptr<const T>> entries;
  std::lock_guard lock(mutex);  // loading under the lock: concurrent creators wait, load once
  auto& entry = entries[path];
  if (!entry) entry = load(path);
  return entry;
}
}  // namespace

std::shared_ptr<const ResNetWeights> cached_weights(const std::filesystem::path& path) {
  return cached<ResNetWeights>(path, [](const auto& p) {
    return std::make_shared<const ResNetWeights>(load_resnet_weights(p));
  });
}

std::shared_ptr<const LandmarkModel> cached_landmarks(const std::filesystem::path& path) {
  return cached<LandmarkModel>(path, [](const auto& p) { return LandmarkModel::load(p); });
}

}  // namespace lookalike::detail

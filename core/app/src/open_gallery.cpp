#include "lookalike/app/open_gallery.hpp"

#include <spdlog/spdlog.h>

#include "lookalike/app/default_gallery.hpp"
#include "lookalike/errors.hpp"

namespace lookalike::app {

std::shared_ptr<const Gallery> open_gallery(const std::filesystem::path& path,
                                            const EngineOptions& engine) {
  GalleryLoadOptions load;
  try {
    load.expected_model = FaceEngine::model_info(engine);  // read once, then cached
  } catch (const ModelError& e) {
    spdlog::warn("{}: not checked against the face model yet: {}", path.string(), e.what());
  }
  return Gallery::load(path, load);
}

std::shared_ptr<const Gallery> open_gallery_or_default(const std::filesystem::path& explicit_path,
                                                       const EngineOptions& engine) {
  if (!explicit_path.empty()) return open_gallery(explicit_path, engine);
  if (const auto fallback = default_gallery()) return open_gallery(*fallback, engine);
  spdlog::warn("no gallery given and no default gallery: detection and tracking only");
  return nullptr;
}

}  // namespace lookalike::app

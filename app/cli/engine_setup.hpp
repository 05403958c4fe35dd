// Options every engine-using subcommand shares (--detector, --upsample, --embedder), parsed
// into EngineOptions.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "lookalike/engine/engine.hpp"

namespace lookalike::cli {

struct EngineFlags {
  std::string detector = "hog";
  int upsample = 0;
  std::string embedder = "onednn";

  void add_to(CLI::App& app) {
    app.add_option("--detector", detector, "face detector: hog or haar")
        ->check(CLI::IsMember({"hog", "haar"}))
        ->capture_default_str();
    app.add_option("--upsample", upsample,
                   "pyramid-up steps before detection (finds smaller faces)")
        ->check(CLI::Range(0, 3))
        ->capture_default_str();
    app.add_option("--embedder", embedder, "network backend: onednn or opencv_dnn")
        ->check(CLI::IsMember({"onednn", "opencv_dnn"}))
        ->capture_default_str();
  }

  EngineOptions options() const {
    EngineOptions o;
    o.detector.kind = detector_kind_from_string(detector);
    o.detector.upsample = upsample;
    o.embedder = embedder == "opencv_dnn" ? EmbedderKind::opencv_dnn : EmbedderKind::onednn;
    return o;
  }
};

}  // namespace lookalike::cli

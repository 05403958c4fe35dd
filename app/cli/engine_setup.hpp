// Options every engine-using subcommand shares (--detector, --upsample, --embedder), parsed
// into EngineOptions, and the gallery those subcommands open (`--gallery`, else the default).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include <iostream>
#include <memory>

#include "lookalike/app/default_gallery.hpp"
#include "lookalike/app/open_gallery.hpp"
#include "lookalike/engine/engine.hpp"

namespace lookalike::cli {

struct EngineFlags {
  std::string detector = "hog";
  int upsample = 0;
  std::string embedder = "onednn";

  void add_to(CLI::App& app) {
    app.add_option("--detector", detector,
                   "face detector: hog, haar, blazeface (short range up to 640 px, full range "
                   "above), blazeface-front or blazeface-back")
        ->check(CLI::IsMember(detector_names()))
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

// --jitter N for every command that embeds faces (AnalyzeOptions::jitter): a negative or huge
// count is refused before any model loads, saying the allowed range.
inline void add_jitter_option(CLI::App& command, int& jitter, const std::string& what) {
  command
      .add_option("--jitter", jitter,
                  "average " + what +
                      " over N jittered copies of each face chip (dlib's "
                      "jitter_image; 0 = the chip alone; each copy costs one more network pass)")
      ->check(
          [](const std::string& text) -> std::string {
            try {
              std::size_t used = 0;
              const long n = std::stol(text, &used);
              if (used == text.size() && n >= 0 && n <= kMaxJitter) return {};
            } catch (const std::exception&) {
            }
            return text + " is not a number of copies from 0 to " + std::to_string(kMaxJitter) +
                   " (dlib's LFW figure uses 100)";
          },
          "0.." + std::to_string(kMaxJitter))
      ->capture_default_str();
}

// `path`, else the default gallery, checked against the engine of `flags`; null after printing
// why not (no gallery, damaged, other weights): the command exits 2 then.
inline std::shared_ptr<const Gallery> open_gallery_or_say_why(const std::string& path,
                                                              const EngineFlags& flags) {
  try {
    return app::open_gallery(app::resolve_gallery(path), flags.options());
  } catch (const std::runtime_error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return nullptr;
  }
}

}  // namespace lookalike::cli

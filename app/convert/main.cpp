// lookalike-convert: face-api's TF.js FaceRecognitionNet export -> the engine's weights file.
// Run by models/fetch; usable by hand: lookalike-convert MODEL_DIR OUTPUT.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include "lookalike/build_config.hpp"

#include "lookalike/engine/resnet_weights.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Convert face-api's face_recognition_model (TF.js) to Lookalike's weights file"};
  app.set_version_flag("--version", std::string("lookalike-convert ") + LOOKALIKE_VERSION);
  std::string model_dir, output;
  app.add_option("model_dir", model_dir, "face-api model/ folder (manifest + .bin)")->required();
  app.add_option("output", output, "weights file to write")->required();
  CLI11_PARSE(app, argc, argv);
  try {
    lookalike::TfjsLoadReport report;
    auto weights = lookalike::load_tfjs_weights(model_dir, &report);
    lookalike::save_resnet_weights(weights, output);
    std::cout << "converted " << report.tensors << " tensors (" << report.quantized_tensors
              << " uint8-quantized), " << report.weights << " weights, source sha256 "
              << weights.source_sha256 << " -> " << output << "\n";
  } catch (const std::exception& e) {
    std::cerr << "lookalike-convert: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

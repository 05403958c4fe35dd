// The per-image loop shared by `embed` and `match`: a bad file is reported (one JSON error line
// or a message on stderr) and the batch goes on; the result is the exit code (1 if any input
// failed).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lookalike/engine/image_io.hpp"

namespace lookalike::cli {

// --try-rotations / --no-try-rotations (on by default: single photos may be sideways).
inline void add_try_rotations_flag(CLI::App& command, bool& try_rotations) {
  command.add_flag("--try-rotations,!--no-try-rotations", try_rotations,
                   "look in the photo turned 90/270/180 degrees when no face is upright "
                   "(default on)");
}

// " (found with the photo turned 90 degrees)" for a turned face, "" for an upright one.
inline std::string turned_note(int rotation) {
  return rotation == 0 ? std::string()
                       : " (found with the photo turned " + std::to_string(rotation) + " degrees)";
}

// `analyze` fills `line` for one decoded image (and prints text output when not --json).
inline int for_each_image(const std::vector<std::string>& images, bool json,
                          const std::function<void(const std::string& path, const cv::Mat& image,
                                                   nlohmann::json& line)>& analyze) {
  bool any_failed = false;
  for (const std::string& path : images) {
    nlohmann::json line = {{"image", path}, {"faces", nlohmann::json::array()}};
    try {
      analyze(path, load_image(path), line);
    } catch (const std::exception& e) {
      any_failed = true;
      line = {{"image", path}, {"error", e.what()}};
      if (!json) std::cerr << "error: " << e.what() << "\n";
    }
    if (json) std::cout << line.dump() << "\n" << std::flush;
  }
  return any_failed ? 1 : 0;
}

}  // namespace lookalike::cli

// The per-image loop shared by `embed` and `match`: a bad file is reported (one JSON error line
// or a message on stderr) and the batch goes on; the result is the exit code (1 if any input
// failed).
#pragma once

#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "lookalike/engine/image_io.hpp"

namespace lookalike::cli {

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

// Error types thrown by core. Every message names the file or device involved and, where the
// user can do something about it, says what to do.
#pragma once

#include <stdexcept>
#include <string>

namespace lookalike {

// A model file is missing, unreadable or not the expected network. The message says which
// file and which command fetches it.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An input image cannot be used: missing, a directory, not an image, truncated, too large.
class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lookalike

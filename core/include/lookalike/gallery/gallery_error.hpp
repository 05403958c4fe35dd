// Why a gallery file was refused. Every message starts with the file's path, says what is
// wrong and what to do about it.
#pragma once

#include <stdexcept>
#include <string>

namespace lookalike {

class GalleryError : public std::runtime_error {
 public:
  enum class Kind {
    io,             // cannot open, read or map the file
    not_a_gallery,  // wrong magic: some other file
    truncated,      // shorter than its header says (interrupted copy or download)
    corrupted,      // checksum mismatch or inconsistent tables (disk or transfer damage)
    wrong_version,  // written by another format version of Lookalike
    wrong_model,    // embeddings from different model weights: not comparable
    invalid_data,   // the data handed to the writer is inconsistent
  };
  GalleryError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

const char* to_string(GalleryError::Kind kind);

}  // namespace lookalike

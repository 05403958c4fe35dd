// The builder's checkpoint: an append-only file of finished photos so an interrupted build
// resumes. Internal to core.
//
// Layout: "LKCKPT01", u32 length + model weights SHA-256, then records
// [u32 payload length][payload][u64 XXH64(payload)]. A finished photo's payload ends with its
// head pose (added later: records without it still decode, as photos without a pose). A torn or
// damaged tail (a kill during a write) is detected by length/checksum and cut off on open;
// everything before it is kept. A checkpoint of another model (or jitter: the key the builder
// passes) is discarded. Not thread-safe: owned by the builder's coordinating thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "lookalike/engine/gender_age.hpp"
#include "lookalike/engine/head_pose.hpp"
#include "lookalike/types.hpp"

namespace lookalike::detail {

struct PhotoResult {
  std::string source;
  bool ok = false;
  Embedding embedding{};
  float quality = 0.f;
  std::vector<unsigned char> thumbnail_jpeg;
  std::string reason;            // why it was skipped (when !ok)
  std::optional<HeadPose> pose;  // of the face, from its landmarks (when ok)
  GenderAgeEstimate estimate;    // of the face (when ok and the estimator ran)
};

class Checkpoint {
 public:
  // Opens or creates `path`; fills `existing` with the records already there.
  Checkpoint(const std::filesystem::path& path, const std::string& model_sha256,
             std::vector<PhotoResult>& existing);
  ~Checkpoint();
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;

  void append(const PhotoResult& result);
  void sync();  // fdatasync

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace lookalike::detail

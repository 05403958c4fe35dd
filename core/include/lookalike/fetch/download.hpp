// HTTP(S) downloads that survive real networks: resume, verification, progress, cancel.
//
// Contract: download() writes to DEST.part (resuming an existing .part with an HTTP Range
// request; a server that ignores the range restarts the file), then checks the expected size
// and checksum and only then renames DEST.part to DEST (fsync before the rename). On any
// failure it throws FetchError naming the URL or file and the problem; the .part stays for the
// next try unless its content is known to be wrong (checksum or size mismatch: deleted; an
// empty .part is not left behind either). Cancelling via the stop token throws FetchCancelled
// and keeps the .part. A .part is locked (flock) while in use: a second download of the same
// file fails instead of interleaving bytes. Blocking; one call per thread; libcurl is
// initialised once per process behind the scenes. Uses libcurl from Debian.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>

namespace lookalike::fetch {

struct FetchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct FetchCancelled : FetchError {
  using FetchError::FetchError;
};

// "sha256:HEX" or "md5:HEX" (a bare 64-digit HEX means sha256). Empty: not checked.
struct Checksum {
  std::string algorithm;                           // "sha256" or "md5"; empty when not set
  std::string hex;                                 // lowercase
  static Checksum parse(const std::string& text);  // throws FetchError on a malformed value
  bool empty() const { return hex.empty(); }
  std::string to_string() const;  // "sha256:HEX"
};

// Hex digest of a file's content with `algorithm` (OpenSSL EVP). Throws FetchError.
std::string file_digest(const std::filesystem::path& file, const std::string& algorithm);

struct TransferProgress {
  std::uint64_t received = 0;   // bytes of the whole file present so far (resumed part too)
  std::uint64_t total = 0;      // 0 when unknown
  double bytes_per_second = 0;  // smoothed rate of this session
  double eta_seconds = -1;      // < 0 when unknown
};
using ProgressFn = std::function<void(const TransferProgress&)>;

struct DownloadRequest {
  std::string url;
  std::filesystem::path destination;           // the final file; DEST.part while in progress
  std::optional<std::uint64_t> expected_size;  // checked before the rename
  Checksum expected_checksum;                  // checked before the rename
  std::chrono::seconds connect_timeout{15};
  // The transfer is abandoned when it moves less than one byte per second for this long.
  std::chrono::seconds stall_timeout{30};
};

// Returns the destination. Throws FetchError / FetchCancelled.
std::filesystem::path download(const DownloadRequest& request, std::stop_token stop = {},
                               const ProgressFn& progress = {});

}  // namespace lookalike::fetch

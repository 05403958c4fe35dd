// Small file utilities used across core: atomic writes and SHA-256.
//
// Contract: write_file_atomically writes to `<path>.tmp-<pid>-<n>`, fsyncs it, renames it over
// `path` and fsyncs the directory, so readers see either the old or the new file, never a
// partial one; on any failure the temp file is removed and std::runtime_error names the path.
// All functions are thread-safe.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lookalike {

// `write` is handed a FILE-like sink: call it with byte spans in order.
using ByteSink = std::function<void(std::span<const std::byte>)>;
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(const ByteSink&)>& produce);
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);

std::vector<std::byte> read_file_bytes(const std::filesystem::path& path);

// Why files cannot be written into `dir` (created if missing), or nullopt when they can: a
// probe file is created and removed, so read-only mounts, permissions and a file in the way all
// count (access(2) would miss what root may not do on a read-only filesystem).
std::optional<std::string> why_not_writable(const std::filesystem::path& dir);

// An errno in words for messages: "the disk is full (No space left on device)" for ENOSPC and
// EDQUOT, "the file size limit was reached (File too large)" for EFBIG, strerror otherwise.
std::string errno_text(int error);

std::string sha256_hex(std::span<const std::byte> bytes);
// Lower-case hex of a digest's bytes.
std::string to_hex(std::span<const unsigned char> bytes);
std::string sha256_file_hex(const std::filesystem::path& path);

}  // namespace lookalike

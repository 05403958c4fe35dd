// A whole gallery or index file read into memory. Internal to core.
//
// Why not mmap: a gallery replaced in place or truncated while a running app has it mapped
// turns the next read of a vanished page into SIGBUS, killing the app. A private copy is immune,
// and the gallery loader reads every byte at open anyway (checksums), so the copy costs one
// memcpy-speed pass. Contract: the bytes are what the file held when it was read (a file that
// shrinks while being read is refused). Throws GalleryError(io) naming the path on failure.
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace lookalike::detail {

std::vector<std::byte> read_file_snapshot(const std::filesystem::path& path);

}  // namespace lookalike::detail

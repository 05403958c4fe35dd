// Unpacking downloaded archives without trusting them (libarchive from Debian).
//
// Contract: extract_archive() unpacks regular files and directories of a tar (any compression
// libarchive reads), zip or other libarchive format into `destination` (created; must not exist
// or be empty). It refuses the whole archive, throwing FetchError naming the archive and the
// member, on: absolute paths, ".." components, symlinks, hardlinks, devices and FIFOs, a member
// or a total larger than the limits (sizes from the headers and bytes actually written both
// count, so a sparse or lying member cannot fill the disk). Nothing is ever written outside
// `destination`; on failure `destination` is removed. Honours the stop token (FetchCancelled).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

#include "lookalike/fetch/download.hpp"

namespace lookalike::fetch {

struct ExtractLimits {
  std::uint64_t max_member_bytes = 64ull << 20;  // one file
  std::uint64_t max_total_bytes = 16ull << 30;   // all files together
  std::uint64_t max_members = 2'000'000;
};

struct ExtractSummary {
  std::uint64_t files = 0;
  std::uint64_t directories = 0;
  std::uint64_t bytes = 0;
};

// progress(members_done, bytes_done) after each member; may be empty.
using ExtractProgressFn = std::function<void(std::uint64_t members, std::uint64_t bytes)>;

ExtractSummary extract_archive(const std::filesystem::path& archive,
                               const std::filesystem::path& destination,
                               const ExtractLimits& limits = {}, std::stop_token stop = {},
                               const ExtractProgressFn& progress = {});

// Extracts only the members whose archive path equals one of `members`, each to
// destination/<member's file name>. Same refusals; throws FetchError if one is missing.
void extract_members(const std::filesystem::path& archive, const std::vector<std::string>& members,
                     const std::filesystem::path& destination, const ExtractLimits& limits = {});

}  // namespace lookalike::fetch

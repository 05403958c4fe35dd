// XXH64 (Yann Collet's public xxHash64 algorithm, seed 0): the gallery and index checksum.
// Fast enough (~10 GB/s) to verify a gallery of a million photos at every load. Pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lookalike::detail {

std::uint64_t xxh64(std::span<const std::byte> bytes, std::uint64_t seed = 0);

}  // namespace lookalike::detail

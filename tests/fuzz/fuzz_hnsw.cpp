// Fuzz target: the HNSW index loader (HnswIndex::load, hnsw_index.hpp) on an arbitrary FILE.hnsw,
// then a search on what it accepted. The first input byte is the photo count the gallery header
// would announce (0-255); the rest is the file.
// Gallery::load checks the index against the size and XXH64 recorded in the gallery header, but
// a hostile gallery carries matching ones, so load() itself must refuse a malformed graph.
// Finding: a crash or sanitizer report, or an exception other than std::runtime_error.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz_support.hpp"
#include "lookalike/gallery/hnsw_index.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t count = data[0];
  const auto path = lookalike::fuzz::scratch().write("input.hnsw", data + 1, size - 1);
  try {
    const auto index = lookalike::HnswIndex::load(path, count, 16);
    lookalike::Embedding query{};
    for (std::size_t i = 0; i < query.size(); ++i) query[i] = (i % 3 == 0) ? 0.1f : -0.05f;
    const auto hits = index->search(query, 4);
    for (const auto& [distance, photo] : hits)
      if (photo >= count) std::abort();  // a label outside the gallery would index past it
  } catch (const std::runtime_error&) {
  }
  return 0;
}

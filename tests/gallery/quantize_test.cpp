// The one int8 quantizer (core/src/gallery/quantize.hpp): its round-trip error bound, clamping,
// the stored scale, and that the gallery's int8 copy and the HNSW graph quantize to the very
// bytes it produces (the int8 candidate pass's query calls the same function).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "lookalike/gallery/hnsw_index.hpp"
#include "quantize.hpp"
#include "synthetic.hpp"

namespace lookalike {
namespace {

using detail::kInt8Scale;

TEST(Quantize, RoundTripErrorIsAtMostHalfAStep) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> in_range(-detail::kInt8Max, detail::kInt8Max);
  for (int trial = 0; trial < 200; ++trial) {
    Embedding x;
    for (auto& v : x) v = in_range(rng);
    std::int8_t q[kEmbeddingDim];
    const std::int32_t norm = detail::quantize_int8(x.data(), q);
    std::int32_t expected_norm = 0;
    for (std::size_t j = 0; j < kEmbeddingDim; ++j) {
      const float back = static_cast<float>(q[j]) / kInt8Scale;
      ASSERT_LE(std::abs(back - x[j]), 0.5f / kInt8Scale + 1e-6f) << x[j];
      expected_norm += q[j] * q[j];
    }
    EXPECT_EQ(norm, expected_norm);
  }
}

TEST(Quantize, ClampsOutOfRangeComponentsAndRoundsToNearest) {
  Embedding x{};
  x[0] = 5.f;
  x[1] = -5.f;
  x[2] = 0.0026f;  // just over half a step
  x[3] = -0.0026f;
  x[4] = detail::kInt8Max;
  x[5] = 0.0024f;  // just under
  const auto q = detail::quantize_int8(x.data());
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], -127);
  EXPECT_EQ(q[2], 1);
  EXPECT_EQ(q[3], -1);
  EXPECT_EQ(q[4], 127);
  EXPECT_EQ(q[5], 0);
}

// Gallery files store HNSW graphs of vectors quantized at this scale: changing it would make
// every existing gallery's index answer in other units (they would all need rebuilding).
TEST(Quantize, TheScaleIsTheOneStoredGraphsUse) {
  EXPECT_EQ(kInt8Scale, 200.f);
  EXPECT_EQ(detail::kInt8SquaredToFloat, 1.f / (200.f * 200.f));
}

TEST(Quantize, TheGalleryCopyIsTheQuantizerRowByRow) {
  const auto data = test::synthetic_gallery(20, 3);
  std::vector<float> flat;
  for (const auto& p : data.photos) flat.insert(flat.end(), p.embedding.begin(), p.embedding.end());
  std::vector<std::int8_t> copy;
  std::vector<std::int32_t> norms;
  detail::quantize_all(flat.data(), data.photos.size(), copy, norms);
  ASSERT_EQ(copy.size(), flat.size());
  ASSERT_EQ(norms.size(), data.photos.size());
  for (std::size_t p = 0; p < data.photos.size(); ++p) {
    const auto row = detail::quantize_int8(data.photos[p].embedding.data());
    EXPECT_TRUE(std::equal(row.begin(), row.end(), copy.begin() + p * kEmbeddingDim)) << p;
  }
}

// The graph's distances are exactly the int8 L2 between the quantizer's bytes of the query and
// of each stored vector, in descriptor units: a graph quantizing with another scale or rounding
// would give other numbers.
TEST(Quantize, TheHnswGraphStoresAndQueriesTheQuantizersBytes) {
  const auto data = test::synthetic_gallery(16, 4, 11);
  std::vector<float> flat;
  for (const auto& p : data.photos) flat.insert(flat.end(), p.embedding.begin(), p.embedding.end());
  const auto index = HnswIndex::build(flat, {});
  const Embedding query = data.photos[5].embedding;
  const auto q = detail::quantize_int8(query.data());
  const auto hits = index->search(query, data.photos.size());
  ASSERT_GE(hits.size(), data.photos.size() / 2);
  for (const auto& [distance, photo] : hits) {
    const auto v = detail::quantize_int8(data.photos[photo].embedding.data());
    std::int32_t sum = 0;
    for (std::size_t j = 0; j < kEmbeddingDim; ++j) sum += (q[j] - v[j]) * (q[j] - v[j]);
    EXPECT_EQ(distance, static_cast<float>(sum) * detail::kInt8SquaredToFloat) << photo;
  }
  EXPECT_EQ(hits.front().second, 5u);
  EXPECT_EQ(hits.front().first, 0.f);
}

}  // namespace
}  // namespace lookalike

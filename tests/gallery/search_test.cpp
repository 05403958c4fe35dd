// Exact search on hand-made and synthetic vectors: ordering, ties, identity scoring, metrics,
// the int8 candidate pass, Mahalanobis, and the threaded exact scan of a 100k-photo file.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/mahalanobis.hpp"
#include "lookalike/gallery/similarity.hpp"
#include "synthetic.hpp"
#include "test_support.hpp"

using namespace lookalike;

namespace {

Embedding axis(std::size_t dim, float value) {
  Embedding e{};
  e[dim] = value;
  return e;
}

// identity i has one photo per entry of `photos[i]`.
GalleryData make(const std::vector<std::vector<Embedding>>& photos) {
  GalleryData data;
  data.model = {"test", std::string(64, 'a'), "hog", "x"};
  for (std::size_t i = 0; i < photos.size(); ++i) {
    data.identities.push_back({"id" + std::to_string(i), {}, Gender::unknown, 0, {}});
    for (std::size_t p = 0; p < photos[i].size(); ++p)
      data.photos.push_back({static_cast<std::uint32_t>(i),
                             "id" + std::to_string(i) + "/" + std::to_string(p), photos[i][p], 0,
                             1.f});
  }
  return data;
}

}  // namespace

TEST(GallerySearch, OrdersIdentitiesByBestPhotoDistance) {
  // Identity i lies at distance 0.1 * (5 - i) from the origin, so the order is 4, 3, 2, 1, 0.
  std::vector<std::vector<Embedding>> photos;
  for (int i = 0; i < 5; ++i)
    photos.push_back({axis(i, 0.1f * static_cast<float>(5 - i)), axis(i, 2.f)});
  auto g = Gallery::from_data(make(photos));
  SearchOptions options;
  options.top_k = 3;
  auto hits = g->match(Embedding{}, options);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].identity, 4u);
  EXPECT_EQ(hits[1].identity, 3u);
  EXPECT_EQ(hits[2].identity, 2u);
  EXPECT_NEAR(hits[0].distance, 0.1f, 1e-6);
  EXPECT_NEAR(hits[1].distance, 0.2f, 1e-6);
  EXPECT_EQ(hits[0].photo, "id4/0");
  EXPECT_EQ(hits[0].name, "id4");
  EXPECT_TRUE(hits[0].same_person);
  // top_k larger than the gallery returns every identity once.
  options.top_k = 50;
  EXPECT_EQ(g->match(Embedding{}, options).size(), 5u);
  options.top_k = 0;
  EXPECT_TRUE(g->match(Embedding{}, options).empty());
}

TEST(GallerySearch, TiesAreBrokenByIdentityIndexDeterministically) {
  std::vector<std::vector<Embedding>> photos;
  for (int i = 0; i < 6; ++i) photos.push_back({axis(i, 0.5f)});  // all 0.5 from the origin
  auto g = Gallery::from_data(make(photos));
  SearchOptions options;
  options.top_k = 4;
  for (int repeat = 0; repeat < 3; ++repeat) {
    auto hits = g->match(Embedding{}, options);
    ASSERT_EQ(hits.size(), 4u);
    for (std::uint32_t k = 0; k < 4; ++k) {
      EXPECT_EQ(hits[k].identity, k);
      EXPECT_FLOAT_EQ(hits[k].distance, 0.5f);
    }
  }
}

TEST(GallerySearch, MeanOfTopPhotosPrefersConsistentIdentities) {
  // A: one photo very close, two far. B: three photos moderately close.
  auto g = Gallery::from_data(make({{axis(0, 0.1f), axis(1, 1.0f), axis(2, 1.0f)},
                                    {axis(3, 0.3f), axis(4, 0.3f), axis(5, 0.3f)}}));
  SearchOptions options;
  options.top_k = 2;
  EXPECT_EQ(g->match(Embedding{}, options)[0].identity, 0u);
  options.identity_score = IdentityScore::mean_of_top;
  options.mean_of_top_n = 3;
  auto hits = g->match(Embedding{}, options);
  EXPECT_EQ(hits[0].identity, 1u);
  EXPECT_NEAR(hits[0].distance, 0.3f, 1e-6);
  EXPECT_NEAR(hits[1].distance, 0.7f, 1e-6);
  EXPECT_NEAR(hits[1].euclidean, 0.1f, 1e-6);  // still the L2 to the best photo
}

TEST(GallerySearch, CosineIgnoresLengthEuclideanDoesNot) {
  Embedding q = axis(0, 1.f);
  Embedding same_direction_far = axis(0, 3.f);  // cosine 1, euclidean 2
  Embedding near_other = axis(0, 1.f);
  near_other[1] = 0.5f;  // euclidean 0.5, cosine < 1
  auto g = Gallery::from_data(make({{same_direction_far}, {near_other}}));
  SearchOptions options;
  options.top_k = 2;
  EXPECT_EQ(g->match(q, options)[0].identity, 1u);
  options.metric = Metric::cosine;
  auto hits = g->match(q, options);
  EXPECT_EQ(hits[0].identity, 0u);
  EXPECT_NEAR(hits[0].distance, 0.f, 1e-6);
  EXPECT_NEAR(hits[0].euclidean, 2.f, 1e-6);
  EXPECT_FALSE(hits[0].same_person);
}

TEST(GallerySearch, SimilarityMappingIsTheDocumentedLogistic) {
  EXPECT_NEAR(similarity_percent(0.6f), 50.f, 1e-4);
  EXPECT_NEAR(similarity_percent(0.5f), 73.1f, 0.1);
  EXPECT_NEAR(similarity_percent(0.8f), 11.9f, 0.1);
  EXPECT_GT(similarity_percent(0.3f), similarity_percent(0.4f));
  auto g = Gallery::from_data(make({{axis(0, 0.5f)}, {axis(1, 0.7f)}}));
  auto hits = g->match(Embedding{}, {});
  EXPECT_NEAR(hits[0].similarity_percent, 73.1f, 0.1);
  EXPECT_TRUE(hits[0].same_person);
  EXPECT_FALSE(hits[1].same_person);
}

TEST(GallerySearch, ExactMatchesBruteForceOnSyntheticGallery) {
  std::vector<Embedding> centres;
  auto data = test::synthetic_gallery(300, 5, 11, &centres);
  auto g = Gallery::from_data(data);
  std::mt19937 rng(3);
  for (int q = 0; q < 50; ++q) {
    const auto query =
        test::jitter(centres[static_cast<std::size_t>(q) * 6], test::kPhotoSigma, rng);
    std::vector<std::pair<float, std::uint32_t>> brute(300, {INFINITY, 0});
    for (const auto& p : data.photos) {
      float d = euclidean_distance(query, p.embedding);
      brute[p.identity] = {std::min(brute[p.identity].first, d), p.identity};
    }
    std::sort(brute.begin(), brute.end());
    SearchOptions options;
    options.top_k = 5;
    auto hits = g->match(query, options);
    ASSERT_EQ(hits.size(), 5u);
    for (int k = 0; k < 5; ++k) {
      EXPECT_EQ(hits[k].identity, brute[k].second);
      EXPECT_NEAR(hits[k].distance, brute[k].first, 1e-5);
    }
    EXPECT_EQ(hits[0].identity, static_cast<std::uint32_t>(q * 6));
  }
}

TEST(GallerySearch, Int8CandidatesGiveTheExactRanking) {
  std::vector<Embedding> centres;
  auto data = test::synthetic_gallery(1000, 5, 5, &centres);
  auto exact = Gallery::from_data(data);
  GalleryLoadOptions load;
  load.int8_copy = true;
  auto quantized = Gallery::from_data(data, load);
  std::mt19937 rng(9);
  for (int q = 0; q < 100; ++q) {
    const auto query =
        test::jitter(centres[static_cast<std::size_t>(q) * 7], test::kPhotoSigma, rng);
    SearchOptions options;
    options.top_k = 5;
    auto a = exact->match(query, options);
    auto b = quantized->match(query, options);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
      EXPECT_EQ(a[k].identity, b[k].identity);
      EXPECT_FLOAT_EQ(a[k].distance, b[k].distance);
    }
  }
}

TEST(GallerySearch, MahalanobisFollowsEachIdentitysSpread) {
  // Both identities' means lie 0.5 from the query. A's photos spread along the direction of
  // the query (axis 0), B's perpendicular to it (axis 2): the query is typical for A only.
  std::mt19937 rng(1);
  std::normal_distribution<float> small(0.f, 0.01f), wide(0.f, 0.2f);
  std::vector<Embedding> a, b;
  for (int i = 0; i < 12; ++i) {
    Embedding e{}, f{};
    for (std::size_t j = 0; j < kEmbeddingDim; ++j) {
      e[j] = small(rng);
      f[j] = small(rng);
    }
    e[0] += 0.5f + wide(rng);
    f[1] += 0.5f;
    f[2] += wide(rng);
    a.push_back(e);
    b.push_back(f);
  }
  auto g = Gallery::from_data(make({b, a}));  // A is identity 1
  SearchOptions options;
  options.top_k = 2;
  options.metric = Metric::mahalanobis;
  auto hits = g->match(Embedding{}, options);
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0].identity, 1u);
  EXPECT_LT(hits[0].distance * 2, hits[1].distance);
  EXPECT_GT(hits[0].euclidean, 0.f);  // the euclidean field is still filled
}

TEST(Mahalanobis, ZeroAtTheMeanAndScaledEuclideanForOnePhoto) {
  std::vector<float> photos;
  Embedding mean{};
  std::mt19937 rng(4);
  std::normal_distribution<float> noise(0.f, 0.05f);
  for (int i = 0; i < 6; ++i) {
    for (std::size_t j = 0; j < kEmbeddingDim; ++j) {
      float v = noise(rng);
      photos.push_back(v);
      mean[j] += v / 6.f;
    }
  }
  EXPECT_NEAR(mahalanobis_distance(mean, photos, 0.0025f), 0.f, 1e-3);
  Embedding q = mean;
  q[3] += 0.3f;
  EXPECT_GT(mahalanobis_distance(q, photos, 0.0025f), 1.f);
  // One photo: euclidean / sqrt(pooled variance).
  std::vector<float> one(photos.begin(), photos.begin() + kEmbeddingDim);
  Embedding p{};
  std::copy(one.begin(), one.end(), p.begin());
  p[0] += 0.2f;
  EXPECT_NEAR(mahalanobis_distance(p, one, 0.0025f), 0.2f / 0.05f, 1e-3);
}

TEST(SearchTypes, MetricNamesRoundTrip) {
  for (auto m : {Metric::euclidean, Metric::cosine, Metric::mahalanobis})
    EXPECT_EQ(metric_from_string(to_string(m)), m);
  EXPECT_THROW(metric_from_string("manhattan"), std::invalid_argument);
}

// The UI's menu lists all_metrics() with to_string(): every metric once, in enum order.
TEST(SearchTypes, AllMetricsIsTheOneTable) {
  const auto metrics = all_metrics();
  ASSERT_EQ(metrics.size(), 3u);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    EXPECT_EQ(static_cast<std::size_t>(metrics[i]), i);
    names.emplace_back(to_string(metrics[i]));
    EXPECT_EQ(metric_from_string(names.back()), metrics[i]);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"euclidean", "cosine", "mahalanobis"}));
  try {
    metric_from_string("manhattan");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("euclidean, cosine, mahalanobis"), std::string::npos)
        << e.what();
  }
}

// 100k photos, no index: the exact answer, split over threads at this size, equals a brute-force
// scan of every photo.
TEST(GallerySearch, TheThreadedExactScanOf100kPhotosEqualsBruteForce) {
  std::vector<Embedding> centres;
  const auto data = test::synthetic_gallery(10'000, 10, 21, &centres);
  test::TempDir dir;
  GalleryWriteOptions write;
  write.hnsw_threshold = 1'000'000;
  write_gallery(dir / "g.lkg", data, write);
  const auto g = Gallery::load(dir / "g.lkg");
  ASSERT_EQ(g->photo_count(), 100'000u);
  std::mt19937 rng(5);
  for (int q = 0; q < 40; ++q) {
    const auto query =
        test::jitter(centres[static_cast<std::size_t>(q) * 33], test::kPhotoSigma, rng);
    SearchOptions options;
    options.top_k = 5;
    options.allow_approximate = false;
    const auto b = g->match(query, options);
    ASSERT_EQ(b.size(), 5u);
    std::vector<std::pair<float, std::uint32_t>> brute(10'000, {INFINITY, 0});
    for (const auto& p : data.photos) {
      const float d = euclidean_distance(query, p.embedding);
      brute[p.identity] = {std::min(brute[p.identity].first, d), p.identity};
    }
    std::partial_sort(brute.begin(), brute.begin() + 5, brute.end());
    for (std::size_t k = 0; k < 5; ++k) {
      EXPECT_EQ(b[k].identity, brute[k].second) << "query " << q << " rank " << k;
      EXPECT_NEAR(b[k].distance, brute[k].first, 1e-5);
    }
  }
}

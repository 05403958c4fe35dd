// The face map: t-SNE keeps clusters together, is deterministic for a seed, is kept beside the
// gallery (a damaged map file is laid out again), and `lookalike-cli map` on real photos puts two
// folders of one person side by side and the probe among them.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

#include "lookalike/app/face_map.hpp"
#include "lookalike/gallery/gallery_file.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

// `clusters` groups of `per_cluster` identities (one photo each), groups far apart.
GalleryData clustered(int clusters, int per_cluster, unsigned seed = 3) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> wide(0.f, 0.1f), narrow(0.f, 0.01f);
  GalleryData data;
  data.model = {"synthetic", std::string(64, 'a'), "hog", "dlib-68pt-chip150-pad0.25"};
  for (int c = 0; c < clusters; ++c) {
    Embedding centre;
    for (auto& v : centre) v = wide(rng);
    for (int k = 0; k < per_cluster; ++k) {
      data.identities.push_back({"c" + std::to_string(c) + "-" + std::to_string(k)});
      PhotoEntry photo;
      photo.identity = static_cast<std::uint32_t>(data.identities.size() - 1);
      photo.source = data.identities.back().name + ".jpg";
      for (std::size_t d = 0; d < kEmbeddingDim; ++d) photo.embedding[d] = centre[d] + narrow(rng);
      data.photos.push_back(photo);
    }
  }
  return data;
}

std::size_t nearest(const std::vector<cv::Point2f>& points, std::size_t i) {
  std::size_t best = i == 0 ? 1 : 0;
  for (std::size_t j = 0; j < points.size(); ++j)
    if (j != i && cv::norm(points[j] - points[i]) < cv::norm(points[best] - points[i])) best = j;
  return best;
}

TEST(FaceMap, ClustersStayTogetherInsideTheUnitSquare) {
  const auto gallery = Gallery::from_data(clustered(3, 12));
  const auto map = layout_face_map(*gallery);
  ASSERT_TRUE(map);
  ASSERT_EQ(map->points.size(), 36u);
  for (std::size_t i = 0; i < map->points.size(); ++i) {
    EXPECT_GE(map->points[i].x, 0.f);
    EXPECT_LE(map->points[i].x, 1.f);
    EXPECT_GE(map->points[i].y, 0.f);
    EXPECT_LE(map->points[i].y, 1.f);
    EXPECT_EQ(nearest(map->points, i) / 12, i / 12) << "point " << i << " left its cluster";
  }
}

TEST(FaceMap, SameSeedSameLayoutOtherSeedAnother) {
  const auto gallery = Gallery::from_data(clustered(2, 10));
  FaceMapOptions options;
  options.iterations = 300;
  const auto a = layout_face_map(*gallery, options), b = layout_face_map(*gallery, options);
  options.seed = 2;
  const auto c = layout_face_map(*gallery, options);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->points, b->points);
  EXPECT_NE(a->points, c->points);
}

TEST(FaceMap, StopRequestReturnsNothing) {
  const auto gallery = Gallery::from_data(clustered(2, 10));
  std::stop_source stop;
  const auto map = layout_face_map(*gallery, {}, stop.get_token(), [&](double f) {
    if (f > 0.1) stop.request_stop();
  });
  EXPECT_FALSE(map);
}

TEST(FaceMap, KeptBesideTheGalleryAndLaidOutAgainWhenDamaged) {
  test::TempDir dir;
  const fs::path file = dir / "g.lkg";
  write_gallery(file, clustered(2, 8));
  const auto gallery = Gallery::load(file);
  FaceMapOptions options;
  options.iterations = 200;
  int runs = 0;
  const auto first = load_or_layout_face_map(*gallery, options, {}, [&](double) { ++runs; });
  ASSERT_TRUE(first);
  ASSERT_TRUE(fs::exists(face_map_path(*gallery)));
  EXPECT_GT(runs, 0);
  runs = 0;
  const auto again = load_or_layout_face_map(*gallery, options, {}, [&](double) { ++runs; });
  EXPECT_EQ(runs, 0) << "the stored map was not used";
  ASSERT_TRUE(again);
  for (std::size_t i = 0; i < first->points.size(); ++i)
    EXPECT_NEAR(cv::norm(first->points[i] - again->points[i]), 0.0, 1e-6);

  std::ofstream(face_map_path(*gallery), std::ios::trunc) << "{\"key\": [truncated";
  const auto repaired = load_or_layout_face_map(*gallery, options, {}, [&](double) { ++runs; });
  EXPECT_GT(runs, 0);
  ASSERT_TRUE(repaired);
  EXPECT_EQ(repaired->points, first->points);  // the same layout, written again
  options.seed = 9;                            // other options: another map
  runs = 0;
  EXPECT_TRUE(load_or_layout_face_map(*gallery, options, {}, [&](double) { ++runs; }));
  EXPECT_GT(runs, 0);
}

TEST(FaceMap, CliPutsTwoFoldersOfOnePersonTogetherAndTheProbeAmongThem) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const fs::path lfw = test::shared_data("faces/lfw10");
  // lfw10 with Tony Blair's photos split into two identities.
  for (const auto& person : fs::directory_iterator(lfw)) {
    const std::string name = person.path().filename().string();
    int k = 0;
    for (const auto& photo : fs::directory_iterator(person.path())) {
      if (photo.path().filename() == "Tony_Blair_0009.jpg") continue;  // the probe
      const std::string folder = name == "Tony_Blair" && k++ % 2 ? "Tony_Blair_Again" : name;
      fs::create_directories(dir / "people" / folder);
      fs::copy_file(photo.path(), dir / "people" / folder / photo.path().filename());
    }
  }
  const std::string cli = (test::build_dir() / "app/lookalike-cli").string();
  const std::string gallery = (dir / "people.lkg").string();
  const auto built = test::run_command(cli + " gallery build " + (dir / "people").string() +
                                       " -o " + gallery + " --threads 2 -q");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string png = (dir / "map.png").string();
  const auto run = test::run_command(cli + " map --gallery " + gallery + " --probe " +
                                     (lfw / "Tony_Blair/Tony_Blair_0009.jpg").string() + " -o " +
                                     png + " --size 800 --json");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto j = nlohmann::json::parse(run.out);
  std::vector<cv::Point2f> points;
  std::size_t blair = 0, again = 0;
  for (const auto& id : j.at("identities")) {
    if (id.at("name") == "Tony Blair") blair = points.size();
    if (id.at("name") == "Tony Blair Again") again = points.size();
    points.emplace_back(id.at("x").get<float>(), id.at("y").get<float>());
  }
  ASSERT_EQ(points.size(), 11u);
  EXPECT_EQ(nearest(points, blair), again);
  EXPECT_EQ(nearest(points, again), blair);
  const std::string first = j.at("probe").at("neighbours").at(0).at("name");
  EXPECT_EQ(first.rfind("Tony Blair", 0), 0u) << first;

  const cv::Mat image = cv::imread(png);
  ASSERT_EQ(image.cols, 800);
  // Thumbnails were drawn: the map is not the plain background.
  cv::Mat gray;
  cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  EXPECT_GT(cv::countNonZero(gray > 60), 10'000);
}

}  // namespace
}  // namespace lookalike::app

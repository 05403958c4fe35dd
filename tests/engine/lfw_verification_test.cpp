// LFW View 1 (pairsDevTest.txt: 500 same + 500 different pairs): a face is found in every
// photo and verification accuracy at dlib's 0.6 threshold is at least 98 % with HOG and at least
// 98.9 % (HOG's measured figure) with BlazeFace, whose boxes reach the landmark model through
// the calibration fitted on pairsDevTrain (never on these pairs).
//
// Engineering choices (not threshold tuning): HOG with a thorough fallback chain (upsample,
// lower threshold, Haar) so that every photo yields a detection; the labelled person is the
// central face (LFW photos are centred on it), chosen by overlap with LFW's central face box;
// embeddings average the chip and its mirror image.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/image_io.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

// Where LFW's deep-funneled 250x250 photos put the labelled face (median HOG box on lfw10).
const cv::Rect kLfwCentralFace(77, 89, 105, 105);

struct DetectorCase {
  DetectorKind detector;
  double min_accuracy;
};

class LfwView1 : public ::testing::TestWithParam<DetectorCase> {};

TEST_P(LfwView1, VerificationAccuracyAtDlibThreshold) {
  LOOKALIKE_REQUIRE_SHARED();
  const fs::path root = test::shared_data("faces/lfw_view1");
  const auto pairs = test::read_lfw_pairs(root / "pairsDevTest.txt");
  ASSERT_EQ(pairs.size(), 1000u);

  std::vector<std::string> photos;
  for (const test::LfwPair& p : pairs) photos.push_back(p.a), photos.push_back(p.b);
  std::sort(photos.begin(), photos.end());
  photos.erase(std::unique(photos.begin(), photos.end()), photos.end());

  std::map<std::string, Embedding> embeddings;
  std::vector<std::string> no_detection, failures;
  std::mutex mutex;
  std::atomic<std::size_t> next{0};
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < threads; ++t)
      workers.emplace_back([&] {
        EngineOptions options;
        options.detector.kind = GetParam().detector;
        auto engine = FaceEngine::create(options);
        for (std::size_t i; (i = next++) < photos.size();) {
          try {
            cv::Mat image = load_image(root / photos[i]);
            auto faces = engine->analyze(image, {.mirror_average = true, .thorough = true});
            int primary = pick_primary_face(faces, image.size(), kLfwCentralFace);
            const bool detected = primary >= 0 && (faces[primary].box & kLfwCentralFace).area() > 0;
            if (!detected) {  // counted as a failure below; still embed LFW's central box
              faces = engine->analyze(image,
                                      {.mirror_average = true, .expected_face = kLfwCentralFace});
              primary = 0;
            }
            std::lock_guard lock(mutex);
            if (!detected) no_detection.push_back(photos[i]);
            embeddings[photos[i]] = faces.at(primary).embedding;
          } catch (const std::exception& e) {
            std::lock_guard lock(mutex);
            failures.push_back(photos[i] + ": " + e.what());
          }
        }
      });
  }
  ASSERT_TRUE(failures.empty()) << failures.front();
  ASSERT_EQ(embeddings.size(), photos.size());

  int correct = 0, same_correct = 0, diff_correct = 0;
  for (const test::LfwPair& p : pairs) {
    const bool predicted_same =
        euclidean_distance(embeddings[p.a], embeddings[p.b]) < kSamePersonDistance;
    if (predicted_same == p.same) {
      ++correct;
      (p.same ? same_correct : diff_correct)++;
    }
  }
  const double accuracy = 100.0 * correct / pairs.size();
  std::printf(
      "LFW View 1 pairsDevTest, %s: %zu photos, detector found the central face in %zu; "
      "accuracy %.1f %% at 0.6 (same %d/500, different %d/500)\n",
      std::string(to_string(GetParam().detector)).c_str(), photos.size(),
      photos.size() - no_detection.size(), accuracy, same_correct, diff_correct);
  for (const auto& p : no_detection) std::printf("  no detection: %s\n", p.c_str());
  EXPECT_TRUE(no_detection.empty()) << no_detection.size() << " photos without a detected face";
  EXPECT_GE(accuracy, GetParam().min_accuracy);
}

INSTANTIATE_TEST_SUITE_P(Detectors, LfwView1,
                         ::testing::Values(DetectorCase{DetectorKind::hog, 98.0},
                                           DetectorCase{DetectorKind::blazeface, 98.9}),
                         [](const auto& test_info) {
                           std::string name(to_string(test_info.param.detector));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace lookalike

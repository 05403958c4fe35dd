#include "lfw_view1.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "lookalike/elapsed.hpp"
#include "lookalike/engine/image_io.hpp"
#include "test_support.hpp"

namespace lookalike::test {
namespace {

// Where LFW's deep-funneled 250x250 photos put the labelled face (median HOG box on lfw10).
const cv::Rect kLfwCentralFace(77, 89, 105, 105);

}  // namespace

LfwView1Result run_lfw_view1(const std::filesystem::path& lfw_view1_dir,
                             const AnalyzeOptions& analyze, std::size_t max_pairs,
                             unsigned threads) {
  const auto start = std::chrono::steady_clock::now();
  auto pairs = read_lfw_pairs(lfw_view1_dir / "pairsDevTest.txt");
  if (max_pairs > 0 && max_pairs < pairs.size()) pairs.resize(max_pairs);

  std::vector<std::string> photos;
  for (const LfwPair& p : pairs) photos.push_back(p.a), photos.push_back(p.b);
  std::sort(photos.begin(), photos.end());
  photos.erase(std::unique(photos.begin(), photos.end()), photos.end());

  LfwView1Result result;
  result.pairs = pairs.size();
  result.photos = photos.size();
  std::map<std::string, Embedding> embeddings;
  double embed_ms = 0, analyze_ms = 0;
  std::mutex mutex;
  std::atomic<std::size_t> next{0};
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  {
    std::vector<std::jthread> workers;
    for (unsigned t = 0; t < threads; ++t)
      workers.emplace_back([&] {
        auto engine = FaceEngine::create();
        for (std::size_t i; (i = next++) < photos.size();) {
          try {
            const cv::Mat image = load_image(lfw_view1_dir / photos[i]);
            AnalyzeOptions options = analyze;
            options.expected_face.reset();
            const auto photo_start = std::chrono::steady_clock::now();
            auto faces = engine->analyze(image, options);
            double photo_embed_ms = engine->last_timings().embed_ms;
            int primary = pick_primary_face(faces, image.size(), kLfwCentralFace);
            const bool detected = primary >= 0 && (faces[primary].box & kLfwCentralFace).area() > 0;
            if (!detected) {  // counted as a failure by the caller; still embed LFW's box
              options.thorough = false;
              options.expected_face = kLfwCentralFace;
              faces = engine->analyze(image, options);
              photo_embed_ms += engine->last_timings().embed_ms;
              primary = 0;
            }
            const double photo_ms = ms_since(photo_start);
            std::lock_guard lock(mutex);
            if (!detected) result.no_detection.push_back(photos[i]);
            embeddings[photos[i]] = faces.at(primary).embedding;
            embed_ms += photo_embed_ms;
            analyze_ms += photo_ms;
          } catch (const std::exception& e) {
            std::lock_guard lock(mutex);
            result.failures.push_back(photos[i] + ": " + e.what());
          }
        }
      });
  }
  std::sort(result.no_detection.begin(), result.no_detection.end());
  if (!embeddings.empty()) {
    result.embed_ms_per_face = embed_ms / embeddings.size();
    result.analyze_ms_per_face = analyze_ms / embeddings.size();
  }

  int correct = 0;
  for (const LfwPair& p : pairs) {
    const auto a = embeddings.find(p.a), b = embeddings.find(p.b);
    const bool embedded = a != embeddings.end() && b != embeddings.end();
    const bool predicted_same =
        embedded && euclidean_distance(a->second, b->second) < kSamePersonDistance;
    (p.same ? result.same_total : result.different_total)++;
    if (embedded && predicted_same == p.same) {
      ++correct;
      (p.same ? result.same_correct : result.different_correct)++;
    }
  }
  result.accuracy_percent = pairs.empty() ? 0 : 100.0 * correct / pairs.size();
  result.wall_seconds = ms_since(start) / 1000.0;
  return result;
}

}  // namespace lookalike::test

#include "lfw_view1.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <mutex>
#include <thread>

#include "lookalike/elapsed.hpp"
#include "lookalike/engine/image_io.hpp"

namespace lookalike::test {
namespace {

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

// work(engine, i) for i in [0, count) on `threads` workers, each with its own engine. Returns
// the thread CPU milliseconds the calls took, summed.
double for_each_on_workers(std::size_t count, unsigned threads,
                           const std::function<void(FaceEngine&, std::size_t)>& work,
                           DetectorKind detector = DetectorKind::hog) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<std::size_t> next{0};
  std::atomic<double> cpu_ms{0};
  std::vector<std::jthread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      EngineOptions options;
      options.detector.kind = detector;
      auto engine = FaceEngine::create(options);
      double mine = 0;
      for (std::size_t i; (i = next++) < count;) {
        const double start = thread_cpu_ms();
        work(*engine, i);
        mine += thread_cpu_ms() - start;
      }
      cpu_ms += mine;
    });
  workers.clear();  // joins
  return cpu_ms;
}

}  // namespace

LfwView1Chips lfw_view1_chips(const std::filesystem::path& lfw_view1_dir, std::size_t max_pairs,
                              unsigned threads, DetectorKind detector) {
  LfwView1Chips result;
  result.pairs = read_lfw_pairs(lfw_view1_dir / "pairsDevTest.txt");
  if (max_pairs > 0 && max_pairs < result.pairs.size()) {
    // The file lists the same pairs first: keep both kinds in equal numbers.
    std::vector<LfwPair> kept;
    std::size_t same = 0, different = 0;
    for (const LfwPair& p : result.pairs)
      if (p.same ? same++ < (max_pairs + 1) / 2 : different++ < max_pairs / 2) kept.push_back(p);
    result.pairs = std::move(kept);
  }
  std::vector<std::string> photos;
  for (const LfwPair& p : result.pairs) photos.push_back(p.a), photos.push_back(p.b);
  std::sort(photos.begin(), photos.end());
  photos.erase(std::unique(photos.begin(), photos.end()), photos.end());

  std::mutex mutex;
  const double cpu_ms = for_each_on_workers(
      photos.size(), threads,
      [&](FaceEngine& engine, std::size_t i) {
        try {
          const cv::Mat image = load_image(lfw_view1_dir / photos[i]);
          auto faces = engine.analyze(image, {.embed = false, .thorough = true});
          int primary = pick_primary_face(faces, image.size(), kLfwCentralFace);
          const bool detected = primary >= 0 && (faces[primary].box & kLfwCentralFace).area() > 0;
          if (!detected) {  // counted as a failure by the caller; still align LFW's box
            faces = engine.analyze(image, {.embed = false, .expected_face = kLfwCentralFace});
            primary = 0;
          }
          std::lock_guard lock(mutex);
          if (!detected) result.no_detection.push_back(photos[i]);
          result.chips[photos[i]] = faces.at(primary).chip;
        } catch (const std::exception& e) {
          std::lock_guard lock(mutex);
          result.failures.push_back(photos[i] + ": " + e.what());
        }
      },
      detector);
  std::sort(result.no_detection.begin(), result.no_detection.end());
  if (!result.chips.empty()) result.cpu_ms_per_face = cpu_ms / result.chips.size();
  return result;
}

LfwView1Score score_lfw_view1(const LfwView1Chips& chips, bool mirror_average, int jitter,
                              unsigned threads) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::pair<const std::string*, const cv::Mat*>> todo;
  for (const auto& [photo, chip] : chips.chips) todo.emplace_back(&photo, &chip);
  std::map<std::string, Embedding> embeddings;
  std::mutex mutex;
  const double cpu_ms =
      for_each_on_workers(todo.size(), threads, [&](FaceEngine& engine, std::size_t i) {
        const auto embedded =
            engine.embed(std::span<const cv::Mat>(todo[i].second, 1), mirror_average, jitter);
        std::lock_guard lock(mutex);
        embeddings[*todo[i].first] = embedded.at(0);
      });

  LfwView1Score score;
  int correct = 0;
  std::vector<std::pair<double, bool>> measured;  // distance, same person
  for (const LfwPair& p : chips.pairs) {
    const auto a = embeddings.find(p.a), b = embeddings.find(p.b);
    const bool embedded = a != embeddings.end() && b != embeddings.end();
    const double distance = embedded ? euclidean_distance(a->second, b->second) : 0.0;
    const bool predicted_same = embedded && distance < kSamePersonDistance;
    (p.same ? score.same_total : score.different_total)++;
    if (embedded) {
      measured.emplace_back(distance, p.same);
      (p.same ? score.mean_same_distance : score.mean_different_distance) += distance;
    }
    if (embedded && predicted_same == p.same) {
      ++correct;
      (p.same ? score.same_correct : score.different_correct)++;
    }
  }
  if (!chips.pairs.empty()) score.accuracy_percent = 100.0 * correct / chips.pairs.size();
  if (score.same_total) score.mean_same_distance /= score.same_total;
  if (score.different_total) score.mean_different_distance /= score.different_total;
  // Best threshold: sweep the sorted distances; below a cut every pair is called "same".
  std::sort(measured.begin(), measured.end());
  int right = score.different_total;  // cut below every pair: all called different
  int best = right;
  for (std::size_t i = 0; i < measured.size(); ++i) {
    right += measured[i].second ? 1 : -1;
    const bool tie = i + 1 < measured.size() && measured[i + 1].first == measured[i].first;
    if (!tie && right > best) {
      best = right;
      score.best_threshold = i + 1 < measured.size()
                                 ? (measured[i].first + measured[i + 1].first) / 2
                                 : measured[i].first + 1e-6;
    }
  }
  if (!chips.pairs.empty())
    score.best_threshold_accuracy_percent = 100.0 * best / chips.pairs.size();
  if (!embeddings.empty()) score.embed_cpu_ms_per_face = cpu_ms / embeddings.size();
  score.wall_seconds = ms_since(start) / 1000.0;
  return score;
}

}  // namespace lookalike::test

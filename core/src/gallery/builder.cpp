// The gallery builder: worker pool, checkpoint, assembly (see builder.hpp).
#include "lookalike/gallery/builder.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <set>
#include <thread>

#include "checkpoint.hpp"
#include "curate.hpp"
#include "lookalike/engine/head_pose.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/gallery/gallery_error.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

using detail::PhotoResult;

// Results handed from workers to the coordinating thread. Bounded: workers block in
// push_wait() while it is full (or return false once stop is requested); pop_wait() returns
// nullopt when every producer has finished and the queue is drained.
class ResultQueue {
 public:
  ResultQueue(std::size_t capacity, int producers) : capacity_(capacity), producers_(producers) {}

  bool push_wait(PhotoResult result, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    if (!not_full_.wait(lock, stop, [&] { return items_.size() < capacity_; })) return false;
    items_.push_back(std::move(result));
    not_empty_.notify_one();
    return true;
  }
  void producer_done() {
    std::lock_guard lock(mutex_);
    if (--producers_ == 0) not_empty_.notify_all();
  }
  std::optional<PhotoResult> pop_wait() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !items_.empty() || producers_ == 0; });
    if (items_.empty()) return std::nullopt;
    PhotoResult r = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return r;
  }

 private:
  std::mutex mutex_;
  std::condition_variable_any not_full_;
  std::condition_variable not_empty_;
  std::deque<PhotoResult> items_;
  std::size_t capacity_;
  int producers_;
};

// " mirror jitter 4": appended to ModelInfo::alignment; empty for the plain chip.
std::string embedding_recipe(const BuildOptions& options) {
  std::string recipe = options.mirror_average ? " mirror" : "";
  if (options.jitter > 0) recipe += " jitter " + std::to_string(options.jitter);
  return recipe;
}

PhotoResult analyze_photo(FaceEngine& engine, GenderAgeEstimator* estimator,
                          const PhotoSource& source, const BuildOptions& options) {
  PhotoResult r;
  r.source = source.path.string();
  try {
    cv::Mat image = load_image(source.path);
    AnalyzeOptions analyze;
    analyze.mirror_average = options.mirror_average;
    analyze.jitter = options.jitter;
    analyze.thorough = options.thorough;
    analyze.expected_face = source.face;
    auto faces = engine.analyze(image, analyze);
    if (faces.empty()) {
      r.reason = "no face found";
      return r;
    }
    int index = pick_primary_face(faces, image.size(), source.face);
    if (!source.face && faces.size() >= 2) {
      // Comparably large faces: the photo is about the one covering the image centre (LFW and
      // most portrait datasets are centred); if none or several do, it is ambiguous.
      double largest = 0;
      for (const auto& f : faces) largest = std::max(largest, static_cast<double>(f.box.area()));
      const cv::Point centre(image.cols / 2, image.rows / 2);
      int comparable = 0, central = 0, central_index = -1;
      for (std::size_t i = 0; i < faces.size(); ++i) {
        if (faces[i].box.area() < options.ambiguous_area_ratio * largest) continue;
        ++comparable;
        if (faces[i].box.contains(centre)) {
          ++central;
          central_index = static_cast<int>(i);
        }
      }
      if (comparable >= 2) {
        if (central != 1) {
          r.reason = "ambiguous: " + std::to_string(comparable) + " faces of similar size";
          return r;
        }
        index = central_index;
      }
    }
    if (index < 0) {
      r.reason = "no face found";
      return r;
    }
    const FaceResult& face = faces[static_cast<std::size_t>(index)];
    r.ok = true;
    r.embedding = face.embedding;
    r.quality = face.quality;
    r.pose = estimate_head_pose(face.landmarks, image.size());
    if (estimator) r.estimate = estimator->estimate(image, face);
    if (!face.chip.empty()) {
      cv::Mat thumb;
      cv::resize(face.chip, thumb, {options.thumbnail_size, options.thumbnail_size}, 0, 0,
                 cv::INTER_AREA);
      cv::imencode(".jpg", thumb, r.thumbnail_jpeg,
                   {cv::IMWRITE_JPEG_QUALITY, options.thumbnail_jpeg_quality});
    }
  } catch (const ImageError& e) {
    r = PhotoResult{r.source, false, {}, 0.f, {}, std::string("unreadable: ") + e.what(), {}};
  } catch (const std::exception& e) {
    r = PhotoResult{r.source, false, {}, 0.f, {}, std::string("analysis failed: ") + e.what(), {}};
  }
  return r;
}

// One per worker thread; null (after one warning per build... per worker) without the models.
std::unique_ptr<GenderAgeEstimator> load_estimator(const BuildOptions& options) {
  if (!options.estimate_gender_age) return nullptr;
  try {
    return GenderAgeEstimator::load();
  } catch (const std::exception& e) {
    spdlog::warn("gallery build: no gender/age estimates: {}", e.what());
    return nullptr;
  }
}

// The identity's age from metadata: the most common photo year - birth year; 0 without.
float metadata_age(int birth_year, const std::vector<int>& photo_years) {
  std::map<int, int> ages;
  for (int year : photo_years)
    if (birth_year > 0 && year > birth_year) ++ages[year - birth_year];
  if (ages.empty()) return 0.f;
  return static_cast<float>(std::max_element(ages.begin(), ages.end(), [](auto& a, auto& b) {
                              return a.second < b.second;
                            })->first);
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

GalleryData assemble(const std::vector<PhotoSource>& sources,
                     const std::map<std::string, PhotoResult>& results, const ModelInfo& model,
                     const BuildOptions& options, const GalleryData* base,
                     std::vector<std::string>& outliers) {
  GalleryData data;
  if (base) data = *base;
  data.model = model;
  // New identities in name order; existing ones keep their place.
  std::set<std::string> new_names;
  for (const auto& s : sources)
    if (data.find_identity(s.identity) < 0) new_names.insert(s.identity);
  for (const auto& name : new_names)
    data.identities.push_back({name, {}, Gender::unknown, 0, {}, {}});

  const std::size_t n_id = data.identities.size();
  std::vector<std::vector<const PhotoSource*>> by_identity(n_id);
  std::vector<std::array<int, 3>> genders(n_id, {0, 0, 0});
  std::vector<std::map<int, int>> births(n_id);
  for (const auto& s : sources) {
    const auto id = static_cast<std::size_t>(data.find_identity(s.identity));
    auto& info = data.identities[id];
    if (!s.label.empty() && lower(s.label) != lower(info.name)) {
      bool known = false;
      for (const auto& a : info.aliases) known = known || lower(a) == lower(s.label);
      if (!known) info.aliases.push_back(s.label);
    }
    auto it = results.find(s.path.string());
    if (it == results.end()) continue;  // already in the base gallery
    if (!it->second.ok) {
      data.skipped.push_back({it->second.source, it->second.reason});
      continue;
    }
    by_identity[id].push_back(&s);
    ++genders[id][static_cast<int>(s.gender)];
    if (s.birth_year) ++births[id][s.birth_year];
  }
  std::vector<std::vector<std::size_t>> existing(n_id);
  for (std::size_t p = 0; p < data.photos.size(); ++p)
    existing[data.photos[p].identity].push_back(p);

  std::vector<PhotoEntry> photos;
  for (std::size_t id = 0; id < n_id; ++id) {
    auto& info = data.identities[id];
    if (info.gender == Gender::unknown && genders[id][1] + genders[id][2] > 0)
      info.gender = genders[id][1] > genders[id][2] ? Gender::female : Gender::male;
    if (info.birth_year == 0 && !births[id].empty())
      info.birth_year =
          std::max_element(births[id].begin(), births[id].end(), [](auto& a, auto& b) {
            return a.second < b.second;
          })->first;
    auto& mine = by_identity[id];
    std::sort(mine.begin(), mine.end(),
              [](const PhotoSource* a, const PhotoSource* b) { return a->path < b->path; });
    std::vector<detail::Candidate> candidates;
    for (std::size_t p : existing[id])
      candidates.push_back(
          {data.photos[p].source, data.photos[p].embedding, data.photos[p].quality, true});
    for (const PhotoSource* s : mine) {
      const auto& r = results.at(s->path.string());
      candidates.push_back({r.source, r.embedding, r.quality, false});
    }
    auto curated = detail::curate_identity(info.name, candidates, options.curation);
    for (auto& d : curated.dropped) data.skipped.push_back(std::move(d));
    for (auto& o : curated.outliers) outliers.push_back(std::move(o));
    std::vector<detail::PosedPhoto> posed;
    std::vector<GenderAgeEstimate> estimates;
    std::vector<int> years;
    for (std::size_t k : curated.kept) {
      if (k < existing[id].size()) {
        photos.push_back(data.photos[existing[id][k]]);
        years.push_back(photos.back().photo_year);
      } else {
        const PhotoSource* s = mine[k - existing[id].size()];
        const auto& r = results.at(s->path.string());
        photos.push_back(
            {static_cast<std::uint32_t>(id), r.source, r.embedding, s->photo_year, r.quality});
        if (r.pose) posed.push_back({*r.pose, &r.thumbnail_jpeg});
        estimates.push_back(r.estimate);
        years.push_back(s->photo_year);
      }
    }
    // Metadata first (IMDB-WIKI's gender, birth and photo years); else the photos' estimates.
    const GenderAgeEstimate estimated = combine_estimates(estimates);
    if (info.gender == Gender::unknown && estimated.known()) {
      info.gender = estimated.gender;
      info.gender_estimated = true;
    }
    if (const float from_metadata = metadata_age(info.birth_year, years); from_metadata > 0)
      info.age = from_metadata;
    else if (info.age == 0.f && estimated.known())
      info.age = estimated.age;
    info.pose_thumbnails = detail::pick_pose_thumbnails(info.pose_thumbnails, posed);
    if (info.thumbnail_jpeg.empty() && curated.representative >= 0) {
      const PhotoSource* s =
          mine[static_cast<std::size_t>(curated.representative) - existing[id].size()];
      info.thumbnail_jpeg = results.at(s->path.string()).thumbnail_jpeg;
    }
  }
  data.photos = std::move(photos);
  // Identities that ended up without photos (all skipped) are not kept.
  std::vector<bool> used(n_id, false);
  for (const auto& p : data.photos) used[p.identity] = true;
  std::vector<std::uint32_t> remap(n_id, 0);
  std::vector<IdentityInfo> identities;
  for (std::size_t id = 0; id < n_id; ++id)
    if (used[id]) {
      remap[id] = static_cast<std::uint32_t>(identities.size());
      identities.push_back(std::move(data.identities[id]));
    }
  for (auto& p : data.photos) p.identity = remap[p.identity];
  data.identities = std::move(identities);
  return data;
}

}  // namespace

fs::path checkpoint_path_for(const fs::path& output) {
  fs::path p = output;
  p += ".checkpoint";
  return p;
}

BuildResult build_gallery(const std::vector<PhotoSource>& sources, const BuildOptions& options,
                          std::stop_token stop, const ProgressCallback& progress,
                          const GalleryData* base) {
  const auto start = std::chrono::steady_clock::now();
  BuildResult result;
  ModelInfo model = FaceEngine::create(options.engine)->model();
  // How the descriptors were made, in the file's informative alignment field (`gallery info`).
  model.alignment += embedding_recipe(options);
  if (base && !base->model.weights_sha256.empty() &&
      base->model.weights_sha256 != model.weights_sha256)
    throw GalleryError(GalleryError::Kind::wrong_model,
                       "cannot add to a gallery built with model '" + base->model.id +
                           "' using engine '" + model.id +
                           "': their embeddings are not comparable; rebuild the gallery");

  // The photos to analyse: unique paths, not already in the base gallery.
  std::set<std::string> in_base;
  if (base)
    for (const auto& p : base->photos) in_base.insert(p.source);
  std::map<std::string, PhotoResult> results;
  std::vector<const PhotoSource*> todo;
  std::set<std::string> wanted;
  for (const auto& s : sources) {
    const std::string key = s.path.string();
    if (in_base.count(key) || !wanted.insert(key).second) continue;
    todo.push_back(&s);
  }
  std::optional<detail::Checkpoint> checkpoint;
  if (!options.checkpoint.empty()) {
    std::vector<PhotoResult> previous;
    // Another jitter makes other vectors: such a checkpoint is discarded, not mixed in (jitter 0
    // keeps the key checkpoints had before jitter existed).
    const std::string key = model.weights_sha256 +
                            (options.jitter > 0 ? " jitter " + std::to_string(options.jitter) : "");
    checkpoint.emplace(options.checkpoint, key, previous);
    for (auto& r : previous)
      if (wanted.count(r.source)) results[r.source] = std::move(r);
    if (!results.empty())
      spdlog::info("{}: resuming: {} of {} photos already done", options.checkpoint.string(),
                   results.size(), todo.size());
  }
  std::vector<const PhotoSource*> pending;
  for (const auto* s : todo)
    if (!results.count(s->path.string())) pending.push_back(s);
  result.resumed = results.size();
  result.total = todo.size();

  BuildProgress state;
  state.total = todo.size();
  state.resumed = result.resumed;
  state.done = result.resumed;
  for (const auto& [key, r] : results) state.skipped += !r.ok;
  if (progress) progress(state);

  std::stop_source internal;
  std::stop_callback forward(stop, [&] { internal.request_stop(); });
  std::exception_ptr worker_error;
  std::mutex error_mutex;
  if (!pending.empty() && !internal.stop_requested()) {
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    const int workers = static_cast<int>(std::min<std::size_t>(
        options.threads > 0 ? static_cast<unsigned>(options.threads) : hw, pending.size()));
    ResultQueue queue(static_cast<std::size_t>(workers) * 2, workers);
    std::atomic<std::size_t> cursor{0};
    std::vector<std::jthread> pool;
    for (int w = 0; w < workers; ++w)
      pool.emplace_back([&, token = internal.get_token()] {
        try {
          auto engine = FaceEngine::create(options.engine);  // on this worker's thread
          const auto estimator = load_estimator(options);
          while (!token.stop_requested()) {
            const std::size_t i = cursor++;
            if (i >= pending.size()) break;
            if (!queue.push_wait(analyze_photo(*engine, estimator.get(), *pending[i], options),
                                 token))
              break;
          }
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!worker_error) worker_error = std::current_exception();
          internal.request_stop();
        }
        queue.producer_done();
      });
    // A failing write below (a full disk under the checkpoint) unwinds through `pool`, whose
    // jthreads join workers blocked on the full queue: stop them first or the join never ends.
    struct StopWorkersOnThrow {
      std::stop_source& workers;
      ~StopWorkersOnThrow() {
        if (std::uncaught_exceptions() > 0) workers.request_stop();
      }
    } stop_workers_on_throw{internal};
    std::size_t since_sync = 0;
    while (auto r = queue.pop_wait()) {
      if (checkpoint) {
        checkpoint->append(*r);
        if (++since_sync >= options.checkpoint_sync_every) {
          checkpoint->sync();
          since_sync = 0;
        }
      }
      ++result.processed;
      ++state.done;
      state.skipped += !r->ok;
      state.current = r->source;
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      state.rate = seconds > 0 ? static_cast<double>(result.processed) / seconds : 0;
      state.eta_seconds =
          state.rate > 0 ? static_cast<double>(state.total - state.done) / state.rate : 0;
      results[r->source] = std::move(*r);
      if (progress) progress(state);
    }
    pool.clear();  // join
    if (checkpoint) checkpoint->sync();
  }
  if (worker_error) std::rethrow_exception(worker_error);
  result.elapsed = std::chrono::steady_clock::now() - start;
  if (results.size() < todo.size()) return result;  // interrupted
  result.data = assemble(sources, results, model, options, base, result.outliers);
  result.completed = true;
  result.elapsed = std::chrono::steady_clock::now() - start;
  return result;
}

BuildResult build_gallery_file(const fs::path& output, const std::vector<PhotoSource>& sources,
                               BuildOptions options, std::stop_token stop,
                               const ProgressCallback& progress, const GalleryData* base,
                               const GalleryWriteOptions& write) {
  if (options.checkpoint.empty()) options.checkpoint = checkpoint_path_for(output);
  auto result = build_gallery(sources, options, stop, progress, base);
  if (!result.completed) return result;
  write_gallery(output, result.data, write);
  std::error_code ec;
  fs::remove(options.checkpoint, ec);
  return result;
}

}  // namespace lookalike

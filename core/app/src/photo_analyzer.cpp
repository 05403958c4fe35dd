#include "lookalike/app/photo_analyzer.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "lookalike/app/match_photo.hpp"
#include "lookalike/engine/image_io.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {

cv::Mat face_crop(const cv::Mat& image, const cv::Rect& box, float margin, int max_side) {
  const int dx = static_cast<int>(box.width * margin);
  const int dy = static_cast<int>(box.height * margin);
  cv::Rect grown(box.x - dx, box.y - dy, box.width + 2 * dx, box.height + 2 * dy);
  grown &= cv::Rect(0, 0, image.cols, image.rows);
  if (grown.empty()) return {};
  cv::Mat crop = image(grown);
  const int side = std::max(crop.cols, crop.rows);
  if (side > max_side) {
    const double s = static_cast<double>(max_side) / side;
    cv::resize(crop, crop, {}, s, s, cv::INTER_AREA);
  } else {
    crop = crop.clone();  // own the pixels: the photo can be released
  }
  return crop;
}

PhotoAnalyzer::PhotoAnalyzer(PhotoAnalyzerOptions options,
                             std::shared_ptr<const IdentityMatcher> gallery)
    : options_(std::move(options)), gallery_(std::move(gallery)), search_(options_.search) {
  worker_ = std::make_unique<Task>("photo mode", [this](Task::Context& context) {
    run(context.stop());
    return false;  // runs until stopped
  });
}

PhotoAnalyzer::~PhotoAnalyzer() {
  worker_.reset();  // the stop request wakes the worker's wait; it finishes the current image
}

std::uint64_t PhotoAnalyzer::submit(std::vector<fs::path> files) {
  std::uint64_t id = 0;
  auto batch = std::make_shared<PhotoBatch>();
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    batch->id = id;
    if (files.size() > options_.max_files) {
      spdlog::warn("photo mode: {} files dropped, analyzing the first {}", files.size(),
                   options_.max_files);
      files.resize(options_.max_files);
    }
    batch->total_files = files.size();
    batch->status = "analyzing...";
    pending_.emplace(id, std::move(files));  // replaces a batch not yet started
    latest_ = batch;
  }
  wake_.notify_one();
  return id;
}

std::shared_ptr<const PhotoBatch> PhotoAnalyzer::latest() const {
  std::lock_guard lock(mutex_);
  return latest_;
}

void PhotoAnalyzer::set_gallery(std::shared_ptr<const IdentityMatcher> gallery) {
  std::lock_guard lock(mutex_);
  gallery_ = std::move(gallery);
}

void PhotoAnalyzer::set_search_options(const SearchOptions& search) {
  std::lock_guard lock(mutex_);
  search_ = search;
}

void PhotoAnalyzer::set_unique_cast(bool on) {
  std::lock_guard lock(mutex_);
  unique_cast_ = on;
}

void PhotoAnalyzer::set_gender_filter(GenderFilter filter) {
  std::lock_guard lock(mutex_);
  gender_filter_ = filter;
}

void PhotoAnalyzer::set_jitter(int copies) {
  std::lock_guard lock(mutex_);
  jitter_ = std::clamp(copies, 0, kMaxJitter);
}

void PhotoAnalyzer::publish(std::shared_ptr<const PhotoBatch> batch) {
  std::lock_guard lock(mutex_);
  // Only the newest batch is shown: a result of a replaced batch is dropped.
  if (latest_ && latest_->id > batch->id) return;
  latest_ = std::move(batch);
}

void PhotoAnalyzer::run(std::stop_token stop) {
  std::unique_ptr<FaceEngine> engine;
  std::unique_ptr<GenderAgeEstimator> estimator;  // optional: faces then say "unknown"
  std::string engine_error;
  while (!stop.stop_requested()) {
    std::uint64_t id = 0;
    std::vector<fs::path> files;
    {
      std::unique_lock lock(mutex_);
      if (!wake_.wait(lock, stop, [&] { return pending_.has_value(); })) return;
      id = pending_->first;
      files = std::move(pending_->second);
      pending_.reset();
    }
    auto batch = std::make_shared<PhotoBatch>();
    batch->id = id;
    batch->total_files = files.size();
    if (!engine && engine_error.empty()) {
      batch->status = "loading face models...";
      publish(std::make_shared<const PhotoBatch>(*batch));
      try {
        engine = FaceEngine::create(options_.engine);
        try {
          estimator = GenderAgeEstimator::load();
        } catch (const std::exception& e) {
          spdlog::warn("photo mode: no gender/age estimates: {}", e.what());
        }
      } catch (const std::exception& e) {
        engine_error = e.what();
        spdlog::error("photo mode: {}", engine_error);
      }
    }
    batch->status = engine_error.empty() ? "analyzing..." : engine_error;
    for (const auto& file : files) {
      if (stop.stop_requested()) return;
      {
        std::lock_guard lock(mutex_);
        if (pending_) break;  // a newer drop replaces this batch
      }
      PhotoResult result;
      result.path = file;
      try {
        if (!engine) throw std::runtime_error(engine_error);
        const cv::Mat image = load_image(file);
        result.image_size = image.size();
        std::shared_ptr<const IdentityMatcher> gallery;
        PhotoMatchOptions match;  // the same use case as `lookalike-cli match`
        match.analyze.max_faces = options_.max_faces_per_photo;
        {
          std::lock_guard lock(mutex_);
          gallery = gallery_;
          match.search = search_;
          match.unique_cast = unique_cast_;
          match.gender = gender_filter_;
          match.analyze.jitter = jitter_;
        }
        match.estimator = estimator.get();
        const auto faces = match_photo(*engine, gallery.get(), image, match);
        for (const auto& m : faces) {
          PhotoFace pf;
          pf.box = m.face.box;
          pf.crop = turned_clockwise(face_crop(image, m.face.box, 0.25f, options_.crop_side),
                                     m.face.rotation);
          pf.matches = m.matches;
          pf.embedding = m.face.embedding;
          pf.assigned = m.assigned;
          pf.estimate = m.estimate;
          if (!m.matches.empty() && m.pose)
            pf.pose_thumbnail = gallery->pose_thumbnail(m.matches.front().identity, *m.pose);
          if (const IdentityMatch* part = m.assigned          ? &*m.assigned
                                          : m.matches.empty() ? nullptr
                                                              : &m.matches.front()) {
            const cv::Mat thumbnail = gallery->thumbnail(part->identity);
            if (!thumbnail.empty()) {
              MorphFace person = morph_face(*engine, m.face.chip, options_.morph_side);
              MorphFace star = morph_face(*engine, thumbnail, options_.morph_side);
              pf.features = feature_resemblance(person.points, star.points);
              pf.morph = std::make_shared<const Morph>(std::move(person), std::move(star));
            }
          }
          result.faces.push_back(std::move(pf));
        }
        if (faces.empty()) result.error = file.filename().string() + ": no face found";
        if (!faces.empty() && faces.front().face.rotation != 0)
          result.note = fmt::format("{}: no face upright; found with the photo turned {} degrees",
                                    file.filename().string(), faces.front().face.rotation);
      } catch (const std::exception& e) {
        result.error = e.what();
      }
      batch->photos.push_back(std::move(result));
      publish(std::make_shared<const PhotoBatch>(*batch));
    }
    std::vector<Embedding> people;
    for (std::size_t p = 0; p < batch->photos.size(); ++p)
      for (std::size_t f = 0; f < batch->photos[p].faces.size(); ++f) {
        batch->people.emplace_back(p, f);
        people.push_back(batch->photos[p].faces[f].embedding);
      }
    batch->twins = rank_twins(people);
    batch->done = true;
    if (engine_error.empty()) batch->status = "done";
    publish(std::make_shared<const PhotoBatch>(*batch));
  }
}

}  // namespace lookalike::app

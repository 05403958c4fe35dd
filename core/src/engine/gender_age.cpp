// GenderAgeEstimator (see gender_age.hpp): the face crop SSR-Net expects and the two forwards.
#include "lookalike/engine/gender_age.hpp"

#include <omp.h>
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "lookalike/engine/model_paths.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/tfjs_graph/graph_model.hpp"

namespace lookalike {
namespace {

constexpr int kInputSide = 64;   // both SSR-Net models: 1x64x64x3
constexpr double kMargin = 0.6;  // of the box's size, on each side (README "Gender and age")
constexpr double kMaxWarpSide = 2 * kInputSide;  // larger crops are shrunk (INTER_AREA) first

// The eyes' angle in degrees (0 = level), from the 68-point layout's eye contours; 0 without
// landmarks.
double eye_angle(const Landmarks& landmarks) {
  cv::Point2f left(0, 0), right(0, 0);
  for (int i = 36; i < 42; ++i) left += landmarks[static_cast<std::size_t>(i)];
  for (int i = 42; i < 48; ++i) right += landmarks[static_cast<std::size_t>(i)];
  const cv::Point2f d = (right - left) * (1.f / 6);
  if (d.x == 0 && d.y == 0) return 0;
  return std::atan2(d.y, d.x) * 180.0 / CV_PI;
}

// The square around `box` grown by kMargin, turned by the eye angle, as a 64x64 BGR crop (black
// where it leaves the image). Empty when nothing of it lies in the image.
cv::Mat ssrnet_crop(const cv::Mat& bgr, const cv::Rect& box, const Landmarks& landmarks) {
  const double side = std::max(box.width, box.height) * (1 + 2 * kMargin);
  const cv::Point2d centre(box.x + box.width / 2.0, box.y + box.height / 2.0);
  // The area any turn of the square can reach, clipped to the image.
  const double reach = side * 0.75;  // > half the diagonal (0.707)
  const cv::Rect area = cv::Rect(cv::Point(static_cast<int>(std::floor(centre.x - reach)),
                                           static_cast<int>(std::floor(centre.y - reach))),
                                 cv::Point(static_cast<int>(std::ceil(centre.x + reach)),
                                           static_cast<int>(std::ceil(centre.y + reach)))) &
                        cv::Rect(0, 0, bgr.cols, bgr.rows);
  if (area.width < 2 || area.height < 2) return {};
  // Shrink big faces with area averaging first: warpAffine alone would alias.
  const double shrink = std::min(1.0, kMaxWarpSide / side);
  cv::Mat source = bgr(area);
  if (shrink < 1.0)
    cv::resize(source, source,
               {std::max(1, static_cast<int>(std::lround(area.width * shrink))),
                std::max(1, static_cast<int>(std::lround(area.height * shrink)))},
               0, 0, cv::INTER_AREA);
  const cv::Point2d local((centre.x - area.x) * shrink, (centre.y - area.y) * shrink);
  cv::Mat m = cv::getRotationMatrix2D(local, eye_angle(landmarks), kInputSide / (side * shrink));
  m.at<double>(0, 2) += kInputSide / 2.0 - local.x;
  m.at<double>(1, 2) += kInputSide / 2.0 - local.y;
  cv::Mat crop;
  cv::warpAffine(source, crop, m, {kInputSide, kInputSide}, cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  return crop;
}

tfjs_graph::Tensor to_tensor(const cv::Mat& crop) {
  cv::Mat values;
  crop.convertTo(values, CV_32FC3);  // 0-255 BGR, as SSR-Net's demo (cv2) feeds it
  tfjs_graph::Tensor t{{1, kInputSide, kInputSide, 3}, {}};
  t.values.assign(values.ptr<float>(), values.ptr<float>() + values.total() * 3);
  return t;
}

tfjs_graph::GraphModel load_model(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file))
    throw ModelError(file.string() +
                     ": gender/age model missing (run `lookalike-cli models fetch`)");
  auto model = tfjs_graph::GraphModel::load(file);
  const std::vector<int> expected{1, kInputSide, kInputSide, 3};
  if (model.input_shape() != expected || model.output_names().size() != 1)
    throw ModelError(file.string() + ": not an SSR-Net model (input 1x64x64x3, one output)");
  return model;
}

float first_output(tfjs_graph::GraphModel& model, const tfjs_graph::Tensor& input) {
  const auto out = model.run(input);
  return out.empty() || out.front().values.empty() ? 0.f : out.front().values.front();
}

}  // namespace

struct GenderAgeEstimator::Impl {
  tfjs_graph::GraphModel gender;  // one value: 0 female .. 1 male (IMDB's labels)
  tfjs_graph::GraphModel age;     // one value: years
};

GenderAgeEstimator::GenderAgeEstimator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GenderAgeEstimator::~GenderAgeEstimator() = default;

std::filesystem::path GenderAgeEstimator::default_dir() {
  return ModelPaths::defaults().recognition_weights.parent_path() / "human-models";
}

std::unique_ptr<GenderAgeEstimator> GenderAgeEstimator::load(const std::filesystem::path& dir) {
  auto impl = std::make_unique<Impl>(
      Impl{load_model(dir / "gender-ssrnet-imdb.json"), load_model(dir / "age.json")});
  return std::unique_ptr<GenderAgeEstimator>(new GenderAgeEstimator(std::move(impl)));
}

GenderAgeEstimate GenderAgeEstimator::estimate(const cv::Mat& bgr, const cv::Rect& box,
                                               const Landmarks& landmarks) {
  if (bgr.empty() || bgr.type() != CV_8UC3 || box.width < 2 || box.height < 2) return {};
  cv::Mat crop = ssrnet_crop(bgr, box, landmarks);
  if (crop.empty()) return {};
  cv::Mat mirrored;
  cv::flip(crop, mirrored, 1);
  // SSR-Net is tiny: oneDNN's OpenMP threads would only wait for each other (this thread's
  // setting, as the oneDNN embedder sets its own).
  omp_set_num_threads(1);
  float male = 0.f, age = 0.f;
  for (const cv::Mat* view : {&crop, &mirrored}) {
    const auto input = to_tensor(*view);
    male += std::clamp(first_output(impl_->gender, input), 0.f, 1.f) / 2;
    age += first_output(impl_->age, input) / 2;
  }
  GenderAgeEstimate e;
  e.gender = male >= 0.5f ? Gender::male : Gender::female;
  e.gender_confidence = std::max(male, 1.f - male);
  e.age = std::max(0.f, age);
  return e;
}

GenderAgeEstimate combine_estimates(std::span<const GenderAgeEstimate> estimates) {
  double female = 0, male = 0, age = 0;
  int known = 0;
  for (const auto& e : estimates) {
    if (!e.known()) continue;
    // A vote of confidence c for its gender is 1 - c for the other.
    const double c = e.gender_confidence;
    (e.gender == Gender::male ? male : female) += c;
    (e.gender == Gender::male ? female : male) += 1 - c;
    age += e.age;
    ++known;
  }
  if (known == 0) return {};
  GenderAgeEstimate out;
  out.gender = male >= female ? Gender::male : Gender::female;
  out.gender_confidence = static_cast<float>(std::max(male, female) / known);
  out.age = static_cast<float>(age / known);
  return out;
}

}  // namespace lookalike

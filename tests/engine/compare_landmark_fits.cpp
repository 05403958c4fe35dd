// lookalike-compare-landmark-fits: ways of fitting dlib's 68 points to a BlazeFace face,
// compared on LFW View 1 (README "Detection": how the engine's fit was chosen).
//
// Every fit starts from the first pass the engine makes (the 68 points fitted in the box from
// BlazeFace's keypoints) and differs in what follows. For each fit it prints the landmark error
// against the HOG path (mean point distance to the points fitted in HOG's box, in inter-ocular
// distances, photos where HOG finds the central face) and verification accuracy at dlib's 0.6
// on pairsDevTrain (2,200 pairs: where a fit is chosen) and pairsDevTest (1,000: only measured).
// Photos are read as lfw_view1.hpp does (thorough BlazeFace, the face overlapping LFW's central
// box; a photo without one is aligned from that box, the same chip for every fit). The
// "regressed box" fits learn HOG's box from the first pass's 68 points by ridge regression on
// the pairsDevTrain photos (our own least squares: 137 inputs, 3 outputs, via cv::solve).
//
//   LOOKALIKE_MODEL_DIR=models/cache build/release/tests/engine/lookalike-compare-landmark-fits
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>

#include "lfw_view1.hpp"
#include "lookalike/engine/aligner.hpp"
#include "lookalike/engine/blazeface.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/image_io.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;

namespace {

using test::kLfwCentralFace;

struct Photo {
  std::string name;
  bool train = false;
  cv::Mat image;
  std::optional<Detection> blazeface;  // the central face
  cv::Mat fallback_chip;               // when BlazeFace has no central face
  std::optional<Landmarks> hog;        // HOG path's points, when HOG finds the central face
  cv::Rect hog_box;
  Landmarks first_pass{};
  std::vector<Landmarks> fits;      // per fit
  std::vector<Embedding> embedded;  // per fit
};

// work(worker, i) for i in [0, count) on every core.
void on_all_cores(std::size_t count, const std::function<void(unsigned, std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  std::vector<std::jthread> workers;
  for (unsigned w = 0; w < std::max(1u, std::thread::hardware_concurrency()); ++w)
    workers.emplace_back([&, w] {
      for (std::size_t i; (i = next++) < count;) work(w, i);
    });
}

cv::Rect square(cv::Point2f centre, float side) {
  return blazeface::pixel_box({centre.x - side / 2, centre.y - side / 2, side, side});
}

Landmarks mean_of(std::span<const Landmarks> fits) {
  Landmarks mean{};
  for (const Landmarks& l : fits)
    for (std::size_t i = 0; i < mean.size(); ++i) mean[i] += l[i] * (1.f / fits.size());
  return mean;
}

// HOG's box (centre offset and log side in the points' frame) from the 68 points.
class BoxRegression {
 public:
  void fit(const std::vector<std::pair<Landmarks, cv::Rect>>& samples) {
    cv::Mat x, y;
    for (const auto& [points, box] : samples) {
      const cv::Rect2f f = frame(points);
      x.push_back(inputs(points));
      y.push_back(cv::Mat(cv::Matx13d((box.x + box.width / 2.0 - centre(f).x) / f.width,
                                      (box.y + box.height / 2.0 - centre(f).y) / f.width,
                                      std::log(box.width / f.width))));
    }
    cv::Mat ridge = cv::Mat::eye(x.cols, x.cols, CV_64F) * 1e-3;
    ridge.at<double>(x.cols - 1, x.cols - 1) = 0;  // no penalty on the constant
    cv::solve(x.t() * x + ridge, x.t() * y, weights_, cv::DECOMP_SVD);
  }
  cv::Rect box(const Landmarks& points) const {
    const cv::Rect2f f = frame(points);
    const cv::Mat out = inputs(points) * weights_;
    return square(centre(f) + cv::Point2f(out.at<double>(0), out.at<double>(1)) * f.width,
                  f.width * std::exp(out.at<double>(2)));
  }

 private:
  static cv::Rect2f frame(const Landmarks& p) { return blazeface::landmark_frame(p); }
  static cv::Point2f centre(const cv::Rect2f& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }
  static cv::Mat inputs(const Landmarks& p) {
    const cv::Rect2f f = frame(p);
    cv::Mat row(1, 2 * kLandmarkCount + 1, CV_64F);
    for (std::size_t i = 0; i < kLandmarkCount; ++i) {
      row.at<double>(2 * i) = (p[i].x - centre(f).x) / f.width;
      row.at<double>(2 * i + 1) = (p[i].y - centre(f).y) / f.width;
    }
    row.at<double>(2 * kLandmarkCount) = 1;
    return row;
  }
  cv::Mat weights_;
};

struct Fit {
  const char* name;
  std::function<Landmarks(FaceEngine&, const Photo&)> run;
};

}  // namespace

int main() {
  const auto shared = test::shared_dir();
  if (!shared) {
    std::fprintf(stderr, "shared test data not found (../shared or LOOKALIKE_SHARED_DIR)\n");
    return 1;
  }
  const fs::path root = *shared / "data/faces/lfw_view1";
  const auto train_pairs = test::read_lfw_pairs(root / "pairsDevTrain.txt");
  const auto test_pairs = test::read_lfw_pairs(root / "pairsDevTest.txt");
  std::map<std::string, bool> in_train;
  for (const auto& p : train_pairs) in_train[p.a] = in_train[p.b] = true;
  for (const auto& p : test_pairs) in_train.emplace(p.a, false), in_train.emplace(p.b, false);
  std::vector<Photo> photos;
  for (const auto& [name, train] : in_train) photos.push_back({.name = name, .train = train});

  std::vector<std::unique_ptr<FaceEngine>> hog, blaze;
  for (unsigned w = 0; w < std::max(1u, std::thread::hardware_concurrency()); ++w) {
    hog.push_back(FaceEngine::create());
    EngineOptions options;
    options.detector.kind = DetectorKind::blazeface;
    blaze.push_back(FaceEngine::create(options));
  }
  std::fprintf(stderr, "finding faces in %zu photos...\n", photos.size());
  on_all_cores(photos.size(), [&](unsigned w, std::size_t i) {
    Photo& p = photos[i];
    p.image = load_image(root / p.name);
    const auto faces = blaze[w]->analyze(p.image, {.embed = false, .thorough = true});
    const int primary = pick_primary_face(faces, p.image.size(), kLfwCentralFace);
    if (primary >= 0 && (faces[primary].box & kLfwCentralFace).area() > 0)
      for (const Detection& d : blaze[w]->detect(p.image))
        if (d.box == faces[primary].box) p.blazeface = d;
    if (p.blazeface)
      p.first_pass = blaze[w]->landmarks(
          p.image,
          blazeface::pixel_box(blazeface::dlib_box_from_keypoints(p.blazeface->keypoints)));
    else if (primary >= 0 && (faces[primary].box & kLfwCentralFace).area() > 0)
      p.fallback_chip = faces[primary].chip;  // found by the thorough chain's other passes
    else
      p.fallback_chip =
          blaze[w]->analyze(p.image, {.embed = false, .expected_face = kLfwCentralFace}).at(0).chip;
    for (const Detection& d : hog[w]->detect(p.image))
      if (blazeface::iou(cv::Rect2f(d.box), cv::Rect2f(kLfwCentralFace)) > 0.4f)
        p.hog = hog[w]->landmarks(p.image, d.box), p.hog_box = d.box;
  });

  BoxRegression regression;
  {
    std::vector<std::pair<Landmarks, cv::Rect>> samples;
    for (const Photo& p : photos)
      if (p.train && p.blazeface && p.hog) samples.emplace_back(p.first_pass, p.hog_box);
    regression.fit(samples);
  }
  const auto refit = [](FaceEngine& e, const Photo& p, const Landmarks& previous) {
    return e.landmarks(p.image, blazeface::pixel_box(blazeface::dlib_box_from_landmarks(previous)));
  };
  // The points fitted in `count` boxes around `box` (shifted 3 % of the side, scaled 5 %),
  // averaged.
  const auto around = [](FaceEngine& e, const Photo& p, const cv::Rect& box, int count) {
    const std::array<cv::Vec3f, 9> kMoves{{{0, 0, 1},
                                           {0.03f, 0, 1},
                                           {-0.03f, 0, 1},
                                           {0, 0.03f, 1},
                                           {0, -0.03f, 1},
                                           {0, 0, 0.95f},
                                           {0, 0, 1.05f},
                                           {0.03f, 0.03f, 1},
                                           {-0.03f, -0.03f, 1}}};
    std::vector<Landmarks> fits;
    const cv::Point2f centre(box.x + box.width / 2.f, box.y + box.height / 2.f);
    for (int k = 0; k < count; ++k)
      fits.push_back(
          e.landmarks(p.image, square(centre + cv::Point2f(kMoves[k][0], kMoves[k][1]) * box.width,
                                      box.width * kMoves[k][2])));
    return mean_of(fits);
  };
  const std::vector<Fit> fits{
      {"one refit (before)",
       [&](FaceEngine& e, const Photo& p) { return refit(e, p, p.first_pass); }},
      {"two refits",
       [&](FaceEngine& e, const Photo& p) { return refit(e, p, refit(e, p, p.first_pass)); }},
      {"**two refits, averaged** (engine)",
       [&](FaceEngine& e, const Photo& p) { return e.landmarks(p.image, *p.blazeface); }},
      {"one refit, 5 boxes around it averaged",
       [&](FaceEngine& e, const Photo& p) {
         return around(e, p, blazeface::pixel_box(blazeface::dlib_box_from_landmarks(p.first_pass)),
                       5);
       }},
      {"one refit, 9 boxes around it averaged",
       [&](FaceEngine& e, const Photo& p) {
         return around(e, p, blazeface::pixel_box(blazeface::dlib_box_from_landmarks(p.first_pass)),
                       9);
       }},
      {"regressed box",
       [&](FaceEngine& e, const Photo& p) {
         return e.landmarks(p.image, regression.box(p.first_pass));
       }},
      {"regressed box, twice",
       [&](FaceEngine& e, const Photo& p) {
         return e.landmarks(p.image,
                            regression.box(e.landmarks(p.image, regression.box(p.first_pass))));
       }},
      {"regressed box, 5 boxes around it averaged",
       [&](FaceEngine& e, const Photo& p) {
         return around(e, p, regression.box(p.first_pass), 5);
       }},
  };
  std::fprintf(stderr, "fitting and embedding %zu ways...\n", fits.size());
  on_all_cores(photos.size(), [&](unsigned w, std::size_t i) {
    Photo& p = photos[i];
    std::vector<cv::Mat> chips;
    for (const Fit& fit : fits) {
      if (!p.blazeface) {
        chips.push_back(p.fallback_chip);
        continue;
      }
      p.fits.push_back(fit.run(*blaze[w], p));
      chips.push_back(align_face(p.image, p.fits.back()));
    }
    p.embedded = blaze[w]->embed(chips, /*mirror_average=*/true);
  });

  std::map<std::string, const Photo*> by_name;
  for (const Photo& p : photos) by_name[p.name] = &p;
  const auto accuracy = [&](const std::vector<test::LfwPair>& pairs, std::size_t fit) {
    int right = 0;
    for (const auto& pair : pairs) {
      const float d =
          euclidean_distance(by_name.at(pair.a)->embedded[fit], by_name.at(pair.b)->embedded[fit]);
      right += (d < kSamePersonDistance) == pair.same;
    }
    return 100.0 * right / static_cast<double>(pairs.size());
  };
  const auto landmark_error = [&](bool train, std::size_t fit) {
    double total = 0;
    int count = 0;
    for (const Photo& p : photos) {
      if (p.train != train || !p.blazeface || !p.hog) continue;
      const Landmarks& h = *p.hog;
      const double eyes = std::max(1.0, cv::norm(h[36] - h[45]));
      double sum = 0;
      for (std::size_t i = 0; i < h.size(); ++i) sum += cv::norm(p.fits[fit][i] - h[i]);
      total += sum / h.size() / eyes;
      ++count;
    }
    return count ? total / count : 0.0;
  };
  std::printf(
      "| fit after the keypoint box | landmark error train | held out | LFW pairsDevTrain | "
      "LFW pairsDevTest |\n|---|---:|---:|---:|---:|\n");
  for (std::size_t f = 0; f < fits.size(); ++f)
    std::printf("| %s | %.4f | %.4f | %.2f %% | %.1f %% |\n", fits[f].name, landmark_error(true, f),
                landmark_error(false, f), accuracy(train_pairs, f), accuracy(test_pairs, f));
  return 0;
}

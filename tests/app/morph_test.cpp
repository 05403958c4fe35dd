// The morph: at 0 it is the person's chip, at 1 the celebrity's (up to interpolation), no
// triangle inverts on the way, and `lookalike-cli morph` writes the strip and the video.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "lookalike/app/morph.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

double mean_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar m = cv::mean(d);
  return (m[0] + m[1] + m[2]) / 3;
}

double signed_area(const std::vector<cv::Point2f>& p, const cv::Vec3i& t) {
  const cv::Point2f a = p[static_cast<std::size_t>(t[0])], b = p[static_cast<std::size_t>(t[1])],
                    c = p[static_cast<std::size_t>(t[2])];
  return ((b - a).x * (c - a).y - (b - a).y * (c - a).x) / 2;
}

class MorphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LOOKALIKE_REQUIRE_SHARED();
    engine_ = FaceEngine::create();
  }
  // The aligned chip of the photo's largest face; `thumbnail` makes it gallery-thumbnail sized.
  cv::Mat chip(const std::string& photo, bool thumbnail = false) {
    AnalyzeOptions options;
    options.thorough = true;
    auto faces = engine_->analyze(cv::imread(test::shared_data(photo).string()), options);
    EXPECT_FALSE(faces.empty()) << photo;
    if (faces.empty()) return {};
    cv::Mat c = faces.front().chip;
    if (thumbnail) cv::resize(c, c, {112, 112}, 0, 0, cv::INTER_AREA);
    return c;
  }
  std::unique_ptr<FaceEngine> engine_;
};

TEST_F(MorphTest, StartsAtThePersonEndsAtTheCelebrityAndNoTriangleInverts) {
  const MorphFace person = morph_face(*engine_, chip("faces/bbt/sheldon/sheldon1.png"));
  const MorphFace star =
      morph_face(*engine_, chip("faces/lfw10/Jacques_Chirac/Jacques_Chirac_0001.jpg", true));
  const Morph morph(person, star);
  EXPECT_GT(morph.triangles().size(), 68u);
  EXPECT_LT(mean_abs_diff(morph.frame(0), person.image), 3.0);
  EXPECT_LT(mean_abs_diff(morph.frame(1), star.image), 3.0);
  const double middle_to_ends = std::min(mean_abs_diff(morph.frame(0.5), person.image),
                                         mean_abs_diff(morph.frame(0.5), star.image));
  EXPECT_GT(middle_to_ends, 5.0) << "the middle frame is one of the ends";
  for (const auto& t : morph.triangles()) {
    const double reference = signed_area(morph.shape(0.5), t);
    ASSERT_NE(reference, 0.0);
    for (const double at : {0.0, 0.25, 0.75, 1.0})
      EXPECT_GT(signed_area(morph.shape(at), t) * reference, 0.0)
          << "triangle " << t << " inverts at t = " << at;
  }
}

TEST_F(MorphTest, FacesOfDifferentSizesAreRefused) {
  const cv::Mat c = chip("faces/bbt/penny/penny1.png");
  EXPECT_THROW(Morph(morph_face(*engine_, c, 256), morph_face(*engine_, c, 128)),
               std::invalid_argument);
}

TEST_F(MorphTest, CliWritesTheStripAndTheVideo) {
  test::TempDir dir;
  const std::string cli = (test::build_dir() / "app/lookalike-cli").string();
  const std::string gallery = (dir / "lfw10.lkg").string();
  ASSERT_EQ(test::run_command(cli + " gallery build " + test::shared_data("faces/lfw10").string() +
                              " -o " + gallery + " --threads 2 -q")
                .exit_code,
            0);
  const std::string photo = test::shared_data("faces/bbt/sheldon/sheldon1.png").string();
  const auto strip = test::run_command(cli + " morph " + photo + " --gallery " + gallery +
                                       " --steps 5 --size 128 -o " + (dir / "m.png").string());
  ASSERT_EQ(strip.exit_code, 0) << strip.err;
  const cv::Mat png = cv::imread((dir / "m.png").string());
  EXPECT_EQ(png.cols, 5 * 128);
  EXPECT_EQ(png.rows, 128);

  const auto video = test::run_command(cli + " morph " + photo + " --gallery " + gallery +
                                       " --to 'Tony Blair' -o " + (dir / "m.avi").string());
  ASSERT_EQ(video.exit_code, 0) << video.err;
  EXPECT_NE(video.out.find("Tony Blair"), std::string::npos) << video.out;
  cv::VideoCapture capture((dir / "m.avi").string());
  ASSERT_TRUE(capture.isOpened());
  EXPECT_EQ(static_cast<int>(capture.get(cv::CAP_PROP_FRAME_COUNT)), 101);

  const auto unknown = test::run_command(cli + " morph " + photo + " --gallery " + gallery +
                                         " --to Nobody -o " + (dir / "x.png").string());
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no identity named 'Nobody'"), std::string::npos) << unknown.err;
  EXPECT_FALSE(fs::exists(dir / "x.png"));
}

}  // namespace
}  // namespace lookalike::app

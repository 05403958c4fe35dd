// The morph: at 0 it is the person's chip, at 1 the celebrity's (up to interpolation), no
// triangle inverts on the way; write_morph (the one writer of morph files) writes the video
// there and back and the strip, refuses other formats, leaves nothing when cancelled; and
// `lookalike-cli morph` writes the strip and the video through it, and on a full disk keeps
// the previous file.
#include <gtest/gtest.h>
#include <unistd.h>

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

// Temporary files write_morph left in the temporary folder by this process.
int morph_temporaries() {
  const std::string prefix = ".lookalike-morph-" + std::to_string(::getpid()) + "-";
  int n = 0;
  for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
    n += e.path().filename().string().rfind(prefix, 0) == 0;
  return n;
}

TEST_F(MorphTest, WritesTheVideoThereAndBackAndTheStrip) {
  const Morph morph(
      morph_face(*engine_, chip("faces/bbt/penny/penny1.png"), 128),
      morph_face(*engine_, chip("faces/lfw10/Tony_Blair/Tony_Blair_0001.jpg", true), 128));
  test::TempDir dir;
  double last_progress = -1;
  bool progress_monotonic = true;
  const auto video = write_morph(morph, dir / "sub/m.mp4", {}, {}, [&](double f) {
    progress_monotonic &= f >= last_progress;
    last_progress = f;
  });
  ASSERT_TRUE(video);
  EXPECT_EQ(video->path, dir / "sub/m.mp4");
  EXPECT_EQ(video->frames, 101);  // 25 fps, 2 s each way, and the last frame
  EXPECT_EQ(video->frame_size, cv::Size(128, 128));
  EXPECT_TRUE(progress_monotonic);
  EXPECT_DOUBLE_EQ(last_progress, 1.0);
  cv::VideoCapture capture(video->path.string());
  ASSERT_TRUE(capture.isOpened());
  std::vector<cv::Mat> frames;
  for (cv::Mat f; capture.read(f);) frames.push_back(f.clone());
  ASSERT_EQ(frames.size(), 101u);
  EXPECT_EQ(frames.front().size(), cv::Size(128, 128));
  // There and back: starts and ends on the person, the celebrity in the middle (mp4v is lossy).
  EXPECT_LT(mean_abs_diff(frames.front(), morph.frame(0)), 8.0);
  EXPECT_LT(mean_abs_diff(frames[50], morph.frame(1)), 8.0);
  EXPECT_LT(mean_abs_diff(frames.back(), morph.frame(0)), 8.0);
  EXPECT_GT(mean_abs_diff(frames[50], morph.frame(0)), 12.0);

  MorphWriteOptions options;
  options.steps = 4;
  const auto strip = write_morph(morph, dir / "m.png", options);
  ASSERT_TRUE(strip);
  EXPECT_EQ(strip->frames, 4);
  const cv::Mat png = cv::imread((dir / "m.png").string());
  ASSERT_EQ(png.size(), cv::Size(4 * 128, 128));
  EXPECT_LT(mean_abs_diff(png(cv::Rect(0, 0, 128, 128)), morph.frame(0)), 1.0);
  EXPECT_LT(mean_abs_diff(png(cv::Rect(3 * 128, 0, 128, 128)), morph.frame(1)), 1.0);
  EXPECT_EQ(morph_temporaries(), 0);
}

TEST_F(MorphTest, WritingOtherFormatsIsRefusedAndACancelWritesNothing) {
  const cv::Mat c = chip("faces/bbt/raj/raj1.png");
  const Morph morph(morph_face(*engine_, c, 96), morph_face(*engine_, c, 96));
  test::TempDir dir;
  try {
    write_morph(morph, dir / "m.gif");
    ADD_FAILURE() << "a .gif was written";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("m.gif"), std::string::npos) << e.what();
  }
  std::stop_source stop;
  int reports = 0;
  const auto cancelled = write_morph(morph, dir / "m.mp4", {}, stop.get_token(), [&](double) {
    if (++reports == 10) stop.request_stop();
  });
  EXPECT_FALSE(cancelled);
  EXPECT_EQ(reports, 10);
  EXPECT_FALSE(fs::exists(dir / "m.mp4"));
  EXPECT_FALSE(fs::exists(dir / "m.gif"));
  EXPECT_EQ(morph_temporaries(), 0);
}

TEST_F(MorphTest, CliWritesTheStripAndTheVideoAndAFullDiskKeepsThePreviousFile) {
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

  // A full disk (a real tmpfs of 32 kB) under the video: the previous file stays, no temporary
  // file is left, and the message names the file and says the disk is full.
  const fs::path small = dir / "small";
  const std::string d = dir.path().string(), m = (small / "m.mp4").string();
  test::write_file(dir / "old.mp4", std::string(4096, 'o'));
  const auto full = test::run_with_small_disk(
      small, 32,
      "cp " + d + "/old.mp4 " + m + "\n" + cli + " morph " + photo + " --gallery " + gallery +
          " -o " + m + " >" + d + "/full.out 2>" + d + "/full.err; echo $? >" + d +
          "/full.rc\ncmp -s " + d + "/old.mp4 " + m + " && echo intact >" + d +
          "/full.same\nls -A " + small.string() + " >" + d + "/full.left\n");
  if (!full) GTEST_SKIP() << "no mount namespace here (needs root or user namespaces)";
  ASSERT_EQ(full->exit_code, 0) << full->err;
  EXPECT_EQ(test::read_file_text(dir / "full.rc"), "1\n");
  const std::string err = test::read_file_text(dir / "full.err");
  EXPECT_NE(err.find("the disk is full"), std::string::npos) << err;
  EXPECT_NE(err.find(m), std::string::npos) << "names the file: " << err;
  EXPECT_EQ(test::read_file_text(dir / "full.same"), "intact\n");
  EXPECT_EQ(test::read_file_text(dir / "full.left"), "m.mp4\n") << "temporary files left";
}

}  // namespace
}  // namespace lookalike::app

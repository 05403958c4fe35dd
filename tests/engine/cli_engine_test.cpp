// lookalike-cli as a user runs it: --help/--version, embed --json on real and hostile files,
// compare on real photos.
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "lookalike/build_config.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/types.hpp"

#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

std::string cli() {
  return (test::build_dir() / "app" / "lookalike-cli").string();
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(Cli, HelpAndVersion) {
  auto help = test::run_command(cli() + " --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("embed"), std::string::npos);
  EXPECT_NE(help.out.find("compare"), std::string::npos);
  auto version = test::run_command(cli() + " --version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find(LOOKALIKE_VERSION), std::string::npos);
  EXPECT_NE(test::run_command(cli() + " --no-such-flag").exit_code, 0);
}

TEST(Cli, EmbedJsonOnMiscTestPhotos) {
  LOOKALIKE_REQUIRE_SHARED();
  const fs::path dir = test::shared_data("faces/misc/test");
  std::string args;
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) args += " '" + e.path().string() + "'", ++files;
  auto result = test::run_command(cli() + " embed --json" + args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto lines = json_lines(result.out);
  ASSERT_EQ(static_cast<int>(lines.size()), files);
  int faces = 0;
  for (const auto& line : lines) {
    ASSERT_TRUE(line.contains("faces")) << line.dump();
    EXPECT_GE(line["faces"].size(), 1u) << line["image"];
    for (const auto& face : line["faces"]) {
      ++faces;
      EXPECT_EQ(face["embedding"].size(), 128u);
      EXPECT_EQ(face["landmarks"].size(), 68u);
      EXPECT_EQ(face["box"].size(), 4u);
      EXPECT_TRUE(face["score"].is_number());
    }
  }
  EXPECT_GE(faces, files);
}

TEST(Cli, EmbedReportsEachBadFileAndGoesOn) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  std::ofstream(dir / "empty.jpg").close();
  std::ofstream(dir / "notes.jpg") << "not a photo";
  cv::Mat gray(300, 300, CV_8UC1, cv::Scalar(128));
  cv::imwrite((dir / "gray.png").string(), gray);
  const std::string good = test::shared_data("faces/misc/test/obama-480p.jpg").string();
  auto result =
      test::run_command(cli() + " embed --json " + (dir / "empty.jpg").string() + " " +
                        (dir / "notes.jpg").string() + " " + (dir / "missing.jpg").string() + " " +
                        dir.path().string() + " " + (dir / "gray.png").string() + " " + good);
  EXPECT_EQ(result.exit_code, 1) << "exit code says an input failed";
  auto lines = json_lines(result.out);
  ASSERT_EQ(lines.size(), 6u);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(lines[i].contains("error")) << lines[i].dump();
    EXPECT_NE(lines[i]["error"].get<std::string>().find(lines[i]["image"].get<std::string>()),
              std::string::npos);
  }
  EXPECT_EQ(lines[4]["faces"].size(), 0u);  // a valid image without faces is not an error
  EXPECT_EQ(lines[5]["faces"].size(), 1u);
}

// The photos real users drop: phone photos of 50 and 200 megapixels (above the 40 MP decode
// budget: decoded at reduced scale), a phone photo stored sideways with EXIF orientation 6, a
// scan turned on its side with no EXIF at all, and a GIF. Each gives the face.
TEST(Cli, EmbedFindsTheFaceInPhonePhotosSidewaysPhotosAndGifs) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const cv::Mat face = cv::imread(test::shared_data("faces/misc/test/obama-480p.jpg").string());
  ASSERT_FALSE(face.empty());
  auto upscaled_jpeg = [&](double megapixels, const std::string& name) {
    const double scale = std::sqrt(megapixels * 1e6 / static_cast<double>(face.total()));
    cv::Mat big;
    cv::resize(face, big, {}, scale, scale, cv::INTER_LINEAR);
    EXPECT_GE(static_cast<double>(big.total()), megapixels * 1e6 * 0.99);
    const fs::path path = dir / name;
    EXPECT_TRUE(cv::imwrite(path.string(), big, {cv::IMWRITE_JPEG_QUALITY, 85}));
    return path;
  };
  const fs::path mp50 = upscaled_jpeg(50, "phone-50mp.jpg");
  const fs::path mp200 = upscaled_jpeg(200, "phone-200mp.jpg");

  // Stored turned a quarter counter-clockwise; the EXIF tag says to turn it back clockwise.
  std::vector<unsigned char> stored;
  ASSERT_TRUE(cv::imencode(".jpg", turned_clockwise(face, 270), stored));
  const fs::path exif = dir / "exif-6.jpg";
  const auto tagged = test::with_exif_orientation(stored, 6);
  std::ofstream(exif, std::ios::binary)
      .write(reinterpret_cast<const char*>(tagged.data()),
             static_cast<std::streamsize>(tagged.size()));
  const fs::path sideways = dir / "scan-sideways.jpg";  // turned clockwise, no EXIF
  ASSERT_TRUE(cv::imwrite(sideways.string(), turned_clockwise(face, 90)));
  const fs::path gif = dir / "photo.gif";
  const auto ffmpeg = test::run_command(
      "ffmpeg -loglevel error -y -i '" +
      test::shared_data("faces/misc/test/obama-480p.jpg").string() + "' '" + gif.string() + "'");
  ASSERT_EQ(ffmpeg.exit_code, 0) << ffmpeg.err;

  auto result =
      test::run_command(cli() + " embed --json " + mp50.string() + " " + mp200.string() + " " +
                        exif.string() + " " + sideways.string() + " " + gif.string());
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  const auto lines = json_lines(result.out);
  ASSERT_EQ(lines.size(), 5u);
  for (const auto& line : lines) {
    SCOPED_TRACE(line["image"].get<std::string>());
    ASSERT_TRUE(line.contains("faces")) << line.dump();
    ASSERT_EQ(line["faces"].size(), 1u);
    EXPECT_EQ(line["faces"][0]["embedding"].size(), 128u);
  }
  // Decoded at 1/2 and 1/4: the box is in the decoded photo, a quarter or less of the original.
  EXPECT_EQ(lines[0]["faces"][0]["rotation"], 0);
  EXPECT_EQ(lines[2]["faces"][0]["rotation"], 0) << "EXIF turned it upright before detection";
  EXPECT_EQ(lines[3]["faces"][0]["rotation"], 270) << "found by turning the scan back";
  EXPECT_EQ(lines[4]["faces"][0]["rotation"], 0);
  // The sideways face is the same person as the upright one, and its box lies inside the
  // sideways photo (coordinates of the photo as given).
  auto embedding = [](const nlohmann::json& face) {
    Embedding e{};
    for (std::size_t i = 0; i < e.size(); ++i) e[i] = face["embedding"][i].get<float>();
    return e;
  };
  const auto& turned = lines[3]["faces"][0];
  EXPECT_LT(euclidean_distance(embedding(turned), embedding(lines[2]["faces"][0])), 0.2f);
  const auto box = turned["box"];
  EXPECT_GE(box[0].get<int>(), 0);
  EXPECT_LE(box[0].get<int>() + box[2].get<int>(), face.rows + 1) << "width is the photo's height";
  EXPECT_LE(box[1].get<int>() + box[3].get<int>(), face.cols + 1);
  // The text output says which turn found it; with --no-try-rotations nothing is found.
  const auto text = test::run_command(cli() + " embed " + sideways.string());
  EXPECT_NE(text.out.find("found with the photo turned 270 degrees"), std::string::npos)
      << text.out;
  const auto off =
      test::run_command(cli() + " embed --json --no-try-rotations " + sideways.string());
  EXPECT_EQ(json_lines(off.out).at(0)["faces"].size(), 0u) << off.out;
}

TEST(Cli, CompareSamePersonAndDifferentPeople) {
  LOOKALIKE_REQUIRE_SHARED();
  const auto lfw = test::shared_data("faces/lfw10");
  std::string tony_a, tony_b, other;
  for (const auto& e : fs::directory_iterator(lfw)) {
    std::vector<fs::path> files;
    for (const auto& f : fs::directory_iterator(e.path())) files.push_back(f.path());
    std::sort(files.begin(), files.end());
    if (tony_a.empty())
      tony_a = files[0], tony_b = files[1];
    else if (other.empty())
      other = files[0];
  }
  auto same = test::run_command(cli() + " compare --json " + tony_a + " " + tony_b);
  ASSERT_EQ(same.exit_code, 0) << same.err;
  auto s = nlohmann::json::parse(same.out);
  EXPECT_TRUE(s["same_person"].get<bool>()) << s.dump();
  EXPECT_LT(s["euclidean"].get<double>(), 0.6);
  auto diff = test::run_command(cli() + " compare --json " + tony_a + " " + other);
  auto d = nlohmann::json::parse(diff.out);
  EXPECT_FALSE(d["same_person"].get<bool>()) << d.dump();
  EXPECT_GT(d["cosine"].get<double>(), -1.0);
  auto strict = nlohmann::json::parse(
      test::run_command(cli() + " compare --json --threshold 0.01 " + tony_a + " " + tony_b).out);
  EXPECT_FALSE(strict["same_person"].get<bool>());
}

}  // namespace
}  // namespace lookalike

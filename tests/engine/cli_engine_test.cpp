// lookalike-cli as a user runs it: --help/--version, embed --json on real and hostile files,
// compare on real photos.
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include "lookalike/build_config.hpp"

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

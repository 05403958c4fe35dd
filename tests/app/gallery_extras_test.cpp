// Group play's gallery extras through the application layer and lookalike-cli, on a gallery
// built from the shared BBT photos: match_photo gives every face its head pose and every match
// its resemblance percentile; `match --json` carries "pose" and "percentile", the text output
// says "closer to X than P % of the gallery"; `gallery info` says whether the gallery has them;
// a version 1 copy of the same gallery still matches, without percentiles, and says why.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "lookalike/app/match_photo.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

class GalleryExtrasApp : public test::BbtGallerySuite {
 protected:
  static void SetUpTestSuite() {
    BbtGallerySuite::SetUpTestSuite();
    if (!dir_ || HasFatalFailure()) return;
    // The same gallery in the format older releases wrote.
    old_gallery_ = (*dir_ / "bbt-v1.lkg").string();
    write_gallery(old_gallery_, Gallery::load(gallery_)->to_data(),
                  {.format_version = kOldestGalleryFormatVersion});
  }

  static std::vector<nlohmann::json> match_json(const std::string& gallery) {
    std::string cmd = cli_ + " match --gallery " + gallery + " --json --top 3";
    for (const char* photo : {"bbt1.jpg", "bbt2.jpg"}) {
      cmd += ' ';
      cmd += (test::shared_data("faces/bbt/_group") / photo).string();
    }
    const auto run = test::run_command(cmd);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return test::json_lines(run.out);
  }

  static inline std::string old_gallery_;
};

TEST_F(GalleryExtrasApp, MatchPhotoGivesPosesAndPercentiles) {
  const auto gallery = Gallery::load(gallery_);
  auto engine = FaceEngine::create();
  const cv::Mat photo = load_image(test::shared_data("faces/bbt/_group/bbt1.jpg"));
  const auto faces = match_photo(*engine, gallery.get(), photo, {});
  ASSERT_GE(faces.size(), 2u);
  for (const auto& f : faces) {
    ASSERT_TRUE(f.pose.has_value()) << "face at " << f.face.box;
    EXPECT_TRUE(std::isfinite(f.pose->yaw) && std::isfinite(f.pose->pitch));
    ASSERT_FALSE(f.matches.empty());
    for (const auto& m : f.matches) {
      ASSERT_TRUE(m.percentile.has_value()) << m.name;
      EXPECT_EQ(*m.percentile, *gallery->percentile_of(m.identity, f.face.embedding)) << m.name;
    }
    // The cast is in the gallery: each face is nearer its own centre than most other photos.
    EXPECT_GE(*f.matches.front().percentile, 90.f) << f.matches.front().name;
    EXPECT_GE(*f.matches.front().percentile, *f.matches.back().percentile);
    // The card's pose-matched crop exists for every match (a pose photo or the thumbnail).
    EXPECT_FALSE(gallery->pose_thumbnail(f.matches.front().identity, *f.pose).empty());
  }
}

TEST_F(GalleryExtrasApp, MatchJsonCarriesPoseAndPercentile) {
  const auto lines = match_json(gallery_);
  ASSERT_EQ(lines.size(), 2u);
  const std::set<std::string> bins = {"frontal", "left", "right", "up", "down"};
  for (const auto& line : lines) {
    ASSERT_GE(line.at("faces").size(), 2u) << line.dump();
    for (const auto& face : line.at("faces")) {
      const auto& pose = face.at("pose");
      EXPECT_TRUE(pose.at("yaw").is_number() && pose.at("pitch").is_number()) << pose;
      EXPECT_EQ(bins.count(pose.at("bin").get<std::string>()), 1u) << pose;
      for (const auto& m : face.at("matches")) {
        const double p = m.at("percentile").get<double>();
        EXPECT_GE(p, 0.0);
        EXPECT_LE(p, 100.0);
      }
      EXPECT_GE(face.at("matches").at(0).at("percentile").get<double>(), 90.0) << face;
    }
  }
  // The text form says it in words.
  const auto text = test::run_command(cli_ + " match --gallery " + gallery_ + " " +
                                      test::shared_data("faces/bbt/_group/bbt1.jpg").string());
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("closer to "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("% of the gallery"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(", head "), std::string::npos) << text.out;
}

TEST_F(GalleryExtrasApp, GalleryInfoSaysWhetherTheGalleryHasThem) {
  const auto info = test::run_command(cli_ + " gallery info " + gallery_);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("percentiles     yes"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("pose photos     8 of 8 identities"), std::string::npos) << info.out;
  EXPECT_EQ(info.out.find("older version"), std::string::npos) << info.out;
  const auto json = test::run_command(cli_ + " gallery info --json " + gallery_);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j.at("format_version"), kGalleryFormatVersion);
  EXPECT_TRUE(j.at("percentiles").get<bool>());
  EXPECT_EQ(j.at("identities_with_pose_photos"), 8);
  EXPECT_FALSE(j.contains("note"));
  for (const auto& id : j.at("identity_list")) {
    EXPECT_TRUE(id.at("percentile").get<bool>()) << id;
    EXPECT_GE(id.at("pose_photos").size(), 1u) << id;
  }
}

TEST_F(GalleryExtrasApp, AVersion1GalleryStillMatchesWithoutThemAndSaysWhy) {
  const auto info = test::run_command(cli_ + " gallery info " + old_gallery_);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_NE(info.out.find("format version  1"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("percentiles     no"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("built by an older version"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("rebuild"), std::string::npos) << info.out;
  const auto json =
      nlohmann::json::parse(test::run_command(cli_ + " gallery info --json " + old_gallery_).out);
  EXPECT_NE(json.at("note").get<std::string>().find("no percentiles or pose photos"),
            std::string::npos)
      << json;

  const auto old_lines = match_json(old_gallery_);
  const auto new_lines = match_json(gallery_);
  ASSERT_EQ(old_lines.size(), new_lines.size());
  for (std::size_t l = 0; l < old_lines.size(); ++l) {
    const auto& old_faces = old_lines[l].at("faces");
    ASSERT_EQ(old_faces.size(), new_lines[l].at("faces").size());
    for (std::size_t f = 0; f < old_faces.size(); ++f) {
      EXPECT_TRUE(old_faces[f].contains("pose")) << "the pose is the photo's, not the gallery's";
      const auto& old_matches = old_faces[f].at("matches");
      const auto& new_matches = new_lines[l].at("faces")[f].at("matches");
      ASSERT_EQ(old_matches.size(), new_matches.size());
      for (std::size_t m = 0; m < old_matches.size(); ++m) {
        EXPECT_FALSE(old_matches[m].contains("percentile")) << old_matches[m];
        EXPECT_EQ(old_matches[m].at("name"), new_matches[m].at("name"));
        EXPECT_EQ(old_matches[m].at("distance"), new_matches[m].at("distance"));
      }
    }
  }
}

}  // namespace
}  // namespace lookalike::app

// Gender and age end to end: a folder gallery of the shared BBT cast gets every identity's
// gender and age estimated from its photos (marked estimated); metadata gender is kept; older
// gallery files load; `match --gender same|female|male --json` returns only identities of that
// gender and every face carries "gender", "gender_confidence" and "age".
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "lookalike/gallery/builder.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/gallery_file.hpp"
#include "lookalike/gallery/gender_filter.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

class GenderFilterApp : public test::BbtGallerySuite {
 protected:
  // `match --json` on one photo with --gender `filter`: its one JSON line.
  static nlohmann::json match(const std::string& photo, const std::string& filter) {
    const auto run =
        test::run_command(cli_ + " match --gallery " + gallery_ + " --json --top 3 --gender " +
                          filter + " " + test::shared_data(photo).string());
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const auto lines = test::json_lines(run.out);
    return lines.empty() ? nlohmann::json() : lines.front();
  }

  // Every identity's gender as the gallery stores it, by name.
  static std::map<std::string, Gender> gallery_genders() {
    const auto gallery = Gallery::load(gallery_);
    std::map<std::string, Gender> genders;
    for (std::uint32_t i = 0; i < gallery->identity_count(); ++i)
      genders[gallery->identity_name(i)] = gallery->gender(i);
    return genders;
  }
};

TEST_F(GenderFilterApp, FolderGalleryIdentitiesGetEstimatedGenderAndAge) {
  const auto gallery = Gallery::load(gallery_);
  ASSERT_EQ(gallery->identity_count(), test::bbt_cast().size());
  int right = 0;
  for (std::uint32_t i = 0; i < gallery->identity_count(); ++i) {
    const std::string name = gallery->identity_name(i);
    EXPECT_NE(gallery->gender(i), Gender::unknown) << name;
    EXPECT_TRUE(gallery->gender_estimated(i)) << name;  // folders carry no metadata
    EXPECT_GT(gallery->age(i), 15.f) << name;
    EXPECT_LT(gallery->age(i), 70.f) << name;
    right += gallery->gender(i) == test::known_gender(name);
    std::printf("%-10s %-6s (estimated), about %.0f\n", name.c_str(), to_string(gallery->gender(i)),
                gallery->age(i));
  }
  // The majority over five photos: at most one of the eight cast members called wrong.
  EXPECT_GE(right, 7);
}

TEST_F(GenderFilterApp, MetadataGenderIsKeptAndNotMarkedEstimated) {
  // Two BBT women labelled male by "metadata" (as an IMDB-WIKI import would label them): the
  // label wins over the photos' estimate.
  std::vector<PhotoSource> sources;
  for (const char* person : {"penny", "amy"})
    for (const auto& photo : test::photos_under(test::shared_data("faces/bbt") / person))
      sources.push_back({photo, person, person, std::nullopt, Gender::male, 1980, 2010});
  BuildOptions options;
  options.threads = 2;
  const auto built = build_gallery(sources, options);
  ASSERT_TRUE(built.completed);
  ASSERT_EQ(built.data.identities.size(), 2u);
  for (const auto& info : built.data.identities) {
    EXPECT_EQ(info.gender, Gender::male) << info.name;
    EXPECT_FALSE(info.gender_estimated) << info.name;
    EXPECT_EQ(info.age, 30.f) << info.name;  // photo year - birth year
  }
}

TEST_F(GenderFilterApp, OlderGalleryFilesLoadWithoutEstimates) {
  auto data = Gallery::load(gallery_)->to_data();
  const fs::path old_file = *dir_ / "bbt-v1.lkg";
  write_gallery(old_file, data, {.format_version = kOldestGalleryFormatVersion});
  const auto old = Gallery::load(old_file);
  ASSERT_EQ(old->identity_count(), data.identities.size());
  // Version 1 files wrote zeros where the flag and age now live: they read as "unknown age"
  // and "not estimated"; this copy keeps them because the identity table is the same layout.
  for (std::uint32_t i = 0; i < old->identity_count(); ++i) {
    EXPECT_EQ(old->gender(i), data.identities[i].gender);
    EXPECT_EQ(old->gender_estimated(i), data.identities[i].gender_estimated);
  }
  // A table written before the fields existed (zeros): not estimated, age unknown.
  for (auto& info : data.identities) {
    info.gender_estimated = false;
    info.age = 0.f;
  }
  const fs::path zeros = *dir_ / "bbt-zeros.lkg";
  write_gallery(zeros, data);
  const auto z = Gallery::load(zeros);
  for (std::uint32_t i = 0; i < z->identity_count(); ++i) {
    EXPECT_FALSE(z->gender_estimated(i));
    EXPECT_EQ(z->age(i), 0.f);
  }
}

TEST_F(GenderFilterApp, MatchSameGenderReturnsOnlyTheFacesEstimatedGender) {
  const auto genders = gallery_genders();
  for (const char* photo : {"faces/bbt/penny/penny1.png", "faces/bbt/sheldon/sheldon1.png",
                            "faces/bbt/_group/bbt1.jpg"}) {
    const auto line = match(photo, "same");
    ASSERT_TRUE(line.contains("faces")) << photo << ": " << line.dump();
    for (const auto& face : line["faces"]) {
      ASSERT_TRUE(face.contains("gender") && face.contains("gender_confidence") &&
                  face.contains("age"))
          << face.dump();
      const auto gender = gender_from_string(face["gender"].get<std::string>());
      ASSERT_TRUE(gender && *gender != Gender::unknown) << face.dump();
      EXPECT_GE(face["gender_confidence"].get<double>(), 0.5);
      EXPECT_GT(face["age"].get<double>(), 0.0);
      ASSERT_FALSE(face["matches"].empty()) << photo;
      for (const auto& m : face["matches"])
        EXPECT_EQ(genders.at(m["name"].get<std::string>()), *gender)
            << photo << ": " << m["name"] << " for a face estimated " << face["gender"];
    }
  }
}

TEST_F(GenderFilterApp, MatchFemaleOrMaleOverridesTheFace) {
  const auto genders = gallery_genders();
  for (const auto& [photo, filter, wanted] :
       {std::tuple{"faces/bbt/sheldon/sheldon1.png", "female", Gender::female},
        std::tuple{"faces/bbt/penny/penny1.png", "male", Gender::male}}) {
    const auto line = match(photo, filter);
    ASSERT_EQ(line["faces"].size(), 1u) << photo;
    const auto& matches = line["faces"][0]["matches"];
    ASSERT_EQ(matches.size(), 3u) << photo;  // deep enough search: the list is not short
    for (const auto& m : matches)
      EXPECT_EQ(genders.at(m["name"].get<std::string>()), wanted) << photo << ": " << m["name"];
  }
  // Without a filter the top match of a cast member's own photo is that member.
  const auto any = match("faces/bbt/sheldon/sheldon1.png", "any");
  EXPECT_EQ(any["faces"][0]["matches"][0]["name"], "sheldon");
}

TEST(GenderFilter, NamesAndWantedGender) {
  for (auto f : {GenderFilter::any, GenderFilter::same, GenderFilter::female, GenderFilter::male})
    EXPECT_EQ(gender_filter_from_string(to_string(f)), f);
  EXPECT_FALSE(gender_filter_from_string("both").has_value());
  EXPECT_EQ(wanted_gender(GenderFilter::same, Gender::female), Gender::female);
  EXPECT_FALSE(wanted_gender(GenderFilter::same, Gender::unknown).has_value());
  EXPECT_FALSE(wanted_gender(GenderFilter::any, Gender::male).has_value());
  EXPECT_EQ(wanted_gender(GenderFilter::male, Gender::female), Gender::male);
}

}  // namespace
}  // namespace lookalike::app

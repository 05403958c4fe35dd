// Detection recall of HOG and BlazeFace (each with its default options, one detect() call) on
// every labelled shared photo: the 40 BBT crops and 100 lfw10 photos (one face each: a
// detection centred inside the middle of the crop / LFW's central face box), and the BBT group
// photos and misc photos, whose faces are listed in tests/engine/data/face_boxes.json (both
// detectors' finds plus HOG with one upsampling step, each checked by eye; false finds removed).
// A face counts as found when a detection's centre lies inside its box. Prints a table; asserts
// BlazeFace finds at least as many faces as HOG.
#include <nlohmann/json.hpp>

#include "lookalike/build_config.hpp"
#include "lookalike/engine/engine.hpp"
#include "lookalike/engine/image_io.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

struct LabelledPhoto {
  fs::path path;
  std::vector<cv::Rect> faces;
};

struct PhotoSet {
  std::string name;
  std::vector<LabelledPhoto> photos;
};

// The middle of an image whose only face fills it (BBT crops).
cv::Rect middle(const fs::path& path) {
  const cv::Mat image = load_image(path);
  return {image.cols / 4, image.rows / 4, image.cols / 2, image.rows / 2};
}

std::vector<PhotoSet> labelled_sets() {
  const fs::path faces = test::shared_data("faces");
  PhotoSet crops{"bbt crops", {}}, lfw{"lfw10", {}}, group{"bbt group", {}},
      misc_test{"misc test", {}}, misc_train{"misc train", {}};
  for (const auto& p : test::photos_under(faces / "bbt")) crops.photos.push_back({p, {middle(p)}});
  for (const auto& p : test::photos_under(faces / "lfw10"))
    lfw.photos.push_back({p, {cv::Rect(77, 89, 105, 105)}});  // LFW's central face
  const auto listed = nlohmann::json::parse(
      test::read_file_text(fs::path(LOOKALIKE_SOURCE_DIR) / "tests/engine/data/face_boxes.json"));
  for (const auto& [relative, boxes] : listed.items()) {
    LabelledPhoto photo{faces / relative, {}};
    for (const auto& b : boxes) photo.faces.emplace_back(b[0], b[1], b[2], b[3]);
    PhotoSet& set = relative.starts_with("bbt/_group")  ? group
                    : relative.starts_with("misc/test") ? misc_test
                                                        : misc_train;
    set.photos.push_back(std::move(photo));
  }
  return {crops, lfw, group, misc_test, misc_train};
}

struct Count {
  int faces = 0, found = 0, unmatched = 0;
};

Count count(FaceEngine& engine, const PhotoSet& set) {
  Count c;
  for (const LabelledPhoto& photo : set.photos) {
    const auto found = engine.detect(load_image(photo.path));
    std::vector<bool> used(found.size(), false);
    for (const cv::Rect& face : photo.faces) {
      ++c.faces;
      for (std::size_t i = 0; i < found.size(); ++i) {
        const cv::Rect& b = found[i].box;
        if (used[i] || !face.contains(cv::Point(b.x + b.width / 2, b.y + b.height / 2))) continue;
        used[i] = true;
        ++c.found;
        break;
      }
    }
    c.unmatched += static_cast<int>(std::count(used.begin(), used.end(), false));
  }
  return c;
}

TEST(DetectionRecall, BlazefaceFindsAtLeastTheFacesHogFinds) {
  LOOKALIKE_REQUIRE_SHARED();
  const auto sets = labelled_sets();
  std::map<std::string, Count> totals;
  std::printf("| photos | faces | hog found | blazeface found | hog other | blazeface other |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  std::vector<std::pair<std::string, std::unique_ptr<FaceEngine>>> engines;
  for (const DetectorKind kind : {DetectorKind::hog, DetectorKind::blazeface}) {
    EngineOptions options;
    options.detector.kind = kind;
    engines.emplace_back(std::string(to_string(kind)), FaceEngine::create(options));
  }
  for (const PhotoSet& set : sets) {
    std::map<std::string, Count> row;
    for (auto& [name, engine] : engines) {
      row[name] = count(*engine, set);
      totals[name].faces += row[name].faces;
      totals[name].found += row[name].found;
      totals[name].unmatched += row[name].unmatched;
    }
    std::printf("| %s (%zu) | %d | %d | %d | %d | %d |\n", set.name.c_str(), set.photos.size(),
                row["hog"].faces, row["hog"].found, row["blazeface"].found, row["hog"].unmatched,
                row["blazeface"].unmatched);
  }
  const Count& hog = totals["hog"];
  const Count& blaze = totals["blazeface"];
  std::printf("| all | %d | %d (%.1f %%) | %d (%.1f %%) | %d | %d |\n", hog.faces, hog.found,
              100.0 * hog.found / hog.faces, blaze.found, 100.0 * blaze.found / blaze.faces,
              hog.unmatched, blaze.unmatched);
  std::printf(
      "(other: detections matching no listed face; lfw10 photos show unlisted faces in "
      "the background)\n");
  ASSERT_EQ(hog.faces, 40 + 100 + 55);
  EXPECT_GE(blaze.found, hog.found);
}

}  // namespace
}  // namespace lookalike

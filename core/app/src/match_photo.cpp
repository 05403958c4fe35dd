#include "lookalike/app/match_photo.hpp"

#include "lookalike/app/group_play.hpp"

#include <algorithm>

namespace lookalike::app {
namespace {

// The faces in reading order, their matches and (unique_cast) their parts.
std::vector<PhotoFaceMatch> match_faces(FaceEngine& engine, const IdentityMatcher* gallery,
                                        const cv::Mat& image, const PhotoMatchOptions& options) {
  auto faces = engine.analyze(image, options.analyze);
  // Reading order: rows of face height, left to right inside a row.
  std::sort(faces.begin(), faces.end(), [](const FaceResult& a, const FaceResult& b) {
    const int row_a = a.box.y / std::max(1, a.box.height);
    const int row_b = b.box.y / std::max(1, b.box.height);
    return row_a != row_b ? row_a < row_b : a.box.x < b.box.x;
  });
  const bool cast = options.unique_cast && gallery && faces.size() >= 2;
  SearchOptions search = options.search;
  // As many candidates as faces: then every face can play a different identity of its own list.
  if (cast) search.top_k = std::max<int>(search.top_k, static_cast<int>(faces.size()));
  std::vector<PhotoFaceMatch> out;
  out.reserve(faces.size());
  for (auto& face : faces) {
    PhotoFaceMatch m;
    if (options.estimator) m.estimate = options.estimator->estimate(image, face);
    if (gallery)
      m.matches = match_gender(*gallery, face.embedding, search,
                               wanted_gender(options.gender, m.estimate.gender));
    m.pose = estimate_head_pose(face.landmarks, image.size());
    m.face = std::move(face);
    out.push_back(std::move(m));
  }
  if (!cast) return out;
  std::vector<std::vector<IdentityMatch>> candidates;
  for (const auto& m : out) candidates.push_back(m.matches);
  const auto assigned = assign_unique_cast(candidates);
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (assigned[i]) out[i].assigned = out[i].matches[*assigned[i]];
    if (out[i].matches.size() > static_cast<std::size_t>(options.search.top_k))
      out[i].matches.resize(static_cast<std::size_t>(options.search.top_k));
  }
  return out;
}

// The face's feature resemblance to the identity's thumbnail; none without a thumbnail.
std::optional<FeatureValues> features_against(FaceEngine& engine, const IdentityMatcher& gallery,
                                              const FaceResult& face,
                                              const IdentityMatch& identity) {
  const cv::Mat thumbnail = gallery.thumbnail(identity.identity);
  if (thumbnail.empty() || face.chip.empty()) return std::nullopt;
  return chip_feature_resemblance(engine, face.chip, thumbnail);
}

}  // namespace

std::vector<PhotoFaceMatch> match_photo(FaceEngine& engine, const IdentityMatcher* gallery,
                                        const cv::Mat& image, const PhotoMatchOptions& options) {
  auto out = match_faces(engine, gallery, image, options);
  if (!options.features || !gallery) return out;
  for (auto& m : out) {
    if (!m.matches.empty())
      m.top_features = features_against(engine, *gallery, m.face, m.matches.front());
    if (m.assigned)
      m.assigned_features = !m.matches.empty() && m.assigned->identity == m.matches.front().identity
                                ? m.top_features
                                : features_against(engine, *gallery, m.face, *m.assigned);
  }
  return out;
}

const PhotoFaceMatch* largest_face(const std::vector<PhotoFaceMatch>& faces) {
  const auto it = std::max_element(faces.begin(), faces.end(), [](const auto& a, const auto& b) {
    return a.face.box.area() < b.face.box.area();
  });
  return it == faces.end() ? nullptr : &*it;
}

}  // namespace lookalike::app

#include "lookalike/app/match_photo.hpp"

#include <algorithm>

namespace lookalike::app {

std::vector<PhotoFaceMatch> match_photo(FaceEngine& engine, const IdentityMatcher* gallery,
                                        const cv::Mat& image, const PhotoMatchOptions& options) {
  auto faces = engine.analyze(image, options.analyze);
  // Reading order: rows of face height, left to right inside a row.
  std::sort(faces.begin(), faces.end(), [](const FaceResult& a, const FaceResult& b) {
    const int row_a = a.box.y / std::max(1, a.box.height);
    const int row_b = b.box.y / std::max(1, b.box.height);
    return row_a != row_b ? row_a < row_b : a.box.x < b.box.x;
  });
  std::vector<PhotoFaceMatch> out;
  out.reserve(faces.size());
  for (auto& face : faces) {
    PhotoFaceMatch m;
    if (gallery) m.matches = gallery->match(face.embedding, options.search);
    m.face = std::move(face);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace lookalike::app

// Use case: the face map. The gallery's identities (their mean descriptors) laid out in 2-D so
// that look-alikes sit together, computed once per gallery and kept beside it
// (GALLERY.lkg.map); a person is placed live among their nearest identities.
//
// Method: the mean of each identity's photo descriptors, PCA (OpenCV's cv::PCA) to at most
// `pca_dims` axes, then exact t-SNE to 2-D (core/app/src/tsne.hpp, our own code: Debian has no
// C++ t-SNE). Positions are normalized to [0, 1] x [0, 1].
//
// Contract: layout_face_map() blocks (seconds at 1k identities, minutes near 10k; `progress`
// gets 0..1, a stop request returns nullopt) and is deterministic for a given seed.
// load_or_layout_face_map() reuses GALLERY.lkg.map when it was made for this gallery (same
// identity count, file size and options) and else writes it atomically; a damaged map file is
// recomputed, never trusted. place_on_map() is cheap (one gallery query): the live view calls
// it per snapshot. Errors writing the map file throw std::runtime_error naming the file.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <stop_token>
#include <vector>

#include <opencv2/core.hpp>

#include "lookalike/gallery/gallery.hpp"

namespace lookalike::app {

struct FaceMapOptions {
  double perplexity = 30;
  int iterations = 750;
  unsigned seed = 1;
  int pca_dims = 30;
};

struct FaceMap {
  std::vector<cv::Point2f> points;  // per identity, in [0, 1]^2
};

std::optional<FaceMap> layout_face_map(const Gallery& gallery, const FaceMapOptions& options = {},
                                       std::stop_token stop = {},
                                       const std::function<void(double)>& progress = {});

std::filesystem::path face_map_path(const Gallery& gallery);  // GALLERY.lkg.map
std::optional<FaceMap> load_or_layout_face_map(const Gallery& gallery,
                                               const FaceMapOptions& options = {},
                                               std::stop_token stop = {},
                                               const std::function<void(double)>& progress = {});

struct MapPlacement {
  cv::Point2f point;                      // in the map's [0, 1]^2
  std::vector<IdentityMatch> neighbours;  // the identities it was placed among, nearest first
};
// Where a face with these gallery matches (best first) sits: among them, the nearest dominating.
// The live view uses the matches its tracks already have.
cv::Point2f place_among(const FaceMap& map, const std::vector<IdentityMatch>& neighbours);
// The `k` nearest identities of `probe`, and its place among them.
MapPlacement place_on_map(const FaceMap& map, const IdentityMatcher& gallery,
                          const Embedding& probe, int k = 5);

// The map as a picture (`lookalike-cli map -o`): each identity's thumbnail at its place (names
// too when there are few), and the probe, when given, as a ring joined to its neighbours.
// BGR, `side` x `side` pixels.
cv::Mat render_face_map(const Gallery& gallery, const FaceMap& map,
                        const MapPlacement* probe = nullptr, int side = 1600);

}  // namespace lookalike::app

// Synthetic face-descriptor-like galleries for search tests and benchmarks: identity centres
// spread like dlib descriptors of different people (~0.9 apart) and photos scattered around
// them like photos of one person (~0.4 apart).
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "lookalike/gallery/gallery_data.hpp"

namespace lookalike::test {

inline constexpr float kCentreSigma = 0.05625f;  // E|c1 - c2| ~ 0.9 in 128-D
inline constexpr float kPhotoSigma = 0.025f;     // E|p1 - p2| ~ 0.4 in 128-D

inline Embedding jitter(const Embedding& centre, float sigma, std::mt19937& rng) {
  std::normal_distribution<float> noise(0.f, sigma);
  Embedding e = centre;
  for (auto& v : e) v += noise(rng);
  return e;
}

inline GalleryData synthetic_gallery(std::size_t identities, std::size_t photos_per_identity,
                                     std::uint32_t seed = 7,
                                     std::vector<Embedding>* centres = nullptr) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> centre_noise(0.f, kCentreSigma);
  GalleryData data;
  data.model = {"synthetic", std::string(64, 'a'), "hog", "dlib-68pt-chip150-pad0.25"};
  data.identities.resize(identities);
  data.photos.reserve(identities * photos_per_identity);
  for (std::size_t i = 0; i < identities; ++i) {
    data.identities[i].name = "Person " + std::to_string(i);
    Embedding c;
    for (auto& v : c) v = centre_noise(rng);
    if (centres) centres->push_back(c);
    for (std::size_t p = 0; p < photos_per_identity; ++p) {
      PhotoEntry photo;
      photo.identity = static_cast<std::uint32_t>(i);
      photo.source = "person" + std::to_string(i) + "/" + std::to_string(p) + ".jpg";
      photo.embedding = jitter(c, kPhotoSigma, rng);
      data.photos.push_back(std::move(photo));
    }
  }
  return data;
}

}  // namespace lookalike::test

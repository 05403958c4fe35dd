#include "lookalike/app/face_map.hpp"

#include <spdlog/spdlog.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <span>

#include "lookalike/file_util.hpp"
#include "tsne.hpp"

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

constexpr int kMapFormat = 1;

nlohmann::json options_json(const FaceMapOptions& o) {
  return {{"perplexity", o.perplexity},
          {"iterations", o.iterations},
          {"seed", o.seed},
          {"pca_dims", o.pca_dims}};
}

}  // namespace

std::optional<FaceMap> layout_face_map(const Gallery& gallery, const FaceMapOptions& options,
                                       std::stop_token stop,
                                       const std::function<void(double)>& progress) {
  const auto n = static_cast<int>(gallery.identity_count());
  FaceMap map;
  map.points.assign(static_cast<std::size_t>(n), {0.5f, 0.5f});
  if (n < 2) return map;
  // Mean descriptor per identity, normalized (descriptors live near a sphere).
  cv::Mat means(n, static_cast<int>(kEmbeddingDim), CV_32F, cv::Scalar(0));
  const std::span<const float> all = gallery.embeddings();
  for (int i = 0; i < n; ++i) {
    const auto [first, end] = gallery.photo_range(static_cast<std::uint32_t>(i));
    for (auto p = first; p < end; ++p)
      for (std::size_t d = 0; d < kEmbeddingDim; ++d)
        means.at<float>(i, static_cast<int>(d)) += all[p * kEmbeddingDim + d];
    cv::normalize(means.row(i), means.row(i));
  }
  const int dims = std::min({options.pca_dims, n - 1, static_cast<int>(kEmbeddingDim)});
  cv::Mat reduced = means;
  if (dims >= 2 && dims < static_cast<int>(kEmbeddingDim)) {
    const cv::PCA pca(means, cv::noArray(), cv::PCA::DATA_AS_ROW, dims);
    reduced = pca.project(means);
  }
  detail::TsneOptions t;
  t.perplexity = options.perplexity;
  t.iterations = options.iterations;
  t.seed = options.seed;
  const auto points = detail::tsne_2d(reduced, t, stop, [&](int iteration) {
    if (progress) progress(static_cast<double>(iteration) / options.iterations);
  });
  if (stop.stop_requested()) return std::nullopt;
  cv::Rect2f bounds = cv::boundingRect(points);
  const float side = std::max({bounds.width, bounds.height, 1e-6f});
  for (std::size_t i = 0; i < points.size(); ++i)  // keep the aspect ratio, centre the shorter
    map.points[i] = {(points[i].x - bounds.x) / side + (1 - bounds.width / side) / 2,
                     (points[i].y - bounds.y) / side + (1 - bounds.height / side) / 2};
  return map;
}

fs::path face_map_path(const Gallery& gallery) {
  return gallery.path().string() + ".map";
}

std::optional<FaceMap> load_or_layout_face_map(const Gallery& gallery,
                                               const FaceMapOptions& options, std::stop_token stop,
                                               const std::function<void(double)>& progress) {
  const fs::path path = face_map_path(gallery);
  const nlohmann::json key = {{"format", kMapFormat},
                              {"identities", gallery.identity_count()},
                              {"gallery_bytes", gallery.file_size()},
                              {"options", options_json(options)}};
  std::error_code ec;
  // Our own file, but read as untrusted: bounded, parsed, checked against the gallery.
  const std::uintmax_t limit = 4096 + 64 * static_cast<std::uintmax_t>(gallery.identity_count());
  if (fs::is_regular_file(path, ec) && fs::file_size(path, ec) > limit) {
    spdlog::warn("{}: larger than a map of {} identities; laying it out again", path.string(),
                 gallery.identity_count());
  } else if (fs::is_regular_file(path, ec)) {
    try {
      const auto bytes = read_file_bytes(path);
      const auto j = nlohmann::json::parse(
          std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      if (j.at("key") == key) {
        FaceMap map;
        for (const auto& p : j.at("points")) map.points.emplace_back(p.at(0), p.at(1));
        if (map.points.size() == gallery.identity_count()) return map;
      }
      spdlog::info("{}: made for another gallery or options; laying it out again", path.string());
    } catch (const std::exception& e) {
      spdlog::warn("{}: damaged ({}); laying it out again", path.string(), e.what());
    }
  }
  auto map = layout_face_map(gallery, options, stop, progress);
  if (!map || gallery.path() == "<memory>") return map;
  nlohmann::json points = nlohmann::json::array();
  for (const auto& p : map->points) points.push_back({p.x, p.y});
  const std::string text = nlohmann::json{{"key", key}, {"points", points}}.dump();
  write_file_atomically(path, std::as_bytes(std::span(text.data(), text.size())));
  return map;
}

MapPlacement place_on_map(const FaceMap& map, const IdentityMatcher& gallery,
                          const Embedding& probe, int k) {
  SearchOptions search;
  search.top_k = k;
  MapPlacement placed;
  placed.neighbours = gallery.match(probe, search);
  placed.point = place_among(map, placed.neighbours);
  return placed;
}

cv::Point2f place_among(const FaceMap& map, const std::vector<IdentityMatch>& neighbours) {
  double wx = 0, wy = 0, total = 0;
  for (const auto& m : neighbours) {
    if (m.identity >= map.points.size()) continue;
    // The nearest dominate: a face that is Tony Blair's double sits at Tony Blair.
    const double w = 1e-6 + std::pow(m.similarity_percent / 100.0, 4);
    wx += w * map.points[m.identity].x;
    wy += w * map.points[m.identity].y;
    total += w;
  }
  return total > 0 ? cv::Point2f(static_cast<float>(wx / total), static_cast<float>(wy / total))
                   : cv::Point2f(0.5f, 0.5f);
}

cv::Mat render_face_map(const Gallery& gallery, const FaceMap& map, const MapPlacement* probe,
                        int side) {
  cv::Mat canvas(side, side, CV_8UC3, cv::Scalar(26, 22, 20));
  const int n = static_cast<int>(map.points.size());
  const int thumb = std::clamp(static_cast<int>(side / std::sqrt(std::max(n, 1)) * 0.7), 14, 72);
  const int margin = std::max(side / 20, thumb / 2 + 24);  // room for the thumbnails and names
  auto at = [&](cv::Point2f p) {
    return cv::Point(margin + static_cast<int>(p.x * (side - 2 * margin)),
                     margin + static_cast<int>(p.y * (side - 2 * margin)));
  };
  const cv::Rect bounds(0, 0, side, side);
  const cv::Scalar teal(176, 196, 51), text(242, 238, 236);
  if (probe)
    for (const auto& m : probe->neighbours)
      if (m.identity < map.points.size())
        cv::line(canvas, at(probe->point), at(map.points[m.identity]), teal, 1, cv::LINE_AA);
  for (int i = 0; i < n; ++i) {
    const cv::Point c = at(map.points[static_cast<std::size_t>(i)]);
    const cv::Rect box = cv::Rect(c.x - thumb / 2, c.y - thumb / 2, thumb, thumb) & bounds;
    const cv::Mat t = gallery.thumbnail(static_cast<std::uint32_t>(i));
    if (!t.empty() && box.area() > 0) {
      cv::Mat scaled;
      cv::resize(t, scaled, box.size(), 0, 0, cv::INTER_AREA);
      if (scaled.channels() == 1) cv::cvtColor(scaled, scaled, cv::COLOR_GRAY2BGR);
      scaled.copyTo(canvas(box));
    } else {
      cv::circle(canvas, c, std::max(3, thumb / 4), cv::Scalar(180, 162, 150), cv::FILLED,
                 cv::LINE_AA);
    }
    if (n <= 60)
      cv::putText(canvas, gallery.identity_name(static_cast<std::uint32_t>(i)),
                  {c.x - thumb / 2, c.y + thumb / 2 + 16}, cv::FONT_HERSHEY_SIMPLEX, 0.45, text, 1,
                  cv::LINE_AA);
  }
  if (probe) {
    const cv::Point c = at(probe->point);
    cv::circle(canvas, c, thumb / 2 + 6, teal, 3, cv::LINE_AA);
    cv::putText(canvas, "you", {c.x + thumb / 2 + 8, c.y + 6}, cv::FONT_HERSHEY_SIMPLEX, 0.7, teal,
                2, cv::LINE_AA);
  }
  return canvas;
}

}  // namespace lookalike::app

// The gallery writer: FILE (atomic) and, above the threshold, FILE.hnsw (atomic).
#include "lookalike/gallery/gallery_file.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "checksum.hpp"
#include "file_snapshot.hpp"
#include "lookalike/file_util.hpp"
#include "serialize.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

void fsync_file(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    throw std::runtime_error(path.string() + ": cannot sync index: " + std::strerror(err));
  }
  ::close(fd);
}

}  // namespace

fs::path index_path_for(const fs::path& gallery_path) {
  fs::path p = gallery_path;
  p += ".hnsw";
  return p;
}

void write_gallery(const fs::path& path, const GalleryData& data,
                   const GalleryWriteOptions& options) {
  detail::IndexStamp stamp;
  const fs::path index_path = index_path_for(path);
  fs::path index_tmp = index_path;
  index_tmp += ".tmp-" + std::to_string(::getpid());
  const bool with_index = !data.photos.empty() && data.photos.size() >= options.hnsw_threshold;
  if (with_index) {
    const auto order = detail::file_photo_order(data);
    std::vector<float> vectors(order.size() * kEmbeddingDim);
    for (std::size_t k = 0; k < order.size(); ++k)
      std::memcpy(vectors.data() + k * kEmbeddingDim, data.photos[order[k]].embedding.data(),
                  sizeof(Embedding));
    spdlog::info("{}: building HNSW index over {} photos", path.string(), order.size());
    auto index = HnswIndex::build(vectors, options.hnsw);
    index->save(index_tmp);
    fsync_file(index_tmp);
    const auto written = detail::read_file_snapshot(index_tmp);
    stamp.size = written.size();
    stamp.checksum = detail::xxh64(written);
  }
  try {
    auto bytes = detail::serialize_gallery(data, stamp, options.format_version);
    write_file_atomically(path, bytes);
  } catch (...) {
    std::error_code ec;
    fs::remove(index_tmp, ec);
    throw;
  }
  std::error_code ec;
  if (with_index) {
    fs::rename(index_tmp, index_path, ec);
    if (ec)
      throw std::runtime_error(index_path.string() + ": cannot install index: " + ec.message());
  } else {
    fs::remove(index_path, ec);  // a stale index of an earlier, larger gallery
  }
}

}  // namespace lookalike

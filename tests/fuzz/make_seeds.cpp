// lookalike_fuzz_seeds OUT [PHOTOS_DIR] [FACE_API_DIR]: writes seed inputs for the fuzz targets
// into OUT/<target>/, made by the project's own writers so that they follow the formats:
//   gallery      .lkg files from write_gallery (synthetic identities, thumbnails, pose-bin
//                thumbnails, resemblance quantiles, skipped list; one in format version 1)
//   hnsw         the FILE.hnsw write_gallery writes, prefixed by its photo count (fuzz_hnsw)
//   resnet_weights  save_resnet_weights of a network with 1x1 convolutions (131 KB)
//   tfjs         face-api's manifest from FACE_API_DIR with every tensor shrunk + its shard
//   imdb         imdb.mat files in IMDB-WIKI's layout (matio; zlib-compressed and plain)
//   image        a few photos from PHOTOS_DIR scaled to 48 px, as JPEG, PNG, BMP, WebP, TIFF
//   archive      tar, tar.gz, tar.xz, zip, cpio (libarchive) with files and folders, and ones with
//                each member the extractor must refuse (symlink, hardlink, "..", absolute path)
// Text seeds (settings, source specs) are committed in tests/fuzz/<name>/seeds; the GIF comes
// from ffmpeg in tests/fuzz/run.
#include <archive.h>
#include <archive_entry.h>
#include <matio.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "imdb_writer.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/engine/resnet_weights.hpp"
#include "lookalike/gallery/gallery_file.hpp"
#include "synthetic.hpp"

namespace fs = std::filesystem;
using namespace lookalike;

namespace {

std::vector<char> read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const fs::path& path, const void* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

std::vector<unsigned char> tiny_jpeg(int seed) {
  cv::Mat pixels(16, 16, CV_8UC3, cv::Scalar(20 * seed, 100, 200 - 20 * seed));
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", pixels, jpeg, {cv::IMWRITE_JPEG_QUALITY, 50});
  return jpeg;
}

void gallery_and_hnsw_seeds(const fs::path& out) {
  fs::create_directories(out / "gallery");
  fs::create_directories(out / "hnsw");
  const fs::path work = out / "gallery-work";
  fs::create_directories(work);
  struct Shape {
    std::size_t identities, photos;
  };
  int n = 0;
  for (const Shape shape : {Shape{1, 1}, Shape{3, 2}, Shape{4, 3}}) {
    GalleryData data = test::synthetic_gallery(shape.identities, shape.photos, 7 + n);
    for (std::size_t i = 0; i < data.identities.size(); ++i) {
      auto& identity = data.identities[i];
      identity.aliases = {"alias " + std::to_string(i)};
      identity.gender = static_cast<Gender>(i % 3);
      identity.birth_year = 1970 + static_cast<int>(i);
      if (i % 2 == 0) identity.thumbnail_jpeg = tiny_jpeg(static_cast<int>(i));
      for (std::size_t b = i % 2; b < kPoseBinCount; b += 2)
        identity.pose_thumbnails.push_back(
            {static_cast<PoseBin>(b), kPoseBinCentres[b], tiny_jpeg(static_cast<int>(b + 3))});
    }
    data.skipped = {{"bad/photo.jpg", "no face found"}};
    const fs::path file = work / ("g" + std::to_string(n) + ".lkg");
    write_gallery(file, data, {.hnsw_threshold = 0});
    fs::copy_file(file, out / "gallery" / file.filename(), fs::copy_options::overwrite_existing);
    // fuzz_hnsw's input: the photo count byte, then the index file.
    std::vector<char> hnsw{static_cast<char>(data.photos.size())};
    const auto index = read_all(index_path_for(file));
    hnsw.insert(hnsw.end(), index.begin(), index.end());
    write_all(out / "hnsw" / ("g" + std::to_string(n) + ".hnsw"), hnsw.data(), hnsw.size());
    if (n == 1) {  // the format older releases wrote: no quantiles, no pose thumbnails
      write_gallery(work / "v1.lkg", data,
                    {.hnsw_threshold = SIZE_MAX, .format_version = kOldestGalleryFormatVersion});
      fs::copy_file(work / "v1.lkg", out / "gallery" / "v1.lkg",
                    fs::copy_options::overwrite_existing);
    }
    ++n;
  }
  fs::remove_all(work);
}

void resnet_weights_seed(const fs::path& out) {
  fs::create_directories(out / "resnet_weights");
  ResNetWeights w;
  for (int i = 0; i < ResNetWeights::kConvCount; ++i) {
    ConvWeights c;
    c.out_channels = c.in_channels = c.kernel = 1;
    c.stride = 1 + i % 2;
    c.filters = {0.5f};
    c.bias = {0.f};
    c.gamma = {1.f};
    c.beta = {0.1f};
    w.convs.push_back(c);
  }
  w.fc.assign(static_cast<std::size_t>(ResNetWeights::kFeatureDim) * 128, 0.25f);
  w.source = "fuzz seed";
  w.source_sha256 = std::string(64, '0');
  save_resnet_weights(w, out / "resnet_weights" / "tiny.lkw");
}

// face-api's real manifest with every tensor shrunk to one value per dimension (fc keeps its
// 256x128 shape, which the loader insists on), all uint8-quantized; the shard to match.
void tfjs_seed(const fs::path& out, const fs::path& face_api) {
  const fs::path manifest_path = face_api / "face_recognition_model-weights_manifest.json";
  if (!fs::is_regular_file(manifest_path)) {
    std::fprintf(stderr, "no %s: tfjs seeds are synthetic only\n", manifest_path.c_str());
  }
  nlohmann::json manifest;
  if (fs::is_regular_file(manifest_path)) {
    std::ifstream in(manifest_path);
    manifest = nlohmann::json::parse(in);
  } else {
    manifest = nlohmann::json::array(
        {{{"paths", {"face_recognition_model.bin"}}, {"weights", nlohmann::json::array()}}});
  }
  std::size_t bytes = 0;
  for (auto& group : manifest) {
    group["paths"] = {"face_recognition_model.bin"};
    for (auto& w : group["weights"]) {
      auto& shape = w["shape"];
      if (w["name"] != "fc")
        for (auto& d : shape) d = 1;
      std::size_t n = 1;
      for (const auto& d : shape) n *= d.get<std::size_t>();
      w["dtype"] = "float32";
      w["quantization"] = {{"dtype", "uint8"}, {"scale", 0.01}, {"min", -1.0}};
      bytes += n;
    }
  }
  fs::create_directories(out / "tfjs");
  std::string input = manifest.dump();
  input += "\n--shard--\n";
  for (std::size_t i = 0; i < bytes; ++i) input += static_cast<char>(i * 37 % 251);
  write_all(out / "tfjs" / "tiny.tfjs", input.data(), input.size());
  // The real manifest text, unchanged, with a truncated shard: the "truncated" refusal.
  if (fs::is_regular_file(manifest_path)) {
    auto text = read_all(manifest_path);
    std::string real(text.begin(), text.end());
    real += "\n--shard--\n";
    real += std::string(512, '\x7f');
    write_all(out / "tfjs" / "real-manifest.tfjs", real.data(), real.size());
  }
}

std::vector<test::ImdbRow> imdb_rows() {
  std::vector<test::ImdbRow> rows(3);
  rows[0] = {test::datenum_of_year(1980), 2010, "01/a.jpg", 1, "Ann Example", {1, 2, 30, 40}, 4.5};
  rows[1] = {test::datenum_of_year(1975), 2005, "02/b.jpg", 0, "", {5, 5, 50, 50}, 3.2, NAN, 2};
  rows[2] = {NAN, NAN, "03/c.jpg", NAN, "Low Score", {0, 0, 10, 10}, 1.0, 2.0};
  return rows;
}

void imdb_seeds(const fs::path& out) {
  fs::create_directories(out / "imdb");
  test::write_imdb_mat(out / "imdb" / "imdb-zlib.mat", imdb_rows(), {"Ann Example", "Bob Two"});
  // Uncompressed, so that the fuzzer mutates the structure directly; wiki.mat's layout.
  auto named = imdb_rows();
  for (auto& r : named)
    if (r.name.empty()) r.name = "Someone";
  test::write_imdb_mat(out / "imdb" / "wiki-plain.mat", named, {}, "wiki", MAT_COMPRESSION_NONE);
}

void image_seeds(const fs::path& out, const fs::path& photos) {
  fs::create_directories(out / "image");
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(photos, ec))
    for (const auto& entry : fs::recursive_directory_iterator(photos, ec))
      if (entry.is_regular_file() && has_image_extension(entry.path()))
        files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.size() > 3) files.resize(3);  // variety comes from the formats, not the photos
  std::vector<cv::Mat> images;
  for (const auto& file : files) {
    try {
      cv::Mat image = load_image(file);
      const double scale = 48.0 / std::max(image.cols, image.rows);
      cv::resize(image, image, {}, scale, scale, cv::INTER_AREA);
      images.push_back(image);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "skipped %s: %s\n", file.c_str(), e.what());
    }
  }
  if (images.empty()) images.emplace_back(24, 32, CV_8UC3, cv::Scalar(30, 90, 200));
  cv::Mat gray;
  cv::cvtColor(images[0], gray, cv::COLOR_BGR2GRAY);
  int n = 0;
  auto write = [&](const cv::Mat& image, const std::string& ext,
                   const std::vector<int>& params = {}) {
    std::vector<unsigned char> bytes;
    if (cv::imencode(ext, image, bytes, params))
      write_all(out / "image" / ("seed" + std::to_string(n++) + ext), bytes.data(), bytes.size());
  };
  for (const auto& image : images) write(image, ".jpg", {cv::IMWRITE_JPEG_QUALITY, 60});
  write(images[0], ".jpg", {cv::IMWRITE_JPEG_PROGRESSIVE, 1});
  write(images[0], ".png");
  write(gray, ".png");
  write(images[0], ".bmp");
  write(images[0], ".webp");
  write(images[0], ".tiff");
}

struct Member {
  std::string path;
  mode_t type = AE_IFREG;
  std::string content;  // file content, or the link target for links
};

void write_archive(const fs::path& path, int format, int filter,
                   const std::vector<Member>& members) {
  archive* a = archive_write_new();
  archive_write_set_format(a, format);
  if (filter != ARCHIVE_FILTER_NONE) archive_write_add_filter(a, filter);
  if (archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK)
    throw std::runtime_error(path.string() + ": " + archive_error_string(a));
  for (const auto& m : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.path.c_str());
    archive_entry_set_filetype(e, m.type);
    archive_entry_set_perm(e, m.type == AE_IFDIR ? 0755 : 0644);
    if (m.type == AE_IFLNK) archive_entry_set_symlink(e, m.content.c_str());
    if (m.type == AE_IFREG && m.path.starts_with("hard"))
      archive_entry_set_hardlink(e, m.content.c_str());
    const bool has_data = m.type == AE_IFREG && !m.path.starts_with("hard");
    archive_entry_set_size(e, has_data ? static_cast<la_int64_t>(m.content.size()) : 0);
    archive_write_header(a, e);
    if (has_data) archive_write_data(a, m.content.data(), m.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

void archive_seeds(const fs::path& out) {
  const fs::path dir = out / "archive";
  fs::create_directories(dir);
  const std::vector<Member> good = {{"model/", AE_IFDIR},
                                    {"model/weights.bin", AE_IFREG, std::string(300, 'w')},
                                    {"model/readme.txt", AE_IFREG, "face model\n"},
                                    {"a", AE_IFREG, "a"}};
  write_archive(dir / "good.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE, good);
  write_archive(dir / "good.tar.gz", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_GZIP, good);
  write_archive(dir / "good.tar.xz", ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_XZ, good);
  write_archive(dir / "good.zip", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, good);
  write_archive(dir / "good.cpio", ARCHIVE_FORMAT_CPIO_SVR4_NOCRC, ARCHIVE_FILTER_NONE, good);
  write_archive(dir / "symlink.tar", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_NONE,
                {{"x/", AE_IFDIR}, {"x/link", AE_IFLNK, "/etc/passwd"}});
  write_archive(dir / "hardlink.tar", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_NONE,
                {{"a", AE_IFREG, "a"}, {"hard", AE_IFREG, "a"}});
  write_archive(dir / "dotdot.tar", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_NONE,
                {{"x/../../escape", AE_IFREG, "e"}});
  write_archive(dir / "absolute.zip", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE,
                {{"/tmp/absolute", AE_IFREG, "e"}});
  write_archive(dir / "fifo.tar", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_NONE,
                {{"fifo", AE_IFIFO}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT [PHOTOS_DIR] [FACE_API_DIR]\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  gallery_and_hnsw_seeds(out);
  resnet_weights_seed(out);
  tfjs_seed(out, argc > 3 ? argv[3] : "");
  imdb_seeds(out);
  image_seeds(out, argc > 2 ? argv[2] : "");
  archive_seeds(out);
  return 0;
}

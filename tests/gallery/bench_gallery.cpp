// lookalike-bench-gallery: how fast the gallery builds, loads and answers.
//   build   photos/s building ../shared/data/faces/lfw_view1 (4,992 photos) on all cores
//   load    Gallery::load (mmap + checksum + HNSW index) at each size
//   query   match() top-10 latency p50/p99, exact and HNSW, and HNSW photo recall@10
//   imdb    the IMDB-WIKI importer on a synthetic imdb.mat (bench_imdb_import.hpp)
// Galleries of synthetic descriptors (tests/gallery/synthetic.hpp: 10 photos per identity)
// are cached in --cache so the 1M HNSW index is built once. Prints a table, writes JSON.
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "bench_imdb_import.hpp"
#include "lookalike/elapsed.hpp"
#include "lookalike/gallery/builder.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/hnsw_index.hpp"
#include "lookalike/machine.hpp"
#include "lookalike/stats.hpp"
#include "synthetic.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace lookalike;
using Clock = std::chrono::steady_clock;

namespace {

// The one percentile (lookalike/stats.hpp), p as a fraction here.
double percentile(const std::vector<double>& v, double fraction) {
  return lookalike::percentile(v, fraction * 100).value_or(0);
}

struct SizeResult {
  std::size_t photos = 0;
  double load_ms = 0, index_ready_ms = 0, exact_p50 = 0, exact_p99 = 0, hnsw_p50 = 0, hnsw_p99 = 0;
  double int8_p50 = 0, int8_p99 = 0, recall = 0, index_build_s = 0;
};

SizeResult bench_size(std::size_t photos, const fs::path& cache, int queries, int ef_search) {
  SizeResult r;
  r.photos = photos;
  constexpr std::size_t kPerIdentity = 10;
  const std::size_t identities = photos / kPerIdentity;
  std::vector<Embedding> centres;
  const fs::path file = cache / fmt::format("synthetic-{}.lkg", photos);
  // A cached gallery whose index no longer loads (written by an older version) is rebuilt.
  const bool cached =
      fs::exists(file) && fs::exists(index_path_for(file)) && Gallery::load(file)->wait_for_index();
  if (!cached) {
    auto data = test::synthetic_gallery(identities, kPerIdentity, 42, &centres);
    GalleryWriteOptions write;
    write.hnsw_threshold = 0;  // always index, to compare
    auto t = Clock::now();
    write_gallery(file, data, write);
    r.index_build_s = ms_since(t) / 1000;
  } else {
    // The identities' centres (same seed, same draw order as the cached gallery).
    test::synthetic_gallery(identities, kPerIdentity, 42, &centres);
  }
  // Load (cold-ish: the file is in the page cache after writing; this is the app's case).
  std::shared_ptr<const Gallery> g;
  std::vector<double> loads, ready;
  GalleryLoadOptions load_options;
  load_options.ef_search = ef_search;
  for (int i = 0; i < 3; ++i) {
    g.reset();
    auto t = Clock::now();
    g = Gallery::load(file, load_options);
    loads.push_back(ms_since(t));
    g->wait_for_index();
    ready.push_back(ms_since(t));
  }
  r.load_ms = percentile(loads, 0.5);
  r.index_ready_ms = percentile(ready, 0.5);
  GalleryLoadOptions int8_options;
  int8_options.int8_copy = true;
  int8_options.load_index = false;
  auto g8 = Gallery::load(file, int8_options);

  // Query identities spread over the whole gallery (early and late HNSW insertions).
  std::mt19937 rng(7);
  std::vector<Embedding> query_set;
  for (int q = 0; q < queries; ++q) {
    const std::size_t identity = (static_cast<std::size_t>(q) * 7919) % centres.size();
    query_set.push_back(test::jitter(centres[identity], test::kPhotoSigma, rng));
  }
  // Each method in its own loop: interleaved, every 512 MB exact scan at 1M would flush the
  // caches the index search relies on (the app uses one method at a time).
  SearchOptions options;
  options.top_k = 10;
  auto time_queries = [&](const Gallery& gallery, bool approximate) {
    options.allow_approximate = approximate;
    // One untimed query first: hnswlib allocates its per-thread visited list (2 MB at 1M) on
    // a thread's first search.
    if (!query_set.empty()) (void)gallery.match(query_set.front(), options);
    std::vector<double> ms;
    for (const Embedding& query : query_set) {
      const auto t = Clock::now();
      const auto hits = gallery.match(query, options);
      ms.push_back(ms_since(t));
      if (hits.empty()) std::abort();  // keeps the call from being optimized out
    }
    return ms;
  };
  const auto exact = time_queries(*g, false);
  const auto approx = time_queries(*g, true);
  const auto quant = time_queries(*g8, true);
  double found = 0;
  for (const Embedding& query : query_set) {
    auto truth = g->nearest_photos(query, 10, Metric::euclidean, false);
    auto got = g->nearest_photos(query, 10, Metric::euclidean, true);
    std::set<std::uint32_t> ids;
    for (const auto& h : truth) ids.insert(h.photo);
    for (const auto& h : got) found += static_cast<double>(ids.count(h.photo));
  }
  r.exact_p50 = percentile(exact, 0.5);
  r.exact_p99 = percentile(exact, 0.99);
  r.hnsw_p50 = percentile(approx, 0.5);
  r.hnsw_p99 = percentile(approx, 0.99);
  r.int8_p50 = percentile(quant, 0.5);
  r.int8_p99 = percentile(quant, 0.99);
  r.recall = found / (10.0 * queries);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lookalike-bench-gallery: gallery build, load and query speed"};
  std::vector<std::size_t> sizes{10'000, 100'000, 1'000'000};
  int queries = 200;
  std::string out = "bench_gallery.json";
  std::string cache = (fs::temp_directory_path() / "lookalike-bench-gallery").string();
  bool skip_build = false;
  std::size_t build_limit = 0;
  int threads = 0;
  int ef_search = HnswParams{}.ef_search;
  std::size_t imdb_rows = 200'000;
  app.add_option("--sizes", sizes, "synthetic gallery sizes (photos)")->delimiter(',');
  app.add_option("--queries", queries, "queries per size");
  app.add_option("--json", out, "JSON output file");
  app.add_option("--cache", cache, "folder for the synthetic galleries and indexes");
  app.add_flag("--skip-build", skip_build, "skip the lfw_view1 build-rate measurement");
  app.add_option("--build-limit", build_limit, "use only the first N lfw_view1 photos");
  app.add_option("--threads", threads, "builder threads (0 = all cores)");
  app.add_option("--ef-search", ef_search, "HNSW query beam");
  app.add_option("--imdb-rows", imdb_rows, "rows of the synthetic imdb.mat (0: skip)");
  CLI11_PARSE(app, argc, argv);
  spdlog::set_level(spdlog::level::warn);
  fs::create_directories(cache);

  nlohmann::json report;
  const MachineInfo machine = machine_info();
  std::printf("machine: %s\n", machine.describe().c_str());
  report["machine"] = machine.describe();
  if (!skip_build) {
    const auto lfw = test::shared_data("faces/lfw_view1");
    if (lfw.empty() || !fs::exists(lfw)) {
      std::cerr << "shared data not found; use --skip-build\n";
      return 2;
    }
    auto sources = scan_identity_folders(lfw);
    if (build_limit && sources.size() > build_limit) sources.resize(build_limit);
    BuildOptions options;
    options.threads = threads;
    auto t = Clock::now();
    auto result = build_gallery(sources, options);
    const double seconds = ms_since(t) / 1000;
    const double rate = static_cast<double>(sources.size()) / seconds;
    std::cout << fmt::format(
        "build  lfw_view1: {} photos in {:.1f} s = {:.1f} photos/s on {} threads ({} kept, {} "
        "skipped); 13,233-photo LFW would take {:.1f} min\n",
        sources.size(), seconds, rate, threads ? threads : int(std::thread::hardware_concurrency()),
        result.data.photos.size(), result.data.skipped.size(), 13233 / rate / 60);
    report["build"] = {{"photos", sources.size()},
                       {"seconds", seconds},
                       {"photos_per_second", rate},
                       {"kept", result.data.photos.size()},
                       {"skipped", result.data.skipped.size()},
                       {"threads", threads ? threads : int(std::thread::hardware_concurrency())}};
  }
  std::cout << fmt::format("{:>9} | {:>9} | {:>9} | {:>17} | {:>17} | {:>17} | {:>9} | {:>10}\n",
                           "photos", "load ms", "index ms", "exact p50/p99 ms", "int8 p50/p99 ms",
                           "HNSW p50/p99 ms", "recall@10", "index s");
  report["sizes"] = nlohmann::json::array();
  for (auto n : sizes) {
    auto r = bench_size(n, cache, queries, ef_search);
    std::cout << fmt::format(
        "{:>9} | {:>9.1f} | {:>9.1f} | {:>8.3f}/{:<8.3f} | {:>8.3f}/{:<8.3f} | {:>8.3f}/{:<8.3f} | "
        "{:>9.4f} | "
        "{:>10}\n",
        r.photos, r.load_ms, r.index_ready_ms, r.exact_p50, r.exact_p99, r.int8_p50, r.int8_p99,
        r.hnsw_p50, r.hnsw_p99, r.recall,
        r.index_build_s > 0 ? fmt::format("{:.1f}", r.index_build_s) : "cached");
    std::cout.flush();
    report["sizes"].push_back({{"photos", r.photos},
                               {"load_ms", r.load_ms},
                               {"index_ready_ms", r.index_ready_ms},
                               {"exact_p50_ms", r.exact_p50},
                               {"exact_p99_ms", r.exact_p99},
                               {"int8_p50_ms", r.int8_p50},
                               {"int8_p99_ms", r.int8_p99},
                               {"hnsw_p50_ms", r.hnsw_p50},
                               {"hnsw_p99_ms", r.hnsw_p99},
                               {"hnsw_recall_at_10", r.recall},
                               {"hnsw_ef_search", ef_search},
                               {"index_build_s", r.index_build_s}});
  }
  if (imdb_rows > 0) report["imdb"] = bench::bench_imdb_import(cache, imdb_rows);
  std::ofstream(out) << report.dump(2) << "\n";
  std::cout << "wrote " << out << "\n";
  return 0;
}

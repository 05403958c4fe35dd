#include "lookalike/app_paths.hpp"

#include <unistd.h>

#include <cstdlib>
#include <system_error>

#include "lookalike/build_config.hpp"

namespace fs = std::filesystem;

namespace lookalike {
namespace {

fs::path home_dir() {
  const char* home = std::getenv("HOME");
  return home && *home ? fs::path(home) : fs::temp_directory_path();
}

// An XDG base directory: the variable when it holds an absolute path (the spec says relative
// values are invalid and must be ignored), else HOME/fallback.
fs::path xdg_dir(const char* variable, const char* fallback) {
  const char* value = std::getenv(variable);
  if (value && *value == '/') return fs::path(value);
  return home_dir() / fallback;
}

// PREFIX/share/lookalike when this executable runs from PREFIX/bin of an installation.
fs::path installed_share_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec || exe.parent_path().filename() != "bin") return {};
  fs::path share = exe.parent_path().parent_path() / "share" / "lookalike";
  return fs::is_directory(share, ec) ? share : fs::path{};
}

}  // namespace

fs::path user_data_dir() {
  return xdg_dir("XDG_DATA_HOME", ".local/share") / "lookalike";
}
fs::path user_model_dir() {
  return user_data_dir() / "models";
}
fs::path user_gallery_dir() {
  return user_data_dir() / "galleries";
}
fs::path user_cache_dir() {
  return xdg_dir("XDG_CACHE_HOME", ".cache") / "lookalike";
}

namespace {
const fs::path& installed_share() {
  static const fs::path share = installed_share_dir();
  return share;
}
}  // namespace

bool running_installed() {
  return !installed_share().empty();
}

fs::path resource_path(const fs::path& relative) {
  if (const char* dir = std::getenv("LOOKALIKE_RESOURCE_DIR"); dir && *dir)
    return fs::path(dir) / relative;
  if (running_installed()) return installed_share() / relative;
  return fs::path(LOOKALIKE_SOURCE_DIR) / relative;
}

}  // namespace lookalike

#include "test_support.hpp"

#include <unistd.h>
#include "lookalike/build_config.hpp"

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "lookalike/engine/image_io.hpp"
#include "lookalike/gallery/builder.hpp"

namespace fs = std::filesystem;

namespace lookalike::test {

std::optional<fs::path> shared_dir() {
  if (const char* env = std::getenv("LOOKALIKE_SHARED_DIR"); env && *env) {
    if (fs::is_directory(fs::path(env) / "data")) return fs::path(env);
    return std::nullopt;
  }
  fs::path candidate = fs::path(LOOKALIKE_SOURCE_DIR).parent_path() / "shared";
  if (fs::is_directory(candidate / "data")) return candidate;
  return std::nullopt;
}

fs::path shared_data(const std::string& relative) {
  auto dir = shared_dir();
  if (!dir) return {};
  return *dir / "data" / relative;
}

fs::path build_dir() {
  if (const char* env = std::getenv("LOOKALIKE_BUILD_DIR"); env && *env) return env;
  // Test executables live in <build>/tests/<area>/.
  std::error_code ec;
  const fs::path exe = fs::canonical("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path().parent_path().parent_path();
}

TempDir::TempDir() {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    fs::path candidate = fs::temp_directory_path() / ("lookalike-test-" + std::to_string(rd()));
    if (fs::create_directory(candidate)) {
      path_ = candidate;
      return;
    }
  }
  throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

CommandResult build_gallery_with_cli(const fs::path& source, const fs::path& out) {
  return run_command((build_dir() / "app/lookalike-cli").string() + " gallery build " +
                     shell_quote(source.string()) + " -o " + shell_quote(out.string()) +
                     " --threads 2 -q");
}

Gender known_gender(const std::string& folder) {
  static const std::map<std::string, Gender> known = {{"amy", Gender::female},
                                                      {"bernadette", Gender::female},
                                                      {"penny", Gender::female},
                                                      {"rose_leslie", Gender::female},
                                                      {"howard", Gender::male},
                                                      {"leonard", Gender::male},
                                                      {"raj", Gender::male},
                                                      {"sheldon", Gender::male},
                                                      {"stuart", Gender::male},
                                                      {"alex_lacamoire", Gender::male},
                                                      {"barack_obama", Gender::male},
                                                      {"joe_biden", Gender::male},
                                                      {"kit_harington", Gender::male},
                                                      {"Ariel_Sharon", Gender::male},
                                                      {"Arnold_Schwarzenegger", Gender::male},
                                                      {"Colin_Powell", Gender::male},
                                                      {"Donald_Rumsfeld", Gender::male},
                                                      {"George_W_Bush", Gender::male},
                                                      {"Gerhard_Schroeder", Gender::male},
                                                      {"Hugo_Chavez", Gender::male},
                                                      {"Jacques_Chirac", Gender::male},
                                                      {"Tony_Blair", Gender::male},
                                                      {"Vladimir_Putin", Gender::male}};
  const auto it = known.find(folder);
  return it == known.end() ? Gender::unknown : it->second;
}

const std::vector<std::string>& bbt_cast() {
  static const std::vector<std::string> cast = {"amy",   "bernadette", "howard",  "leonard",
                                                "penny", "raj",        "sheldon", "stuart"};
  return cast;
}

CommandResult run_command(const std::string& command) {
  TempDir tmp;
  const fs::path out = tmp / "stdout", err = tmp / "stderr";
  std::string full = command + " >" + out.string() + " 2>" + err.string() + " </dev/null";
  int status = std::system(full.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  result.out = slurp(out);
  result.err = slurp(err);
  return result;
}

cv::Mat as_gallery_thumbnail(const cv::Mat& chip) {
  const BuildOptions build;
  cv::Mat small;
  cv::resize(chip, small, {build.thumbnail_size, build.thumbnail_size}, 0, 0, cv::INTER_AREA);
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", small, jpeg, {cv::IMWRITE_JPEG_QUALITY, build.thumbnail_jpeg_quality});
  return cv::imdecode(jpeg, cv::IMREAD_COLOR);
}

std::vector<LfwPair> read_lfw_pairs(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error(file.string() + ": cannot be read");
  auto photo = [](const std::string& name, const std::string& index) {
    char number[16];
    std::snprintf(number, sizeof number, "_%04d.jpg", std::stoi(index));
    return name + "/" + name + number;
  };
  std::vector<LfwPair> pairs;
  std::string line;
  std::getline(in, line);  // the count
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string s; fields >> s;) f.push_back(s);
    if (f.size() == 3) pairs.push_back({photo(f[0], f[1]), photo(f[0], f[2]), true});
    if (f.size() == 4) pairs.push_back({photo(f[0], f[1]), photo(f[2], f[3]), false});
  }
  return pairs;
}

fs::path write_lfw_archive(const fs::path& dir) {
  const fs::path staging = dir / "lfw-staging";
  fs::create_directories(staging);
  fs::copy(shared_data("faces/lfw10"), staging / "lfw", fs::copy_options::recursive);
  const fs::path tgz = dir / "lfw.tgz";
  const auto tar = run_command("tar -czf " + tgz.string() + " -C " + staging.string() + " lfw");
  if (tar.exit_code != 0) throw std::runtime_error("tar failed: " + tar.err);
  fs::remove_all(staging);
  return tgz;
}

std::string read_file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

fs::path write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

CommandResult run_and_signal_when(const std::string& command, const std::string& ready,
                                  const std::string& signal, int timeout_s) {
  // In braces: run_command's redirections capture the whole group.
  return run_command("{ " + command + " & pid=$!; i=0; while ! { " + ready + "; } && [ $i -lt " +
                     std::to_string(timeout_s * 10) + " ]; do sleep 0.1; i=$((i+1)); done; " +
                     "kill -" + signal + " $pid; wait $pid; }");
}

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::optional<CommandResult> run_with_small_disk(const std::filesystem::path& mount_point,
                                                 std::size_t kilobytes, const std::string& script) {
  std::filesystem::create_directories(mount_point);
  constexpr int kNoMount = 97;
  const std::string inner = "mount -t tmpfs -o size=" + std::to_string(kilobytes) +
                            "k lookalike-small-disk " + shell_quote(mount_point.string()) +
                            " || exit " + std::to_string(kNoMount) + "\n" + script;
  // Root makes a mount namespace; anyone else maps themselves to root in a user namespace.
  const std::string unshare = ::geteuid() == 0 ? "unshare --mount --propagation private"
                                               : "unshare --user --map-root-user --mount";
  auto result = run_command(unshare + " sh -c " + shell_quote(inner));
  if (result.exit_code == kNoMount || result.err.rfind("unshare:", 0) == 0) return std::nullopt;
  return result;
}

std::string bomb_png_header() {
  std::string b = "\x89PNG\r\n\x1a\n";
  b += std::string("\x00\x00\x00\x0dIHDR", 8);
  b += std::string("\x00\x00\x4e\x20\x00\x00\x4e\x20\x08\x02\x00\x00\x00", 13);
  b += std::string("\x00\x00\x00\x00", 4);  // CRC (never reached)
  return b;
}

std::vector<unsigned char> with_exif_orientation(std::vector<unsigned char> jpeg, int orientation) {
  // APP1: "Exif\0\0", a big-endian TIFF header, one IFD with one entry (0x0112 Orientation,
  // SHORT, count 1) and no next IFD.
  const unsigned char o = static_cast<unsigned char>(orientation);
  const std::vector<unsigned char> app1 = {
      0xFF, 0xE1, 0x00, 0x22,                          // marker, length 34 (with itself)
      'E',  'x',  'i',  'f',  0x00, 0x00,              // EXIF identifier
      'M',  'M',  0x00, 0x2A, 0x00, 0x00, 0x00, 0x08,  // TIFF header, IFD0 at offset 8
      0x00, 0x01,                                      // one entry
      0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, o, 0x00, 0x00,  // Orientation
      0x00, 0x00, 0x00, 0x00};                                              // no next IFD
  jpeg.insert(jpeg.begin() + 2, app1.begin(), app1.end());
  return jpeg;
}

std::vector<fs::path> photos_under(const fs::path& root, const std::string& skip_prefix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string folder = entry.path().parent_path().filename().string();
    if (entry.is_regular_file() && has_image_extension(entry.path()) &&
        (skip_prefix.empty() || folder.rfind(skip_prefix, 0) != 0))
      out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace lookalike::test

// --jitter in lookalike-cli as a user runs it: a negative, huge or non-numeric count is refused
// by every command that embeds, with the allowed range in the message; `embed --jitter` is
// deterministic; a gallery records its jitter (`gallery info`) and `match` with the same
// jitter (the defaults, or --jitter 2 on both) puts a gallery photo exactly on its own vector.
#include <nlohmann/json.hpp>

#include "lookalike/engine/engine.hpp"
#include "lookalike/types.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

namespace fs = std::filesystem;

std::string cli() {
  return (test::build_dir() / "app" / "lookalike-cli").string();
}

const std::string kPhoto = "faces/lfw10/Colin_Powell/Colin_Powell_0001.jpg";

TEST(JitterCli, OutOfRangeCountsAreRefusedByEveryCommand) {
  test::TempDir dir;
  test::write_file(dir / "g.lkg", "");  // `gallery add` checks that its file exists first
  for (const std::string command :
       {"embed x.jpg", "match x.jpg", "gallery build -o g.lkg .", "gallery add g.lkg ."}) {
    for (const std::string value : {"-1", "1001", "100000000000", "four"}) {
      const auto r = test::run_command("cd " + test::shell_quote(dir.path().string()) + " && " +
                                       cli() + " " + command + " --jitter " + value);
      EXPECT_NE(r.exit_code, 0) << command << " --jitter " << value;
      EXPECT_NE(r.err.find("--jitter"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("0 to " + std::to_string(kMaxJitter)), std::string::npos)
          << command << " --jitter " << value << ": " << r.err;
    }
  }
}

Embedding embed_json(const std::string& args) {
  const auto r = test::run_command(cli() + " embed --json " + args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto lines = test::json_lines(r.out);
  if (lines.size() != 1 || lines[0]["faces"].empty()) {
    ADD_FAILURE() << "no face: " << r.out;
    return {};
  }
  return lines[0]["faces"][0]["embedding"].get<Embedding>();
}

TEST(JitterCli, EmbedIsDeterministicAndNearThePlainEmbedding) {
  LOOKALIKE_REQUIRE_SHARED();
  const std::string photo = test::shell_quote(test::shared_data(kPhoto).string());
  const Embedding first = embed_json("--jitter 3 " + photo);
  const Embedding again = embed_json("--jitter 3 " + photo);
  const Embedding plain = embed_json(photo);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, plain);
  EXPECT_LT(euclidean_distance(first, plain), 0.15f);
}

TEST(JitterCli, GalleryRecordsItsJitterAndMatchUsesTheSame) {
  LOOKALIKE_REQUIRE_SHARED();
  test::TempDir dir;
  const fs::path lfw = test::shared_data("faces/lfw10");
  for (const std::string photo :
       {"Tony_Blair/Tony_Blair_0001.jpg", "Tony_Blair/Tony_Blair_0002.jpg",
        "Colin_Powell/Colin_Powell_0001.jpg"}) {
    fs::create_directories((dir / "src" / photo).parent_path());
    fs::copy_file(lfw / photo, dir / "src" / photo);
  }
  auto build = [&](const std::string& name, const std::string& flags) {
    const std::string gallery = (dir / name).string();
    const auto r = test::run_command(cli() + " gallery build -q " + flags + " -o " + gallery + " " +
                                     (dir / "src").string());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return gallery;
  };
  const std::string photo = (dir / "src" / "Colin_Powell" / "Colin_Powell_0001.jpg").string();
  auto top_distance = [&](const std::string& gallery, const std::string& flags) {
    const auto r =
        test::run_command(cli() + " match --json --gallery " + gallery + " " + flags + " " + photo);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const auto lines = test::json_lines(r.out);
    EXPECT_EQ(lines.size(), 1u) << r.out;
    const auto& top = lines.at(0)["faces"].at(0)["matches"].at(0);
    EXPECT_EQ(top["name"], "Colin Powell") << top.dump();
    return top["distance"].get<double>();
  };

  // Defaults on both sides: the builder's recipe, the photo's own vector.
  EXPECT_EQ(top_distance(build("default.lkg", ""), ""), 0.0);

  const std::string jittered = build("jitter2.lkg", "--jitter 2");
  const auto info = test::run_command(cli() + " gallery info --json " + jittered);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  const std::string alignment = nlohmann::json::parse(info.out)["model"]["alignment"];
  EXPECT_NE(alignment.find("mirror jitter 2"), std::string::npos) << alignment;
  EXPECT_EQ(top_distance(jittered, "--jitter 2"), 0.0);
  static_assert(kGalleryJitter != 2, "the default must differ from the jitter under test");
  EXPECT_GT(top_distance(jittered, ""), 0.0);  // another recipe: near, not on it
}

}  // namespace
}  // namespace lookalike

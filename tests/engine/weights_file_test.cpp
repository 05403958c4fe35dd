// The converted weights file round-trips exactly, and damage to it is reported clearly.
#include <fstream>

#include "lookalike/engine/model_paths.hpp"
#include "lookalike/engine/resnet_weights.hpp"
#include "lookalike/errors.hpp"
#include "lookalike/file_util.hpp"
#include "test_support.hpp"

namespace lookalike {
namespace {

std::string error_of(const std::filesystem::path& path) {
  try {
    load_resnet_weights(path);
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

TEST(WeightsFile, ConverterMatchesTheMeasuredNetworkFacts) {
  const auto tfjs = default_model_dir() / "face-api";
  ASSERT_TRUE(std::filesystem::exists(tfjs)) << "run models/fetch first";
  TfjsLoadReport report;
  ResNetWeights w = load_tfjs_weights(tfjs, &report);
  EXPECT_EQ(report.tensors, 117);
  EXPECT_EQ(report.weights, 5'614'592);
  EXPECT_EQ(report.quantized_tensors, 109);
  ASSERT_EQ(w.convs.size(), 29u);
  EXPECT_EQ(w.convs.front().kernel, 7);
  EXPECT_EQ(w.convs.front().stride, 2);
  EXPECT_EQ(w.convs.back().out_channels, 256);
  EXPECT_EQ(w.source_sha256.size(), 64u);
}

TEST(WeightsFile, RoundTripsAndRejectsDamage) {
  ResNetWeights original = load_resnet_weights(ModelPaths::defaults().recognition_weights);
  test::TempDir dir;
  const auto path = dir / "w.lkw";
  save_resnet_weights(original, path);
  ResNetWeights copy = load_resnet_weights(path);
  ASSERT_EQ(copy.convs.size(), original.convs.size());
  for (std::size_t i = 0; i < copy.convs.size(); ++i)
    EXPECT_EQ(copy.convs[i].filters, original.convs[i].filters);
  EXPECT_EQ(copy.fc, original.fc);
  EXPECT_EQ(copy.source_sha256, original.source_sha256);

  auto bytes = read_file_bytes(path);
  auto corrupted = bytes;
  corrupted[bytes.size() / 2] ^= std::byte{0x40};
  write_file_atomically(dir / "corrupt.lkw", corrupted);
  EXPECT_NE(error_of(dir / "corrupt.lkw").find("checksum"), std::string::npos);

  write_file_atomically(dir / "short.lkw", std::span(bytes).first(bytes.size() / 3));
  EXPECT_NE(error_of(dir / "short.lkw").find("truncated"), std::string::npos);

  write_file_atomically(dir / "text.lkw",
                        std::as_bytes(std::span(std::string_view("hello world"))));
  EXPECT_NE(error_of(dir / "text.lkw").find("not a Lookalike weights file"), std::string::npos);

  const std::string missing = error_of(dir / "missing.lkw");
  EXPECT_NE(missing.find("missing.lkw"), std::string::npos);
  EXPECT_NE(missing.find("models/fetch"), std::string::npos);
}

TEST(WeightsFile, MissingTfjsFolderSaysHowToFetch) {
  test::TempDir dir;
  try {
    load_tfjs_weights(dir.path());
    FAIL() << "expected ModelError";
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("models/fetch"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lookalike

#include "gif_decode.hpp"

#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "lookalike/errors.hpp"

namespace lookalike::detail {
namespace {

struct Reader {
  std::span<const unsigned char> bytes;
  std::size_t offset = 0;
};

// giflib pulls its input through this callback; a short read makes it report truncation.
int read_from_memory(GifFileType* gif, GifByteType* out, int wanted) {
  auto& reader = *static_cast<Reader*>(gif->UserData);
  const std::size_t left = reader.bytes.size() - reader.offset;
  const std::size_t n = std::min<std::size_t>(left, static_cast<std::size_t>(std::max(wanted, 0)));
  std::memcpy(out, reader.bytes.data() + reader.offset, n);
  reader.offset += n;
  return static_cast<int>(n);
}

struct GifCloser {
  void operator()(GifFileType* gif) const {
    int ignored = 0;
    DGifCloseFile(gif, &ignored);
  }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

[[noreturn]] void fail(const std::string& name, int code) {
  const char* why = GifErrorString(code);
  throw ImageError(name + ": corrupt or truncated GIF (" + (why ? why : "unknown error") + ")");
}

void check_size(const std::string& name, long long width, long long height, long long max_pixels) {
  if (width <= 0 || height <= 0)
    throw ImageError(name + ": invalid image header (zero width or height)");
  if (width * height > max_pixels)
    throw ImageError(name + ": image is too large to decode (" + std::to_string(width) + "x" +
                     std::to_string(height) + ")");
}

// The transparent colour index from a Graphics Control Extension, if it sets one.
std::optional<int> transparent_index(const GifByteType* block) {
  if (block == nullptr || block[0] < 4 || (block[1] & 0x01) == 0) return std::nullopt;
  return block[4];
}

}  // namespace

cv::Mat decode_gif_first_frame(std::span<const unsigned char> bytes, const std::string& name,
                               long long max_pixels) {
  Reader reader{bytes};
  int error = 0;
  GifHandle gif(DGifOpen(&reader, read_from_memory, &error));
  if (!gif) fail(name, error);
  check_size(name, gif->SWidth, gif->SHeight, max_pixels);

  std::optional<int> transparent;
  for (;;) {
    GifRecordType record = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif.get(), &record) == GIF_ERROR) fail(name, gif->Error);
    if (record == TERMINATE_RECORD_TYPE) throw ImageError(name + ": GIF without any image");
    if (record == EXTENSION_RECORD_TYPE) {
      int code = 0;
      GifByteType* block = nullptr;
      if (DGifGetExtension(gif.get(), &code, &block) == GIF_ERROR) fail(name, gif->Error);
      if (code == GRAPHICS_EXT_FUNC_CODE) transparent = transparent_index(block);
      while (block != nullptr)
        if (DGifGetExtensionNext(gif.get(), &block) == GIF_ERROR) fail(name, gif->Error);
      continue;
    }
    if (record != IMAGE_DESC_RECORD_TYPE) continue;

    if (DGifGetImageDesc(gif.get()) == GIF_ERROR) fail(name, gif->Error);
    const GifImageDesc& frame = gif->Image;
    check_size(name, frame.Width, frame.Height, max_pixels);
    const ColorMapObject* colours = frame.ColorMap ? frame.ColorMap : gif->SColorMap;
    if (colours == nullptr || colours->ColorCount <= 0)
      throw ImageError(name + ": GIF without a colour table");

    cv::Mat canvas(gif->SHeight, gif->SWidth, CV_8UC3, cv::Scalar(255, 255, 255));
    std::vector<GifByteType> line(static_cast<std::size_t>(frame.Width));
    // Interlaced frames store rows in four passes: every 8th from 0, every 8th from 4, every
    // 4th from 2, every 2nd from 1 (GIF89a, appendix E).
    static constexpr int kStart[] = {0, 4, 2, 1}, kStep[] = {8, 8, 4, 2};
    std::vector<int> row_order;
    row_order.reserve(static_cast<std::size_t>(frame.Height));
    if (frame.Interlace) {
      for (int pass = 0; pass < 4; ++pass)
        for (int y = kStart[pass]; y < frame.Height; y += kStep[pass]) row_order.push_back(y);
    } else {
      for (int y = 0; y < frame.Height; ++y) row_order.push_back(y);
    }
    for (const int y : row_order) {
      if (DGifGetLine(gif.get(), line.data(), frame.Width) == GIF_ERROR) fail(name, gif->Error);
      const int canvas_y = frame.Top + y;
      if (canvas_y < 0 || canvas_y >= canvas.rows) continue;  // frames may overhang the screen
      auto* out = canvas.ptr<cv::Vec3b>(canvas_y);
      for (int x = 0; x < frame.Width; ++x) {
        const int canvas_x = frame.Left + x;
        const int index = line[static_cast<std::size_t>(x)];
        if (canvas_x < 0 || canvas_x >= canvas.cols || index == transparent) continue;
        if (index >= colours->ColorCount) continue;  // out-of-table index: leave the background
        const GifColorType& c = colours->Colors[index];
        out[canvas_x] = cv::Vec3b(c.Blue, c.Green, c.Red);
      }
    }
    return canvas;
  }
}

}  // namespace lookalike::detail

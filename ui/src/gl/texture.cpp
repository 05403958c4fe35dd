#include "lookalike/ui/gl/texture.hpp"

#include <algorithm>
#include <atomic>
#include <opencv2/imgproc.hpp>

#include "gl/gl.hpp"

namespace lookalike::ui {
namespace {
std::atomic<long> g_live{0};
std::atomic<int> g_mosaic_blocks{0};

// Block averages (INTER_AREA) drawn back as flat blocks (INTER_NEAREST); `across` blocks span
// the shorter side, whatever the picture's size, so a large crop is as unrecognizable as a
// thumbnail.
cv::Mat mosaic(const cv::Mat& image, int across) {
  const int block = std::max(2, std::min(image.cols, image.rows) / across);
  const cv::Size blocks(std::max(1, image.cols / block), std::max(1, image.rows / block));
  cv::Mat small, out;
  cv::resize(image, small, blocks, 0, 0, cv::INTER_AREA);
  cv::resize(small, out, image.size(), 0, 0, cv::INTER_NEAREST);
  return out;
}
}  // namespace

void Texture::pixelate_pictures(int blocks_across) {
  g_mosaic_blocks = blocks_across;
}

long Texture::live_count() {
  return g_live.load();
}

Texture::~Texture() {
  reset();
}

Texture::Texture(Texture&& other) noexcept
    : id_(std::exchange(other.id_, 0u)), size_(other.size_), type_(other.type_) {}

Texture& Texture::operator=(Texture&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = std::exchange(other.id_, 0u);
    size_ = other.size_;
    type_ = other.type_;
  }
  return *this;
}

void Texture::reset() {
  if (id_ != 0) {
    glDeleteTextures(1, &id_);
    id_ = 0;
    --g_live;
  }
  size_ = {};
  type_ = -1;
}

void Texture::upload(const cv::Mat& picture, bool is_picture) {
  if (picture.empty()) return;
  const int across = is_picture ? g_mosaic_blocks.load() : 0;
  const cv::Mat image = across > 0 ? mosaic(picture, across) : picture;
  GLenum format = GL_BGR;
  switch (image.type()) {
    case CV_8UC3:
      format = GL_BGR;
      break;
    case CV_8UC4:
      format = GL_BGRA;
      break;
    case CV_8UC1:
      format = GL_RED;
      break;
    default:
      return;  // not a displayable image; callers pass 8-bit images
  }
  if (id_ == 0) {
    glGenTextures(1, &id_);
    ++g_live;
    glBindTexture(GL_TEXTURE_2D, id_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  } else {
    glBindTexture(GL_TEXTURE_2D, id_);
  }
  if (image.type() == CV_8UC1) {
    const GLint swizzle[] = {GL_RED, GL_RED, GL_RED, GL_ONE};
    glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, swizzle);
  }
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glPixelStorei(GL_UNPACK_ROW_LENGTH, static_cast<GLint>(image.step[0] / image.elemSize()));
  if (image.size() == size_ && image.type() == type_) {
    glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, image.cols, image.rows, format, GL_UNSIGNED_BYTE,
                    image.data);
  } else {
    const GLint internal =
        image.type() == CV_8UC1 ? GL_R8 : (image.type() == CV_8UC4 ? GL_RGBA8 : GL_RGB8);
    glTexImage2D(GL_TEXTURE_2D, 0, internal, image.cols, image.rows, 0, format, GL_UNSIGNED_BYTE,
                 image.data);
    size_ = image.size();
    type_ = image.type();
  }
  glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
}

}  // namespace lookalike::ui

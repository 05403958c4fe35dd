// Texture: an RAII OpenGL 2D texture holding BGR pixels for ImGui::Image / AddImage.
//
// Contract: main thread only, with the GL context current (construction, upload and
// destruction all call GL). Move-only; a default-constructed Texture holds nothing. upload()
// reuses the storage when the size is unchanged (glTexSubImage2D), so re-uploading a camera
// frame every display frame allocates nothing. live_count() counts textures alive in the
// process (the kiosk "no texture growth" check reads it). pixelate_pictures(N) (set once at
// start, before any upload) turns every picture uploaded afterwards into a mosaic N blocks
// across its shorter side: screenshots for the documentation show the UI but not the real people in
// the shared test photos, which the project must not publish.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>

namespace lookalike::ui {

class Texture {
 public:
  Texture() = default;
  explicit Texture(const cv::Mat& bgr) { upload(bgr); }
  ~Texture();
  Texture(Texture&& other) noexcept;
  Texture& operator=(Texture&& other) noexcept;
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;

  // CV_8UC3 BGR (or CV_8UC1 gray / CV_8UC4 BGRA); any stride. `picture` false: not a photo of
  // anyone (a QR code), never turned into a mosaic by pixelate_pictures().
  void upload(const cv::Mat& image, bool picture = true);
  void reset();

  bool valid() const { return id_ != 0; }
  void* imgui_id() const { return reinterpret_cast<void*>(static_cast<std::uintptr_t>(id_)); }
  cv::Size size() const { return size_; }
  static long live_count();
  static void pixelate_pictures(int blocks_across);

 private:
  unsigned id_ = 0;
  cv::Size size_;
  int type_ = -1;
};

}  // namespace lookalike::ui

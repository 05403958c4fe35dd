#include "chip_jitter.hpp"

#include <dlib/image_transforms.h>
#include <dlib/opencv/cv_image.h>
#include <dlib/opencv/to_open_cv.h>
#include <dlib/rand.h>

#include <stdexcept>

namespace lookalike::detail {

std::vector<cv::Mat> jittered_copies(const cv::Mat& chip, int count) {
  if (chip.empty() || chip.rows != chip.cols || chip.type() != CV_8UC3)
    throw std::invalid_argument("jitter needs a square 8-bit BGR face chip");
  dlib::matrix<dlib::bgr_pixel> image;
  dlib::assign_image(image, dlib::cv_image<dlib::bgr_pixel>(chip));
  // dlib's default seed, as its face recognition example jitters: the same n transforms for
  // every chip, so a gallery rebuild gives identical bytes.
  dlib::rand random;
  std::vector<cv::Mat> copies;
  copies.reserve(static_cast<std::size_t>(std::max(count, 0)));
  for (int i = 0; i < count; ++i) {
    dlib::matrix<dlib::bgr_pixel> jittered = dlib::jitter_image(image, random);
    copies.push_back(dlib::toMat(jittered).clone());  // toMat only wraps dlib's buffer
  }
  return copies;
}

}  // namespace lookalike::detail

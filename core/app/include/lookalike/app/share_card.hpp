// The picture a guest takes home from the kiosk (served by ShareServer): their face, the
// celebrity's thumbnail, the name and similarity, and the event's branding (title, footer line,
// colours, optional logo). Plain inputs: no dependency on the kiosk's settings types.
//
// Contract: compose_share_card() returns a `size` BGR image (CV_8UC3) filled with the branding
// background, the logo (top left, alpha-blended when it has 4 channels) and title in a top band,
// the face and the celebrity as two squares framed in the accent colour, the name and "NN %"
// below them and the footer line at the bottom. Text is drawn with OpenCV's freetype module and
// DejaVu Sans (any Unicode name), or OpenCV's Hershey font (ASCII) when the font is missing;
// long lines shrink to fit. Throws std::invalid_argument for an empty face or celebrity image or
// a size under 320 x 400. Pure and thread-safe.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace lookalike::app {

struct ShareCardBranding {
  std::string title;                  // the event, in the top band; may be empty
  std::string footer;                 // the bottom line; may be empty
  cv::Scalar background{48, 32, 24};  // BGR
  cv::Scalar accent{0, 180, 255};     // frames and the similarity
  cv::Scalar text{255, 255, 255};     // title, name and footer
  cv::Mat logo;                       // BGR or BGRA; optional
};

struct ShareCardInputs {
  cv::Mat face;       // the guest's face crop, BGR
  cv::Mat celebrity;  // the celebrity's thumbnail, BGR
  std::string celebrity_name;
  double similarity_percent = 0;
  ShareCardBranding branding;
  cv::Size size{1080, 1350};  // 4:5, a phone's photo format
};

cv::Mat compose_share_card(const ShareCardInputs& inputs);

}  // namespace lookalike::app

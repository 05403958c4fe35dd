// FrameLayout: where things were drawn this frame, in window coordinates. The views fill it as
// they draw; --screenshot writes it beside the image (harness/screenshot.hpp) so tests can find
// the overlay's boxes, names and cards in the pixels.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "views/draw_util.hpp"

namespace lookalike::ui {

struct DrawnTrack {
  std::uint64_t id = 0;
  std::string name;
  float similarity = 0;
  Rect box, label, thumbnail;
};

// A face card's feature bars (photo mode): their labels ("eyes 91%") and note, and where.
struct DrawnFeatures {
  std::vector<std::string> labels;
  std::string note;
  Rect area;
};

struct FrameLayout {
  Rect frame;  // where the camera frame is drawn
  cv::Size frame_size;
  bool mirrored = false;
  std::vector<DrawnTrack> tracks;
  int photo_faces = 0;
  std::vector<std::string> photo_errors;
  std::vector<std::string> photo_notes;  // e.g. a face found only with the photo turned
  std::vector<std::string> photo_cast;   // unique cast: the part each face card shows ("" none)
  std::vector<int> photo_twins;          // the two face cards marked as the closest pair
  std::vector<DrawnFeatures> photo_features;   // the cards' feature shape bars
  std::vector<std::string> photo_percentiles;  // "closer than P % of the gallery" lines drawn
  int photo_pose_thumbnails = 0;  // cards whose top-1 shows its pose-matched gallery crop
  float twins_similarity = 0;
  std::vector<std::uint64_t> live_twins;  // track ids of the closest pair in the live view
  int map_identities = 0;                 // identities drawn on the face map
  int map_people = 0;                     // live faces placed on it
  std::string kiosk_state;
  int kiosk_cards = 0;
  std::vector<std::string> kiosk_names;       // the celebrity each card shows, left to right
  std::vector<bool> kiosk_plays;              // the card says "plays NAME" (unique cast)
  std::vector<double> kiosk_morph_t;          // each card's morph position (-1: the live face)
  std::vector<DrawnFeatures> kiosk_features;  // the cards' feature shape bars
  Rect kiosk_logo;                            // the event logo (empty: none drawn)
  std::string kiosk_headline;                 // the guest screen's main text (title, 3, ...)
  int kiosk_shares = 0;                       // cards showing their take-home link area
  bool kiosk_attract_video = false;           // the attract screen shows kiosk.attract_video
  bool welcome = false;                       // the first-run card was drawn
  std::vector<std::string> welcome_sources;   // gallery sources offered there
  std::vector<std::string> toasts;            // notices on screen, oldest first
  Rect pause_button;                          // operator window: where its Pause / Resume button is
  int people_served = -1;                     // operator window: its "people served" (-1: none)
};

}  // namespace lookalike::ui

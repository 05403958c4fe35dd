// Kiosk result cards: one per person, side by side, in the event's colours, with the card's
// morph and, when the share server set one, the take-home link's area. Textures: a fixed pool
// of card face textures (kiosk_faces_), refilled in place every frame, so nothing grows over
// a day.
//
// The card's morph: animated, not a slider. A kiosk stands unattended and most have no mouse
// or touch screen; an animation shows the whole effect to everyone in front of it without
// teaching a gesture. It goes person -> celebrity -> person over the card's hold time
// (card_morph_t), so each card closes on the person. The landmark fit needs an engine, so
// the Morph objects are made on a Task; each displayed frame renders one card's morph frame on
// this thread (Morph::frame is const), in turn, into the card's pooled texture.
#include <imgui.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <opencv2/imgproc.hpp>

#include "app_impl.hpp"
#include "gl/gl.hpp"
#include "views/draw_util.hpp"
#include "views/feature_bars.hpp"
#include "views/kiosk_style.hpp"

namespace lookalike::ui {
namespace {

constexpr int kCardFaceSide = 256;  // card face textures are always this size: no realloc

double seconds_since(Clock::time_point then, Clock::time_point now) {
  return std::chrono::duration<double>(now - then).count();
}

// "until 14:35": the steady-clock expiry as wall-clock time.
std::string until_text(Clock::time_point expires, Clock::time_point now) {
  const auto wall = std::chrono::system_clock::now() +
                    std::chrono::duration_cast<std::chrono::system_clock::duration>(expires - now);
  const std::time_t t = std::chrono::system_clock::to_time_t(wall);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "until %H:%M", &tm);
  return buf;
}

}  // namespace

void App::update_kiosk_morphs() {
  const auto& cards = kiosk_.cards();
  if (kiosk_morph_task_ && !kiosk_morph_task_->running()) {
    for (auto& [id, morph] : *kiosk_morph_result_) {
      // The morph's end shapes are the two faces' landmark fits: the feature shapes for free.
      if (morph) kiosk_features_[id] = app::feature_resemblance(morph->shape(0), morph->shape(1));
      kiosk_morphs_[id] = std::move(morph);
    }
    kiosk_morph_task_.reset();
  }
  auto gone = [&](const auto& entry) {  // bounded: only the cards up now
    return std::none_of(cards.begin(), cards.end(),
                        [&](const app::GuestCard& c) { return c.card_id == entry.first; });
  };
  std::erase_if(kiosk_morphs_, gone);
  std::erase_if(kiosk_features_, gone);
  if (!settings_.kiosk.morph || kiosk_morph_task_ || !gallery_) return;
  struct Request {
    std::uint64_t id;
    cv::Mat frame;
    std::optional<Landmarks> landmarks;
    cv::Rect box;
    std::uint32_t identity;
  };
  std::vector<Request> requests;
  for (const app::GuestCard& card : cards)
    if (!kiosk_morphs_.contains(card.card_id) && card.shown() && !card.frame.empty())
      requests.push_back({card.card_id, card.frame, card.landmarks, cv::Rect(card.frame_box),
                          card.shown()->identity});
  if (requests.empty()) return;
  const bool mirrored = live_view_mirrored();
  kiosk_morph_result_ = std::make_shared<KioskMorphs>();
  kiosk_morph_task_ = std::make_unique<app::Task>(
      "kiosk morph",
      [requests = std::move(requests), gallery = gallery_, mirrored,
       result = kiosk_morph_result_](app::Task::Context& context) {
        std::unique_ptr<FaceEngine> engine;
        try {
          engine = FaceEngine::create();  // the models are loaded once per process
        } catch (const std::exception& e) {
          spdlog::warn("kiosk morph: {}", e.what());  // cards show the live face instead
        }
        for (const Request& r : requests) {
          if (context.stop().stop_requested()) return false;
          std::shared_ptr<const app::Morph> morph;
          try {
            const cv::Mat thumbnail = gallery->thumbnail(r.identity);
            if (engine && !thumbnail.empty())
              morph = std::make_shared<const app::Morph>(app::morph_frame_face(
                  *engine, r.frame, r.landmarks, r.box, thumbnail, kCardFaceSide, mirrored));
          } catch (const std::exception& e) {
            spdlog::warn("kiosk morph: {}", e.what());
          }
          result->emplace_back(r.id, std::move(morph));  // null: tried, the live face stays
        }
        return true;
      },
      [] { glfwPostEmptyEvent(); });
}

void App::draw_kiosk_cards(const Rect& area, Clock::time_point now) {
  const float s = window_->scale();
  const Fonts& f = window_->fonts();
  const kiosk::Palette colours = kiosk::palette(settings_.kiosk);
  ImDrawList* dl = ImGui::GetBackgroundDrawList();
  const float cx = (area.min.x + area.max.x) / 2;
  const auto& cards = kiosk_.cards();
  const int n = static_cast<int>(cards.size());
  layout_.kiosk_cards = n;
  const bool any_share = std::any_of(
      cards.begin(), cards.end(), [](const app::GuestCard& c) { return c.share_url.has_value(); });
  const float gap = 28 * s;
  const float card_w =
      std::min(520 * s, (area.width() - gap * static_cast<float>(n + 1)) / std::max(1, n));
  const float img = (card_w - 3 * 20 * s) / 2;
  // Feature-shape bars under the % when the morph (which fits the landmarks) is on.
  const float features_h = settings_.kiosk.morph ? feature_bars_height(f, s) + 8 * s : 0.f;
  const float event_h = settings_.kiosk.event_title.empty() ? 0.f : f.bold->FontSize + 10 * s;
  const float share_side = 112 * s;  // the take-home QR code's place (drawn by the share seam)
  const float share_h = any_share ? share_side + 16 * s : 0.f;
  const float card_h =
      event_h + img + 40 * s + f.large->FontSize + f.huge->FontSize + 60 * s + features_h + share_h;
  float x = cx - (static_cast<float>(n) * card_w + static_cast<float>(n - 1) * gap) / 2;
  const float y = area.min.y + (area.height() - card_h) / 2;
  for (int i = 0; i < n && i < static_cast<int>(kiosk_faces_.size()); ++i) {
    const app::GuestCard& card = cards[static_cast<std::size_t>(i)];
    Texture& face = kiosk_faces_[static_cast<std::size_t>(i)];
    const ImVec2 c0{x, y}, c1{x + card_w, y + card_h};
    dl->AddRectFilled(c0, c1, draw::with_alpha(colours.background, 0.94f), 18 * s);
    dl->AddRect(c0, c1, draw::with_alpha(colours.accent, 0.85f), 18 * s, 0, 2.5f * s);
    if (event_h > 0)
      kiosk::centered_text(
          dl, f.bold, f.bold->FontSize, x + card_w / 2, y + 12 * s, colours.accent,
          draw::fit_text(f.bold, f.bold->FontSize, settings_.kiosk.event_title, card_w - 40 * s));
    const double held = seconds_since(card.opened_at, now);
    const double hold = settings_.kiosk.hold_seconds;
    const auto made = kiosk_morphs_.find(card.card_id);
    const app::Morph* morph =
        settings_.kiosk.morph && made != kiosk_morphs_.end() ? made->second.get() : nullptr;
    const double morph_t = morph ? app::card_morph_t(held, hold) : -1;
    layout_.kiosk_morph_t.push_back(morph_t);
    if (morph) {
      // One card's morph frame per displayed frame, in turn (a 256 px frame takes ~4-6 ms
      // here): 4 cards still animate at a quarter of the display rate.
      if (ImGui::GetFrameCount() % n == i || !face.valid()) face.upload(morph->frame(morph_t));
    } else if (shown_ && !shown_->frame.empty()) {
      // The person's live face (from the current frame), refilled into a fixed texture.
      const cv::Rect box(card.box);
      cv::Mat crop = face_crop(shown_->frame, box, 0.3f, 4096);
      if (!crop.empty()) {
        cv::Mat square;
        cv::resize(crop, square, {kCardFaceSide, kCardFaceSide}, 0, 0, cv::INTER_AREA);
        if (live_view_mirrored()) cv::flip(square, square, 1);
        face.upload(square);
      }
    }
    const ImVec2 a0{x + 20 * s, y + 20 * s + event_h};
    draw::image_or_placeholder(dl, &face, a0, {a0.x + img, a0.y + img}, 12 * s, 1.f, "You",
                               f.large);
    draw::text(dl, f.regular, f.regular->FontSize, {a0.x, a0.y + img + 6 * s}, colours.text_dim,
               morph_t > 0.02 ? "Morph " + draw::percent_text(100 * static_cast<float>(morph_t))
                              : std::string("You"));
    const IdentityMatch* top = card.shown();  // the part it plays, else its top-1
    layout_.kiosk_names.push_back(top ? top->name : "");
    layout_.kiosk_plays.push_back(card.plays_other_part());
    const ImVec2 b0{a0.x + img + 20 * s, a0.y};
    const Texture* thumb = top && thumbnails_ ? thumbnails_->get(top->identity) : nullptr;
    draw::image_or_placeholder(dl, thumb, b0, {b0.x + img, b0.y + img}, 12 * s, 1.f,
                               top ? top->name : "?", f.large);
    draw::text(dl, f.regular, f.regular->FontSize, {b0.x, b0.y + img + 6 * s}, colours.text_dim,
               card.plays_other_part() ? "Your part" : "Look-alike");
    float ty = a0.y + img + 36 * s;
    const std::string name =
        !top ? "Unknown" : (card.plays_other_part() ? "plays " : "") + top->name;
    kiosk::centered_text(dl, f.large, f.large->FontSize, x + card_w / 2, ty, colours.text,
                         draw::fit_text(f.large, f.large->FontSize, name, card_w - 40 * s));
    ty += f.large->FontSize + 8 * s;
    const bool low = !top || top->similarity_percent < kLowResemblancePercent;
    kiosk::centered_text(dl, f.huge, f.huge->FontSize, x + card_w / 2, ty,
                         low ? draw::kLow : colours.accent,
                         top ? draw::percent_text(top->similarity_percent) : "--");
    const auto shapes = kiosk_features_.find(card.card_id);
    if (morph && top && shapes != kiosk_features_.end())
      layout_.kiosk_features.push_back(
          draw_feature_bars(dl, f, s, {x + 20 * s, c1.y - 26 * s - share_h - features_h},
                            card_w - 40 * s, shapes->second, top->name));
    if (card.share_url) {
      // The take-home link: its QR code (kiosk_share.cpp) on white, the lifetime beside it.
      const ImVec2 q0{x + 20 * s, c1.y - 26 * s - share_h + 8 * s};
      const ImVec2 q1{q0.x + share_side, q0.y + share_side};
      dl->AddRectFilled(q0, q1, IM_COL32(255, 255, 255, 255), 6 * s);
      if (const auto qr = kiosk_qr_.find(card.card_id); qr != kiosk_qr_.end() && qr->second.valid())
        dl->AddImage(qr->second.imgui_id(), q0, q1);
      const float tx = q0.x + share_side + 14 * s;
      draw::text(dl, f.bold, f.bold->FontSize, {tx, q0.y + 8 * s}, colours.text,
                 "Scan to take it home");
      draw::text(dl, f.regular, f.regular->FontSize, {tx, q0.y + 12 * s + f.bold->FontSize},
                 colours.text_dim, "Link valid " + until_text(card.share_expires_at, now));
      draw::text(dl, f.regular, f.regular->FontSize,
                 {tx, q0.y + 16 * s + f.bold->FontSize + f.regular->FontSize}, colours.text_dim,
                 "Held in memory only: nothing is stored");
      ++layout_.kiosk_shares;
    }
    // Countdown bar until the card closes.
    const float left = std::max(0.f, 1.f - static_cast<float>(held / std::max(0.1, hold)));
    draw::percent_bar(dl, {x + 20 * s, c1.y - 18 * s}, {c1.x - 20 * s, c1.y - 12 * s}, 100.f * left,
                      colours.accent, 0.8f);
    x += card_w + gap;
  }
}

}  // namespace lookalike::ui

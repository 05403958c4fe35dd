// The kiosk's take-home QR, wired to the application layer: the share server starts with the
// kiosk when [kiosk.share] enabled says so; each result card that opens is composed into the
// take-home picture (app::compose_share_card, with the event's branding), published
// (app::ShareServer::publish) and given its QR code (app::qr_code) on a Task, because composing
// and encoding take ~40 ms, more than two displayed frames. The card then shows the code and
// the link's lifetime (GuestFlow::share_card); the QR textures leave with their cards, so at
// most max_cards of them exist.
#include <GLFW/glfw3.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "app_impl.hpp"
#include "lookalike/app/qr_code.hpp"
#include "lookalike/app/share_card.hpp"
#include "lookalike/pipeline/frame_source.hpp"

namespace lookalike::ui {
namespace {

constexpr int kQrSide = 360;  // pixels of the QR texture (drawn at ~112 logical pixels)

cv::Scalar bgr_of(const std::string& rgb_text, cv::Scalar fallback) {
  const auto rgb = parse_rgb(rgb_text);
  return rgb ? cv::Scalar(rgb->b, rgb->g, rgb->r) : fallback;
}

}  // namespace

void App::start_share_server() {
  const KioskShareSettings& share = settings_.kiosk.share;
  if (mode_ != Mode::kiosk || !share.enabled) return;
  app::ShareSettings s;
  s.enabled = true;
  s.bind_address = share.bind;
  s.port = share.port;
  s.public_host = share.public_host;
  s.ttl = std::chrono::seconds(static_cast<long long>(share.ttl_minutes * 60));
  s.max_cards = static_cast<std::size_t>(share.max_cards);
  try {
    share_server_ = app::start_share_server(s);
    spdlog::info("kiosk: take-home cards served at http://{}:{}/c/ for {} min",
                 share_server_->public_host(), share_server_->port(), share.ttl_minutes);
  } catch (const std::exception& e) {
    // The operator's to fix; guests get cards without a QR code.
    report_kiosk_problem(std::string("kiosk.share: ") + e.what() + "; no take-home QR");
  }
}

void App::update_kiosk_shares(Clock::time_point now) {
  if (!share_server_) return;
  const auto& cards = kiosk_.cards();
  if (kiosk_share_task_ && !kiosk_share_task_->running()) {
    for (KioskShare& done : *kiosk_share_result_) {
      Texture& qr = kiosk_qr_[done.card_id];  // an entry even on failure: tried once
      if (done.qr.empty()) continue;
      qr.upload(done.qr, /*picture=*/false);
      const auto left = done.published.expires_at - std::chrono::system_clock::now();
      kiosk_.share_card(done.card_id, done.published.url,
                        now + std::chrono::duration_cast<Clock::duration>(left));
    }
    kiosk_share_task_.reset();
  }
  std::erase_if(kiosk_qr_, [&](const auto& entry) {  // bounded: only the cards up now
    return std::none_of(cards.begin(), cards.end(),
                        [&](const app::GuestCard& c) { return c.card_id == entry.first; });
  });
  if (kiosk_share_task_ || !gallery_) return;

  struct Request {
    std::uint64_t id;
    cv::Mat face;
    std::uint32_t identity;
    std::string name;
    double percent;
  };
  const bool mirrored = live_view_mirrored();
  std::vector<Request> requests;
  for (const app::GuestCard& card : cards) {
    if (kiosk_qr_.contains(card.card_id) || !card.shown() || card.frame.empty()) continue;
    cv::Mat face = app::face_crop(card.frame, cv::Rect(card.frame_box), 0.3f, 1024);
    if (face.empty()) continue;
    if (mirrored) cv::flip(face, face, 1);
    requests.push_back({card.card_id, face, card.shown()->identity, card.shown()->name,
                        card.shown()->similarity_percent});
  }
  if (requests.empty()) return;
  const KioskSettings& k = settings_.kiosk;
  app::ShareCardBranding branding;
  branding.title = k.event_title;
  branding.footer = k.footer;
  branding.background = bgr_of(k.background, branding.background);
  branding.accent = bgr_of(k.accent, branding.accent);
  branding.text = bgr_of(k.text, branding.text);
  branding.logo = kiosk_logo_image();  // shares the pixels, which nobody writes
  kiosk_share_result_ = std::make_shared<std::vector<KioskShare>>();
  kiosk_share_task_ = std::make_unique<app::Task>(
      "kiosk take-home card",
      [requests = std::move(requests), brand = branding, gallery = gallery_,
       server = share_server_.get(), result = kiosk_share_result_](app::Task::Context& context) {
        for (const Request& r : requests) {
          if (context.stop().stop_requested()) return false;
          KioskShare share{r.id, {}, {}};
          try {
            const cv::Mat card =
                app::compose_share_card({.face = r.face,
                                         .celebrity = gallery->thumbnail(r.identity),
                                         .celebrity_name = r.name,
                                         .similarity_percent = r.percent,
                                         .branding = brand});
            share.published = server->publish(card);
            cv::cvtColor(app::qr_code(share.published.url, kQrSide), share.qr, cv::COLOR_GRAY2BGR);
          } catch (const std::exception& e) {
            spdlog::warn("kiosk take-home card: {}", e.what());  // the card shows no QR code
            share.qr.release();
          }
          result->push_back(std::move(share));
        }
        return true;
      },
      [] { glfwPostEmptyEvent(); });
}

}  // namespace lookalike::ui

// App: the desktop app's state and main loop (private to ui/). Member functions are split by
// view: app.cpp (lifecycle, loop, input, files), view_live.cpp (camera frame, overlay,
// welcome / no-camera cards), view_panel.cpp (menu, side panel, status bar), view_photo.cpp,
// view_kiosk.cpp.
//
// Contract: everything here runs on the main thread. Workers (live pipeline, photo analyzer,
// gallery loader, thumbnail loader) are owned through their thread-safe handles and are only
// polled, never waited on, during a frame: switching sources hands the old live feed to a
// FeedRetirer, which stops it in the background. The loop sleeps while nothing moves (idle
// frame rate; input, a new snapshot or a task's progress wake it). Shutdown order
// (destructor): the live feed and every retired feed (waited for), photo analyzer, gallery
// loader, thumbnail cache, textures, main-thread queue, then the window.
#pragma once

#include <imgui.h>

#include <array>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gl/window.hpp"
#include "harness/bench_recorder.hpp"
#include "harness/frame_layout.hpp"
#include "harness/screenshot.hpp"
#include "lookalike/app/build_gallery.hpp"
#include "lookalike/app/face_map.hpp"
#include "lookalike/app/feature_resemblance.hpp"
#include "lookalike/app/feed_retirer.hpp"
#include "lookalike/app/gallery_loader.hpp"
#include "lookalike/app/gallery_sources.hpp"
#include "lookalike/app/guest_flow.hpp"
#include "lookalike/app/live_feed.hpp"
#include "lookalike/app/photo_analyzer.hpp"
#include "lookalike/app/share_server.hpp"
#include "lookalike/app/task.hpp"
#include "lookalike/pipeline/cameras.hpp"
#include "lookalike/process_usage.hpp"
#include "lookalike/ui/app.hpp"
#include "lookalike/ui/gl/texture.hpp"
#include "lookalike/ui/gl/thumbnail_cache.hpp"
#include "lookalike/ui/main_thread_queue.hpp"
#include "lookalike/ui/view_models/kiosk.hpp"
#include "lookalike/ui/view_models/operator.hpp"
#include "lookalike/ui/view_models/overlay_model.hpp"
#include "lookalike/ui/view_models/settings.hpp"
#include "views/attract_loop.hpp"
#include "views/view_operator.hpp"

namespace lookalike::ui {

// The background use cases of the application layer the views show.
using app::face_crop;
using app::FeedRetirer;
using app::GalleryLoader;
using app::LiveFeed;
using app::LiveFeedOptions;
using app::PhotoAnalyzer;
using app::PhotoAnalyzerOptions;
using app::PhotoBatch;
using app::PhotoFace;
using app::PhotoResult;
using app::TwinPair;

enum class Mode { live, photo, kiosk, map };

struct Toast {
  std::string text;
  double until = 0;  // glfw time
  bool error = false;
};

class App {
 public:
  App(AppOptions options, Settings settings, std::filesystem::path settings_path,
      std::optional<std::string> settings_warning, std::vector<std::string> kiosk_problems = {});
  ~App();
  int run();
  // The drop path: files -> photo mode, a .lkg -> open gallery, a folder of identity folders
  // -> build a gallery. Called by the GLFW drop callback and by --drop.
  void handle_drop(const std::vector<std::string>& paths);

 private:
  // Path dialog (ImGui has no file dialog): what the typed path is for.
  enum class PathPurpose { none, open_gallery, open_video, open_photos, build_gallery };

  // lifecycle (app.cpp)
  void start_feed(const std::string& spec);
  // "Only look-alikes of my gender" (settings_.same_gender) for the photo mode and the feed.
  GenderFilter gender_filter() const;
  // The live view shows the camera mirrored (a selfie view): faces cut from its frames are
  // flipped to match what the guest saw.
  bool live_view_mirrored() const;
  // A kiosk problem for the operator (logged once; listed in the operator window).
  void report_kiosk_problem(const std::string& message);
  // kiosk.logo, read once (8-bit images only; a problem is reported otherwise): empty when none.
  const cv::Mat& kiosk_logo_image();
  void apply_gender_filter();
  void open_gallery(const std::filesystem::path& path);
  void start_gallery_download(const std::string& name);           // app.cpp: app::install_gallery
  void start_gallery_build(const std::filesystem::path& folder);  // app::build_gallery_from_folders
  void open_face_map();         // app::load_or_layout_face_map on a Task; mode -> map
  void start_model_download();  // app.cpp: app::install_models
  void poll_workers();
  void handle_keys();
  void save_result_card(const cv::Mat& pixels);
  // Photo mode's "save morph" (V: MP4, Shift+V: PNG strip): app::write_morph on a Task into
  // the result card folder; a toast says where it went or why not.
  void start_morph_save(std::shared_ptr<const app::Morph> morph, bool strip);
  void press_scripted_key();  // --press: before a frame, one key down or the last one up
  void persist_settings();
  void toast(std::string text, bool error = false);
  void ask_path(PathPurpose purpose);  // opens the path dialog for `purpose`, empty
  void apply_search_options();
  Rect central_area() const;
  bool settled_frame();
  bool awaited_state_reached() const;        // --exit-when-kiosk-cards / -state, --exit-when-named
  ScreenshotState screenshot_state() const;  // --screenshot's JSON beside the image
  bool something_moves() const;              // main loop (app.cpp): false = sleep at the idle rate

  // The kiosk operator window (--operator; operator_window.cpp): a second window drawn after
  // the guest's each loop, sharing its GL objects (the camera texture).
  void open_operator_window();
  // One frame of it when it has something new (if open; a closed one is destroyed here, the
  // kiosk runs on). `last`: draw and write --operator-screenshot. False when that screenshot
  // could not be written.
  bool draw_operator_window(bool last);
  OperatorStatus operator_status() const;
  void apply_operator_actions(const OperatorActions& actions);
  void operator_scripted_action();  // --operator-press: one action per frame once settled
  void note_operator_events();      // cards opened -> people served; faults -> operator log
  void reset_guest_flow();          // the kiosk state machine starts again (attract)
  void draw_kiosk_paused(const Rect& area);
  void draw_settings_controls(ImFont* bold);  // view_panel.cpp: matching + view settings

  // views
  void draw_menu_bar();                                                // view_panel.cpp
  void draw_side_panel();                                              // view_panel.cpp
  void draw_status_bar();                                              // view_panel.cpp
  void draw_toasts();                                                  // view_panel.cpp
  void draw_path_dialog();                                             // view_panel.cpp
  void draw_live(const Rect& area, bool overlay);                      // view_live.cpp
  void draw_overlay(ImDrawList* dl, const Rect& frame_rect, float s);  // view_live.cpp
  void draw_welcome(const Rect& area);                                 // view_live.cpp
  void draw_downloads(float s);                                        // view_live.cpp
  void draw_source_problem(const Rect& area);                          // view_live.cpp
  void draw_photo(const Rect& area);                                   // view_photo.cpp
  void draw_kiosk(const Rect& area);                                   // view_kiosk.cpp
  void draw_kiosk_gate();
  void update_kiosk_morphs();  // view_kiosk.cpp: starts / collects the cards' morph task
  void start_share_server();   // kiosk_share.cpp: [kiosk.share] enabled -> share_server_
  // kiosk_share.cpp: publishes the new result cards (on a Task) and keeps their QR textures.
  void update_kiosk_shares(Clock::time_point now);
  void update_guest_flow(Clock::time_point now);  // view_kiosk.cpp: faults, back soon, input
  void draw_kiosk_cards(const Rect& area, Clock::time_point now);  // view_kiosk.cpp
  void draw_kiosk_branding(const Rect& area);                      // view_kiosk.cpp
  bool draw_attract_video(const Rect& area);  // view_kiosk.cpp: false when none is shown
  void draw_map(const Rect& area);  // view_map.cpp                                              //
                                    // view_kiosk.cpp
  bool update_frame_texture();      // view_live.cpp
  void take_latest_snapshot();      // view_live.cpp
  Rect fit_frame(const Rect& area, cv::Size size) const;  // view_live.cpp

  // window first: destroyed last (everything below may free GL objects)
  std::unique_ptr<Window> window_;
  std::unique_ptr<Window> operator_;  // --operator: destroyed before window_ (shares its GL)
  AppOptions options_;
  Settings settings_;
  std::filesystem::path settings_path_;
  Mode mode_ = Mode::live;
  Mode previous_mode_ = Mode::live;

  MainThreadQueue queue_;
  Texture frame_texture_;
  std::uint64_t frame_texture_seq_ = UINT64_MAX;
  const void* frame_texture_owner_ = nullptr;         // snapshot whose frame is in the texture
  std::array<Texture, 4> kiosk_faces_;                // fixed pool: kiosk never grows textures
  std::vector<std::vector<Texture>> photo_textures_;  // [photo][face crops, then pose crops]
  std::shared_ptr<const PhotoBatch> photo_batch_shown_;
  Texture morph_texture_;                    // the morph frame of the face being dragged across
  const app::Morph* morph_shown_ = nullptr;  // what morph_texture_ holds: that morph at that t
  float morph_shown_t_ = -1;
  std::shared_ptr<const app::Morph> morph_selected_;  // photo mode: the face V saves
  std::unique_ptr<app::Task> morph_save_;             // "save morph" in progress
  std::shared_ptr<app::MorphWritten> morph_written_;  // written by morph_save_'s body

  std::shared_ptr<const IdentityMatcher> gallery_;
  std::filesystem::path gallery_path_;
  std::string gallery_error_;
  std::string gallery_model_;
  std::unique_ptr<ThumbnailCache> thumbnails_;

  std::unique_ptr<GalleryLoader> loader_;
  std::unique_ptr<app::Task> builder_;  // "Build from folder" / a dropped folder
  std::filesystem::path builder_output_;
  // First run: the downloadable gallery catalogue and the download/install in progress.
  std::vector<app::GallerySource> gallery_sources_;
  std::string gallery_sources_error_;
  std::unique_ptr<app::Task> download_;
  std::shared_ptr<std::filesystem::path> downloaded_gallery_;  // written by download_'s body
  std::unique_ptr<app::Task> model_download_;
  bool models_missing_ = false;
  // The face map of gallery_ (null until laid out), and the task laying it out.
  std::shared_ptr<const app::FaceMap> face_map_;
  const IdentityMatcher* face_map_gallery_ = nullptr;  // the gallery face_map_ belongs to
  std::unique_ptr<app::Task> map_task_;
  std::shared_ptr<std::optional<app::FaceMap>> map_result_;  // written by map_task_'s body
  ImVec2 map_pan_{0, 0};
  float map_zoom_ = 1.f;
  bool map_requested_ = false;  // --map: open it once the gallery is loaded
  std::unique_ptr<PhotoAnalyzer> photos_;
  std::vector<std::filesystem::path> photo_files_;  // the batch shown, analysed again on toggles
  std::unique_ptr<FeedRetirer> retired_feeds_;      // old feeds stopping in the background
  std::unique_ptr<LiveFeed> feed_;                  // last: stopped first
  const Snapshot* drawn_snapshot_ = nullptr;        // shown_ of the previous frame (idle rate)

  SnapshotPtr shown_;  // the snapshot on screen
  std::uint64_t last_counted_seq_ = UINT64_MAX;
  bool frozen_ = false;
  OverlayAnimator animator_;
  app::GuestFlow kiosk_;
  KioskExitGate gate_;
  // The kiosk's operator-facing problems (branding config, source faults): logged, never drawn
  // for guests (an operator view may list them).
  std::vector<std::string> kiosk_problems_;
  Texture kiosk_logo_;  // kiosk.logo, loaded once
  bool kiosk_logo_tried_ = false;
  cv::Mat kiosk_logo_image_;  // kiosk_logo_image()
  bool kiosk_logo_read_ = false;
  double kiosk_source_retry_at_ = 0;            // glfw time: a failed source is reopened then
  double kiosk_vitals_at_ = 0;                  // glfw time of the next "kiosk vitals" log line
  std::unique_ptr<AttractLoop> kiosk_attract_;  // kiosk.attract_video, opened on first use
  Texture kiosk_attract_texture_;
  // The result cards' morphs by card id (null: none could be made), made on a Task (the
  // landmark fit needs an engine); entries leave with their cards.
  std::map<std::uint64_t, std::shared_ptr<const app::Morph>> kiosk_morphs_;
  // Their feature shapes (person vs part), from the morph's two landmark sets; same lifetime.
  std::map<std::uint64_t, app::FeatureValues> kiosk_features_;
  std::unique_ptr<app::Task> kiosk_morph_task_;
  // The take-home QR (kiosk_share.cpp): the server (null when off), the cards being published
  // by the task (composed and encoded off the UI thread), and each card's QR code texture
  // (entries leave with their cards).
  std::unique_ptr<app::ShareServer> share_server_;
  std::unique_ptr<app::Task> kiosk_share_task_;
  struct KioskShare {
    std::uint64_t card_id;
    app::PublishedCard published;
    cv::Mat qr;  // BGR
  };
  std::shared_ptr<std::vector<KioskShare>> kiosk_share_result_;  // written by the task's body
  std::map<std::uint64_t, Texture> kiosk_qr_;
  using KioskMorphs = std::vector<std::pair<std::uint64_t, std::shared_ptr<const app::Morph>>>;
  std::shared_ptr<KioskMorphs> kiosk_morph_result_;  // written by kiosk_morph_task_'s body

  std::deque<Toast> toasts_;
  std::optional<std::string> settings_warning_;
  bool save_requested_ = false;
  std::string press_;     // --press: keys still to press (testing hook)
  int pressed_key_ = -1;  // the GLFW key pressed last frame, released this one
  PathPurpose path_purpose_ = PathPurpose::none;
  std::array<char, 1024> path_buffer_{};
  std::array<char, 1024> source_buffer_{};
  std::vector<CameraDevice> cameras_;  // capture devices, listed at start and on "Refresh"

  // Operator window state (operator_window.cpp).
  OperatorViewState operator_view_;
  OperatorLog operator_log_;
  KioskExitGate operator_gate_{""};        // the kiosk PIN guarding the operator's settings
  std::size_t kiosk_problems_logged_ = 0;  // kiosk_problems_ already in operator_log_
  std::string operator_press_;             // --operator-press actions still to do
  std::string source_problem_seen_, gallery_error_seen_;  // last ones logged
  double operator_opened_at_ = 0;                         // glfw time
  ProcessUsage usage_;                                    // memory, read once a second
  double usage_read_at_ = -1;
  const Snapshot* operator_drawn_snapshot_ = nullptr;  // its idle rate (as drawn_snapshot_)
  double operator_drawn_at_ = -1;

  FrameLayout layout_;
  int settled_frames_ = 0;
  double last_frame_time_ = 0;
  std::unique_ptr<BenchRecorder> bench_;  // --bench-json: the UI benchmark's records
};

}  // namespace lookalike::ui

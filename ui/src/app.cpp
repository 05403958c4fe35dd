#include <imgui.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <opencv2/imgcodecs.hpp>
#include <thread>

#include "app_impl.hpp"
#include "gl/gl.hpp"
#include "lookalike/app/default_gallery.hpp"
#include "lookalike/app/install_gallery.hpp"
#include "lookalike/app/install_models.hpp"
#include "lookalike/app_paths.hpp"
#include "lookalike/engine/image_io.hpp"
#include "lookalike/engine/model_paths.hpp"
#include "lookalike/file_util.hpp"
#include "lookalike/stats.hpp"

namespace fs = std::filesystem;

namespace lookalike::ui {
namespace {

constexpr double kToastSeconds = 4.0;
constexpr std::size_t kMaxToasts = 4;
// Display pacing when vsync is not honoured (Xvfb, some drivers): wait for input until the
// next display interval instead of spinning. 60 Hz is the common panel rate.
constexpr double kDisplayInterval = 1.0 / 60.0;
// Idle frame rate (as ImHex): while nothing moves the loop sleeps up to this long; input,
// a new snapshot (LiveFeedOptions::on_snapshot) or a task's progress wake it at once.
constexpr double kIdleWait = 0.25;
// Keep the display rate this long after the last input (hover highlights, opening menus).
constexpr double kInputActiveSeconds = 0.5;
// An overlay box this close to its target (frame pixels) has finished easing.
constexpr float kSettledBoxPx = 0.5f;
// --bench-switches: frames between two source switches.

bool overlay_settling(const OverlayAnimator& animator) {
  for (const AnimatedTrack& t : animator.tracks()) {
    if (!t.alive || t.alpha < 1.f) return true;  // fading in or out
    const cv::Rect2f& to = t.view.box;
    if (std::abs(t.box.x - to.x) + std::abs(t.box.y - to.y) + std::abs(t.box.width - to.width) +
            std::abs(t.box.height - to.height) >
        kSettledBoxPx)
      return true;
  }
  return false;
}

void copy_to(std::array<char, 1024>& buffer, const std::string& text) {
  const std::size_t n = std::min(text.size(), buffer.size() - 1);
  std::copy_n(text.begin(), n, buffer.begin());
  buffer[n] = '\0';
}

// "lookalike-20261206-104500" + `what` + `extension`: saved files sort by time.
std::string timestamp_name(const std::string& what, const std::string& extension) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "lookalike-%Y%m%d-%H%M%S", &tm);
  return buf + what + extension;
}

}  // namespace

App::App(AppOptions options, Settings settings, fs::path settings_path,
         std::optional<std::string> settings_warning, std::vector<std::string> kiosk_problems)
    : options_(std::move(options)),
      settings_(std::move(settings)),
      settings_path_(std::move(settings_path)),
      kiosk_(app::GuestFlowOptions{.dwell_seconds = settings_.kiosk.dwell_seconds,
                                   .hold_seconds = settings_.kiosk.hold_seconds,
                                   .leave_seconds = settings_.kiosk.leave_seconds,
                                   .consent = settings_.kiosk.consent,
                                   .consent_hold_seconds = settings_.kiosk.consent_hold_seconds,
                                   .countdown_seconds = settings_.kiosk.countdown_seconds,
                                   .unique_cast = settings_.kiosk.unique_cast}),
      gate_(settings_.kiosk.pin),
      kiosk_problems_(std::move(kiosk_problems)),
      settings_warning_(std::move(settings_warning)) {
  if (options_.source) settings_.source = *options_.source;
  if (options_.kiosk) mode_ = Mode::kiosk;
  map_requested_ = options_.map;
  press_ = options_.press;

  WindowOptions wo;
  wo.width = options_.width;
  wo.height = options_.height;
  wo.vsync = options_.vsync;
  wo.fullscreen = options_.kiosk;
  wo.ui_scale = settings_.ui_scale;
  const bool operator_window = options_.kiosk && options_.operator_window;
  wo.auto_iconify = !operator_window;  // the guests' screen stays up while the operator works
  window_ = Window::create(wo);
  window_->on_drop([this](std::vector<std::string> paths) { handle_drop(paths); });
  if (operator_window) open_operator_window();
  start_share_server();

  loader_ =
      std::make_unique<GalleryLoader>(app::GalleryLoaderOptions{}, [] { glfwPostEmptyEvent(); });
  retired_feeds_ = std::make_unique<FeedRetirer>([] { glfwPostEmptyEvent(); });
  if (!options_.bench_json.empty())
    bench_ = std::make_unique<BenchRecorder>(options_.bench_switches);
  cameras_ = list_cameras();
  copy_to(source_buffer_, settings_.source);

  try {
    gallery_sources_ = app::load_gallery_sources(app::default_gallery_sources_path());
  } catch (const std::exception& e) {
    gallery_sources_error_ = e.what();
    spdlog::warn("{}", e.what());
  }
  models_missing_ = !fs::is_regular_file(ModelPaths::defaults().recognition_weights);
  // The gallery: --gallery, else the last one used (if it is still there), else the default
  // gallery that `gallery fetch` or the welcome screen's download installed.
  std::string gallery = options_.gallery ? *options_.gallery : settings_.gallery;
  if (!options_.gallery && (gallery.empty() || !fs::exists(gallery)))
    if (const auto fallback = app::default_gallery()) gallery = fallback->string();
  if (!gallery.empty()) open_gallery(gallery);
  start_feed(settings_.source);
  if (settings_warning_) toast(*settings_warning_, true);
  if (!options_.download.empty()) start_gallery_download(options_.download);
  if (!options_.drop.empty()) {
    std::vector<std::string> paths;
    for (const auto& p : options_.drop) paths.push_back(p.string());
    handle_drop(paths);
  }
}

App::~App() {
  // Ordered shutdown: workers first (they may still post to the queue), then GL objects
  // (window still alive), then the window (member order destroys it last).
  retired_feeds_->retire(std::move(feed_));  // stops beside the feeds retired before it
  retired_feeds_.reset();                    // waits for every one of them
  photos_.reset();
  morph_save_.reset();
  kiosk_morph_task_.reset();
  kiosk_share_task_.reset();  // before the share server it publishes to
  download_.reset();
  model_download_.reset();
  map_task_.reset();
  builder_.reset();
  loader_.reset();
  thumbnails_.reset();
  queue_.clear();
  window_->make_current();  // the textures' context (the operator window shares it)
  photo_textures_.clear();
  for (auto& t : kiosk_faces_) t.reset();
  kiosk_logo_.reset();
  kiosk_qr_.clear();
  kiosk_attract_texture_.reset();
  frame_texture_.reset();
  morph_texture_.reset();
  persist_settings();
}

void App::persist_settings() {
  if (mode_ == Mode::kiosk && !settings_.kiosk.allow_saving) return;  // kiosk writes nothing
  if (!options_.screenshot.empty()) return;  // automated runs leave the user's settings alone
  try {
    save_settings(settings_, settings_path_);
  } catch (const std::exception& e) {
    spdlog::warn("settings not saved: {}", e.what());
  }
}

void App::ask_path(PathPurpose purpose) {
  path_purpose_ = purpose;
  path_buffer_[0] = '\0';
}

void App::toast(std::string text, bool error) {
  if (mode_ == Mode::kiosk)
    spdlog::log(error ? spdlog::level::warn : spdlog::level::info, "kiosk (for the operator): {}",
                text);
  if (toasts_.size() >= kMaxToasts) toasts_.pop_front();
  toasts_.push_back({std::move(text), glfwGetTime() + kToastSeconds, error});
}

void App::start_feed(const std::string& spec) {
  // The old pipeline stops in the background: the UI thread never joins it mid-frame.
  retired_feeds_->retire(std::move(feed_));
  shown_.reset();
  animator_.clear();
  frozen_ = false;
  LiveFeedOptions fo;
  fo.source.spec = spec;
  fo.source.playback =
      options_.realtime ? PlaybackMode::realtime : PlaybackMode::as_fast_as_possible;
  fo.source.loop = options_.loop || mode_ == Mode::kiosk;  // a kiosk's video never ends
  fo.search = settings_.search;
  fo.estimate_gender_age = true;  // the live card says how the person looks (an estimate)
  fo.gender_filter = gender_filter();
  fo.detector = settings_.detector;
  fo.on_snapshot = [] { glfwPostEmptyEvent(); };  // wakes the idle loop
  feed_ = std::make_unique<LiveFeed>(fo, gallery_);
}

GenderFilter App::gender_filter() const {
  return settings_.same_gender ? GenderFilter::same : GenderFilter::any;
}

bool App::live_view_mirrored() const {
  return settings_.mirror && feed_ && classify_source_spec(feed_->spec()) == SourceKind::camera;
}

void App::report_kiosk_problem(const std::string& message) {
  if (std::find(kiosk_problems_.begin(), kiosk_problems_.end(), message) != kiosk_problems_.end())
    return;
  kiosk_problems_.push_back(message);
  spdlog::warn("{}", message);
}

const cv::Mat& App::kiosk_logo_image() {
  if (!kiosk_logo_read_) {
    kiosk_logo_read_ = true;
    const std::string& path = settings_.kiosk.logo;
    if (!path.empty()) {
      cv::Mat logo = cv::imread(path, cv::IMREAD_UNCHANGED);
      if (logo.empty() || logo.depth() != CV_8U)
        report_kiosk_problem("kiosk.logo: " + path +
                             " is not an 8-bit PNG or JPEG image; not shown");
      else
        kiosk_logo_image_ = std::move(logo);
    }
  }
  return kiosk_logo_image_;
}

void App::apply_gender_filter() {
  if (photos_) photos_->set_gender_filter(gender_filter());
  if (feed_) feed_->set_gender_filter(gender_filter());
}

void App::open_gallery(const fs::path& path) {
  gallery_error_.clear();
  loader_->load(path);
}

void App::start_gallery_download(const std::string& name) {
  if (download_) {
    toast("A gallery download is already running", true);
    return;
  }
  const app::GallerySource* source = nullptr;
  for (const auto& s : gallery_sources_)
    if (s.name == name) source = &s;
  if (!source) {
    toast("No gallery source named '" + name + "'" +
              (gallery_sources_error_.empty() ? "" : ": " + gallery_sources_error_),
          true);
    return;
  }
  auto installed = std::make_shared<fs::path>();
  downloaded_gallery_ = installed;
  download_ = std::make_unique<app::Task>(
      source->title,
      [source = *source, installed](app::Task::Context& context) {
        const auto result = app::install_gallery(
            source, {}, context.stop(),
            [&](const app::InstallProgress& p) { context.report(p.fraction(), app::describe(p)); });
        if (result.completed) *installed = result.gallery;
        return result.completed;
      },
      [] { glfwPostEmptyEvent(); });
}

void App::start_model_download() {
  if (model_download_) return;
  model_download_ = std::make_unique<app::Task>(
      "face model",
      [](app::Task::Context& context) {
        app::install_models({}, [&](const std::string& line) { context.report(-1, line); });
        return true;
      },
      [] { glfwPostEmptyEvent(); });
}

void App::start_gallery_build(const fs::path& folder) {
  app::FolderBuild build;
  build.folders = {folder};
  build.output = user_gallery_dir() / (folder.filename().string() + ".lkg");
  builder_output_ = build.output;
  builder_ = std::make_unique<app::Task>(
      "gallery build",
      [build = std::move(build)](app::Task::Context& context) {
        const BuildResult result = app::build_gallery_from_folders(
            build, context.stop(),
            [&](const BuildProgress& p) { context.report(p.fraction(), app::describe(p)); });
        if (!result.completed) context.report(-1, app::describe_interrupted(result, build.output));
        return result.completed;
      },
      [] { glfwPostEmptyEvent(); });
}

void App::open_face_map() {
  mode_ = Mode::map;
  settled_frames_ = 0;
  if ((face_map_ && face_map_gallery_ == gallery_.get()) || map_task_) return;
  auto gallery = std::dynamic_pointer_cast<const Gallery>(gallery_);
  if (!gallery) {
    toast("The face map needs a gallery file", true);
    return;
  }
  face_map_.reset();
  face_map_gallery_ = gallery.get();
  map_result_ = std::make_shared<std::optional<app::FaceMap>>();
  map_task_ = std::make_unique<app::Task>(
      "face map",
      [gallery, result = map_result_](app::Task::Context& context) {
        *result = app::load_or_layout_face_map(*gallery, {}, context.stop(), [&](double f) {
          context.report(f, "laying out the face map");
        });
        return result->has_value();
      },
      [] { glfwPostEmptyEvent(); });
}

void App::apply_search_options() {
  if (feed_) feed_->set_search_options(settings_.search);
  if (photos_) photos_->set_search_options(settings_.search);
}

void App::poll_workers() {
  if (auto loaded = loader_->poll()) {
    if (loaded->gallery) {
      gallery_ = loaded->gallery;
      gallery_path_ = loaded->path;
      gallery_model_ = loaded->model_id;
      gallery_error_.clear();
      thumbnails_ = std::make_unique<ThumbnailCache>(gallery_, queue_);
      if (feed_) feed_->set_gallery(gallery_);
      if (photos_) photos_->set_gallery(gallery_);
      settings_.remember_gallery(fs::absolute(loaded->path).string());
      toast("Gallery: " + loaded->path.filename().string() + " (" +
            std::to_string(gallery_->identity_count()) + " people)");
      if (map_requested_ || mode_ == Mode::map) {  // --map, or a new gallery under the map
        map_requested_ = false;
        open_face_map();
      }
    } else {
      gallery_error_ = loaded->error;
      toast(loaded->error, true);
    }
  }
  if (download_ && !download_->running()) {
    const auto status = download_->status();
    if (status.state == app::Task::State::done) {
      toast("Gallery installed: " + downloaded_gallery_->string());
      open_gallery(*downloaded_gallery_);
    } else if (status.state == app::Task::State::failed) {
      toast("Download failed: " + status.error, true);
    } else {
      toast("Download paused; it resumes where it stopped next time");
    }
    download_.reset();
  }
  if (model_download_ && !model_download_->running()) {
    const auto status = model_download_->status();
    if (status.state == app::Task::State::done) {
      models_missing_ = false;
      toast("Face model installed");
      start_feed(settings_.source);  // the pipeline's engines load the new weights
      if (photos_) photos_.reset();
    } else {
      toast("Model download failed: " + status.error, true);
    }
    model_download_.reset();
  }
  if (map_task_ && !map_task_->running()) {
    const auto status = map_task_->status();
    if (status.state == app::Task::State::done && face_map_gallery_ == gallery_.get())
      face_map_ = std::make_shared<const app::FaceMap>(std::move(**map_result_));
    else if (status.state == app::Task::State::failed)
      toast("Face map: " + status.error, true);
    const bool stale = status.state == app::Task::State::done && !face_map_;
    map_task_.reset();
    if (stale && mode_ == Mode::map) open_face_map();  // the gallery changed meanwhile
  }
  if (morph_save_ && !morph_save_->running()) {
    const auto status = morph_save_->status();
    if (status.state == app::Task::State::done)
      toast("Morph saved: " + morph_written_->path.string() +
            (morph_written_->note.empty() ? "" : " (" + morph_written_->note + ")"));
    else if (status.state == app::Task::State::failed)
      toast("Could not save the morph: " + status.error, true);
    else
      toast("Morph not saved (cancelled)");
    morph_save_.reset();
  }
  if (builder_ && !builder_->running()) {
    const auto status = builder_->status();
    if (status.state == app::Task::State::done) {
      toast("Gallery built: " + builder_output_.string());
      open_gallery(builder_output_);
    } else if (status.state == app::Task::State::failed) {
      toast("Gallery build failed: " + status.error, true);
    } else {
      toast(status.text);  // interrupted: says how to resume
    }
    builder_.reset();
  }
}

void App::handle_drop(const std::vector<std::string>& paths) {
  if (mode_ == Mode::kiosk) return;  // kiosk is locked: drops are ignored
  std::vector<fs::path> photos;
  std::vector<std::string> problems;
  for (const auto& text : paths) {
    const fs::path path(text);
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      if (app::looks_like_identity_folders(path)) {
        if (builder_) {
          toast("A gallery is already being built; cancel it first", true);
          continue;
        }
        start_gallery_build(path);
        toast("Building a gallery from " + path.string());
      } else {
        // A plain folder of photos: analyze them.
        for (const auto& entry : fs::directory_iterator(path, ec))
          if (entry.is_regular_file() && has_image_extension(entry.path()))
            photos.push_back(entry.path());
      }
    } else if (path.extension() == ".lkg") {
      open_gallery(path);
    } else {
      photos.push_back(path);  // bad files are reported by the analyzer, per file
    }
  }
  if (photos.empty()) return;
  if (!photos_) {
    PhotoAnalyzerOptions po;
    po.search = settings_.search;
    po.engine.detector.kind = detector_kind_from_string(settings_.detector);
    photos_ = std::make_unique<PhotoAnalyzer>(po, gallery_);
    photos_->set_unique_cast(settings_.unique_cast);
    photos_->set_gender_filter(gender_filter());
    photos_->set_jitter(settings_.photo_jitter);
  }
  std::sort(photos.begin(), photos.end());
  photo_files_ = photos;
  photos_->submit(std::move(photos));
  if (mode_ != Mode::photo) previous_mode_ = mode_;
  mode_ = Mode::photo;
  settled_frames_ = 0;
}

void App::handle_keys() {
  ImGuiIO& io = ImGui::GetIO();
  if (mode_ == Mode::kiosk) {
    // Leaving kiosk: Ctrl+Shift+Q, then the PIN and Enter. Nothing else works.
    if (io.KeyCtrl && io.KeyShift && ImGui::IsKeyPressed(GLFW_KEY_Q, false)) gate_.chord();
    if (gate_.prompting()) {
      for (int d = 0; d <= 9; ++d)
        if (ImGui::IsKeyPressed(GLFW_KEY_0 + d, false) ||
            ImGui::IsKeyPressed(GLFW_KEY_KP_0 + d, false))
          gate_.type(static_cast<char>('0' + d));
      if (ImGui::IsKeyPressed(GLFW_KEY_BACKSPACE)) gate_.backspace();
      if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) gate_.cancel();
      if (ImGui::IsKeyPressed(GLFW_KEY_ENTER, false) ||
          ImGui::IsKeyPressed(GLFW_KEY_KP_ENTER, false))
        gate_.submit();
    }
    // The consent screen: yes by Space, Enter, Y, a click or a touch; no by Esc or N.
    if (!gate_.prompting() && kiosk_.state() == app::GuestState::consent) {
      const auto now = Clock::now();
      if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false) || ImGui::IsKeyPressed(GLFW_KEY_N, false))
        kiosk_.decline(now);
      else if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false) ||
               ImGui::IsKeyPressed(GLFW_KEY_ENTER, false) ||
               ImGui::IsKeyPressed(GLFW_KEY_KP_ENTER, false) ||
               ImGui::IsKeyPressed(GLFW_KEY_Y, false) || ImGui::IsMouseClicked(0))
        kiosk_.accept(now);
    }
    // Result cards only when the operator enabled saving (save_result_card says so otherwise).
    if (!gate_.prompting() && ImGui::IsKeyPressed(GLFW_KEY_S, false)) save_requested_ = true;
    if (gate_.unlocked()) {
      mode_ = Mode::live;
      gate_ = KioskExitGate(settings_.kiosk.pin);
      window_->set_fullscreen(false);
      toast("Left kiosk mode");
    }
    return;
  }
  if (io.WantTextInput) return;  // typing a path: keys belong to the text field
  if (ImGui::IsKeyPressed(GLFW_KEY_F11, false)) window_->set_fullscreen(!window_->fullscreen());
  if (ImGui::IsKeyPressed(GLFW_KEY_TAB, false)) settings_.show_panel = !settings_.show_panel;
  if (ImGui::IsKeyPressed(GLFW_KEY_S, false)) save_requested_ = true;
  if (ImGui::IsKeyPressed(GLFW_KEY_V, false) && mode_ == Mode::photo) {
    // The face last pointed at, else the first face that has a morph.
    std::shared_ptr<const app::Morph> morph = morph_selected_;
    if (const auto batch = photos_ ? photos_->latest() : nullptr; batch && !morph)
      for (const auto& photo : batch->photos)
        for (const auto& face : photo.faces)
          if (!morph) morph = face.morph;
    if (morph)
      start_morph_save(std::move(morph), io.KeyShift);
    else
      toast("No morph to save: drop a photo with a face (and open a gallery)", true);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_M, false) && gallery_) {
    if (mode_ == Mode::map)
      mode_ = Mode::live;
    else
      open_face_map();
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false) && mode_ == Mode::live) {
    frozen_ = !frozen_;
    if (feed_) feed_->set_paused(frozen_);
  }
  if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) {
    if (path_purpose_ != PathPurpose::none)
      path_purpose_ = PathPurpose::none;
    else if (mode_ == Mode::photo || mode_ == Mode::map)
      mode_ = Mode::live;
    else if (window_->fullscreen())
      window_->set_fullscreen(false);
    else if (frozen_) {
      frozen_ = false;
      if (feed_) feed_->set_paused(false);
    }
  }
}

void App::save_result_card(const cv::Mat& pixels) {
  if (mode_ == Mode::kiosk && !settings_.kiosk.allow_saving) {
    toast("Saving is disabled in kiosk mode", true);
    return;
  }
  const fs::path path = result_card_dir(settings_) / timestamp_name("", ".png");
  try {
    cv::Mat card = pixels;
    if (mode_ != Mode::photo && layout_.frame.width() > 0) {
      // Live: the card is the camera area with its overlay, without panels.
      const ImVec2 fb = ImGui::GetIO().DisplayFramebufferScale;
      cv::Rect r(static_cast<int>(layout_.frame.min.x * fb.x),
                 static_cast<int>(layout_.frame.min.y * fb.y),
                 static_cast<int>(layout_.frame.width() * fb.x),
                 static_cast<int>(layout_.frame.height() * fb.y));
      r &= cv::Rect(0, 0, pixels.cols, pixels.rows);
      if (!r.empty()) card = pixels(r);
    }
    write_png_atomically(path, card);
    toast("Saved " + path.string());
  } catch (const std::exception& e) {
    toast(std::string("Could not save the result card: ") + e.what(), true);
  }
}

void App::start_morph_save(std::shared_ptr<const app::Morph> morph, bool strip) {
  if (mode_ == Mode::kiosk && !settings_.kiosk.allow_saving) {
    toast("Saving is disabled in kiosk mode", true);
    return;
  }
  if (morph_save_) {
    toast("A morph is being saved; wait for it or cancel it", true);
    return;
  }
  const fs::path path =
      result_card_dir(settings_) / timestamp_name("-morph", strip ? ".png" : ".mp4");
  auto written = std::make_shared<app::MorphWritten>();
  morph_written_ = written;
  morph_save_ = std::make_unique<app::Task>(
      "save morph",
      [morph = std::move(morph), path, written](app::Task::Context& context) {
        app::MorphWriteOptions options;
        options.strip_if_no_video = true;
        const auto result = app::write_morph(*morph, path, options, context.stop(), [&](double f) {
          context.report(f, "writing " + path.filename().string());
        });
        if (result) *written = *result;
        return result.has_value();
      },
      [] { glfwPostEmptyEvent(); });
}

void App::press_scripted_key() {
  ImGuiIO& io = ImGui::GetIO();
  if (pressed_key_ >= 0) {  // released the frame after it was pressed
    io.KeysDown[pressed_key_] = false;
    io.KeyShift = false;
    pressed_key_ = -1;
    return;
  }
  if (press_.empty() || settled_frames_ < 1) return;
  const char c = press_.front();
  press_.erase(0, 1);
  if (c >= 'a' && c <= 'z') pressed_key_ = GLFW_KEY_A + (c - 'a');
  if (c >= 'A' && c <= 'Z') pressed_key_ = GLFW_KEY_A + (c - 'A');
  if (c >= '0' && c <= '9') pressed_key_ = GLFW_KEY_0 + (c - '0');
  if (pressed_key_ < 0) return;
  io.KeysDown[pressed_key_] = true;  // as the GLFW backend's key callback sets it
  io.KeyShift = c >= 'A' && c <= 'Z';
}

Rect App::central_area() const {
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  Rect r{vp->WorkPos, {vp->WorkPos.x + vp->WorkSize.x, vp->WorkPos.y + vp->WorkSize.y}};
  if (mode_ == Mode::kiosk) return r;
  const float s = window_->scale();
  r.max.y -= ImGui::GetFrameHeight() + 6 * s;  // status bar
  if (settings_.show_panel) r.max.x -= 340 * s;
  return r;
}

bool App::awaited_state_reached() const {
  if (mode_ != Mode::kiosk) {
    if (options_.exit_when_named <= 0) return true;
    if (!shown_) return false;
    const auto named = std::count_if(shown_->tracks.begin(), shown_->tracks.end(),
                                     [](const TrackView& t) { return t.named(); });
    return named >= options_.exit_when_named;
  }
  if (!options_.exit_when_kiosk_state.empty() &&
      layout_.kiosk_state != options_.exit_when_kiosk_state)
    return false;
  const int wanted = options_.exit_when_kiosk_cards;
  if (wanted <= 0) return true;
  const auto& morphs = layout_.kiosk_morph_t;  // this frame's cards (-1: no morph shown yet)
  return layout_.kiosk_cards >= wanted &&
         (!settings_.kiosk.morph ||
          std::all_of(morphs.begin(), morphs.end(), [](double t) { return t >= 0; })) &&
         (!share_server_ || layout_.kiosk_shares >= layout_.kiosk_cards);  // their QR codes
}

bool App::settled_frame() {
  switch (mode_) {
    case Mode::photo: {
      auto batch = photos_ ? photos_->latest() : nullptr;
      return batch && batch->done && !morph_save_;
    }
    case Mode::map:
      if (map_task_ || map_requested_ || !face_map_) return false;  // still laying it out
      [[fallthrough]];  // then: new source frames, as in live mode
    case Mode::live:
    case Mode::kiosk:
      // a gallery is being downloaded, built or loaded
      if (builder_ || download_ || model_download_ || loader_->busy()) return false;
      if (feed_ && feed_->state() != LiveFeed::State::failed) {
        if (!shown_) return false;
        if (shown_->status == SourceStatus::ended || shown_->status == SourceStatus::failed)
          return true;
        if (shown_->seq == last_counted_seq_) return false;
        last_counted_seq_ = shown_->seq;
        return true;
      }
      return true;  // nothing live to wait for (no camera): count rendered frames
  }
  return true;
}

bool App::something_moves() const {
  if (mode_ == Mode::kiosk) return true;  // attract screen and card timers run continuously
  if (shown_.get() != drawn_snapshot_) return true;  // a new snapshot was drawn
  if (!frozen_ && overlay_settling(animator_)) return true;
  if (!toasts_.empty() || queue_.pending() > 0) return true;
  if (window_->seconds_since_input() < kInputActiveSeconds || ImGui::GetIO().WantTextInput)
    return true;
  if (operator_ && operator_->seconds_since_input() < kInputActiveSeconds) return true;
  // Running work (progress bars, results about to appear).
  if (loader_->busy() || builder_ || download_ || model_download_ || map_task_ || morph_save_)
    return true;
  if (!press_.empty() || pressed_key_ >= 0) return true;
  if (mode_ == Mode::photo && photos_) {
    const auto batch = photos_->latest();
    if (!batch || !batch->done) return true;
  }
  return bench_ && bench_->switches_pending();
}

ScreenshotState App::screenshot_state() const {
  ScreenshotState state;
  state.mode = mode_ == Mode::live    ? "live"
               : mode_ == Mode::photo ? "photo"
               : mode_ == Mode::map   ? "map"
                                      : "kiosk";
  state.seq = shown_ ? static_cast<std::int64_t>(shown_->seq) : -1;
  state.gallery = gallery_path_.string();
  state.gallery_identities = gallery_ ? gallery_->identity_count() : 0;
  state.operator_window = operator_ != nullptr;
  return state;
}

int App::run() {
  using clock = std::chrono::steady_clock;
  const auto started = clock::now();
  double next_deadline = glfwGetTime();
  int exit_code = 0;
  bool idle = false;
  while (true) {
    if (window_->should_close()) {
      if (mode_ != Mode::kiosk) break;
      // A kiosk never closes by itself (a window manager's close, a stray Alt+F4): leaving
      // is Ctrl+Shift+Q and the PIN.
      spdlog::warn("kiosk: window close ignored; leave with Ctrl+Shift+Q and the PIN");
      glfwSetWindowShouldClose(window_->handle(), GLFW_FALSE);
    }
    const double now = glfwGetTime();
    const double wait = idle ? kIdleWait : std::max(0.0, next_deadline - now);
    press_scripted_key();
    operator_scripted_action();
    window_->begin_frame(wait > 0.001 ? wait : 0.0);
    next_deadline = std::max(next_deadline + kDisplayInterval, glfwGetTime());
    const auto frame_start = clock::now();
    queue_.drain();  // deferred main-thread work: texture uploads and frees
    retired_feeds_->collect();
    poll_workers();
    // The benchmark's switches happen where the source menu does them: in a frame, on this
    // thread.
    if (bench_ && bench_->switch_now(shown_ != nullptr))
      start_feed(feed_ ? feed_->spec() : settings_.source);
    handle_keys();

    layout_ = {};
    if (mode_ != Mode::kiosk) draw_menu_bar();
    const Rect area = central_area();
    switch (mode_) {
      case Mode::live:
        draw_live(area, true);
        break;
      case Mode::photo:
        draw_photo(area);
        break;
      case Mode::kiosk:
        if (kiosk_.paused())
          draw_kiosk_paused(area);
        else
          draw_kiosk(area);
        break;
      case Mode::map:
        draw_map(area);
        break;
    }
    if (mode_ != Mode::kiosk) {
      if (settings_.show_panel) draw_side_panel();
      draw_status_bar();
      draw_path_dialog();
    } else {
      draw_kiosk_gate();
    }
    // Notices are the operator's: guests in front of a kiosk never see them (toast() logs
    // them in kiosk mode).
    if (mode_ != Mode::kiosk) draw_toasts();
    window_->render();

    auto ms_since = [&](clock::time_point t) {
      return std::chrono::duration<double, std::milli>(clock::now() - t).count();
    };
    if (bench_) {
      const double cpu_ms = ms_since(frame_start);
      glFinish();  // count the rasterization too (llvmpipe renders on the CPU)
      bench_->frame(cpu_ms, ms_since(frame_start));
    }
    const bool settled = settled_frame();
    if (settled) ++settled_frames_;
    if (bench_ && settled && shown_ && mode_ != Mode::photo)
      bench_->source_frame_shown(shown_->seq, glfwGetTime());
    const bool timed_out =
        options_.exit_after_frames > 0 &&
        std::chrono::duration<double>(clock::now() - started).count() > options_.exit_timeout_s;
    const bool done = options_.exit_after_frames > 0 &&
                      settled_frames_ >= options_.exit_after_frames && awaited_state_reached();
    if (save_requested_ || ((done || timed_out) && !options_.screenshot.empty())) {
      const cv::Mat pixels = window_->read_back();  // back buffer, before the swap
      if (save_requested_) save_result_card(pixels);
      save_requested_ = false;
      if ((done || timed_out) && !options_.screenshot.empty()) {
        try {
          write_screenshot(options_.screenshot, pixels, layout_, screenshot_state(),
                           ImGui::GetIO().DisplayFramebufferScale);
        } catch (const std::exception& e) {
          spdlog::error("screenshot: {}", e.what());
          exit_code = 1;
        }
      }
    }
    window_->swap();
    if (!draw_operator_window(done || timed_out)) exit_code = 1;
    if (bench_) bench_->whole_frame(ms_since(frame_start));  // switch, build, draw, swap
    idle = !something_moves();
    drawn_snapshot_ = shown_.get();
    if (done || timed_out) {
      if (timed_out && !done) {
        spdlog::error(
            "--exit-after-frames: {} of {} frames settled, {} of {} kiosk cards up and kiosk "
            "state '{}' (wanted '{}') within {} s",
            settled_frames_, options_.exit_after_frames, layout_.kiosk_cards,
            options_.exit_when_kiosk_cards, layout_.kiosk_state, options_.exit_when_kiosk_state,
            options_.exit_timeout_s);
        exit_code = 3;
      }
      break;
    }
  }
  if (bench_) {
    try {
      bench_->write(options_.bench_json, feed_ ? feed_->source_fps() : 0.0);
    } catch (const std::exception& e) {
      spdlog::error("bench: {}", e.what());
    }
  }
  return exit_code;
}

int run_app(const AppOptions& options) {
  const fs::path config = options.config.empty() ? default_settings_path() : options.config;
  auto loaded = load_settings(config);
  if (auto why = why_not_writable(config.parent_path())) {
    // The app runs on; the user learns now, not when a change is lost at exit.
    const std::string note = "Settings will not be saved: " + *why;
    spdlog::warn("{}", note);
    loaded.warning = loaded.warning ? *loaded.warning + "\n" + note : note;
  }
  try {
    App app(options, loaded.settings, config, loaded.warning, loaded.kiosk_problems);
    return app.run();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 2;
  }
}

}  // namespace lookalike::ui

#include "gl/window.hpp"

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <vector>

#include "gl/gl.hpp"

namespace lookalike::ui {
namespace {

void glfw_error(int code, const char* description) {
  spdlog::debug("GLFW error {}: {}", code, description);
}

// Latin with extensions (names like "Schröder", "Dvořák"), punctuation and arrows.
const ImWchar kTextRanges[] = {0x0020, 0x00FF, 0x0100, 0x024F, 0x2010, 0x2027,
                               0x2190, 0x2193, 0x25CF, 0x25CF, 0};
const ImWchar kDisplayRanges[] = {0x0020, 0x00FF, 0x2026, 0x2026, 0};

// The window icon, drawn here (no image file to ship): a dark rounded tile with the overlay's
// teal face-box corners.
void set_icon(GLFWwindow* window) {
  constexpr int kSide = 64;
  std::vector<unsigned char> px(kSide * kSide * 4);
  for (int y = 0; y < kSide; ++y)
    for (int x = 0; x < kSide; ++x) {
      unsigned char* p = &px[(y * kSide + x) * 4];
      const int cx = std::min(x, kSide - 1 - x), cy = std::min(y, kSide - 1 - y);
      const bool outside_round =
          cx < 10 && cy < 10 && (10 - cx) * (10 - cx) + (10 - cy) * (10 - cy) > 100;
      const bool bracket = (cx >= 12 && cx < 17 && cy >= 12 && cy < 28) ||
                           (cy >= 12 && cy < 17 && cx >= 12 && cx < 28);
      p[0] = bracket ? 51 : 22;
      p[1] = bracket ? 196 : 25;
      p[2] = bracket ? 176 : 31;
      p[3] = outside_round ? 0 : 255;
    }
  GLFWimage image{kSide, kSide, px.data()};
  glfwSetWindowIcon(window, 1, &image);
}

// Windows alive: GLFW is terminated with the last one.
int g_live_windows = 0;

std::string last_glfw_error() {
  const char* description = nullptr;
  glfwGetError(&description);
  return description ? description : "unknown GLFW error";
}

}  // namespace

std::unique_ptr<Window> Window::create(const WindowOptions& options) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit())
    throw std::runtime_error("cannot start the window system (" + last_glfw_error() +
                             "); is DISPLAY set? Headless: run under xvfb-run");
  std::unique_ptr<Window> w(new Window());
  ++g_live_windows;  // from here on the destructor terminates GLFW with the last window
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  glfwWindowHint(GLFW_SCALE_TO_MONITOR, GLFW_TRUE);  // HiDPI: logical size x content scale
  glfwWindowHint(GLFW_AUTO_ICONIFY, options.auto_iconify ? GLFW_TRUE : GLFW_FALSE);
  float monitor_scale = 1.f;
  if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) {
    float sx = 1.f, sy = 1.f;
    glfwGetMonitorContentScale(monitor, &sx, &sy);
    monitor_scale = std::max(1.f, std::max(sx, sy));
  }
  w->window_ = glfwCreateWindow(options.width, options.height, options.title.c_str(), nullptr,
                                options.share ? options.share->window_ : nullptr);
  if (!w->window_)
    throw std::runtime_error("cannot create an OpenGL 3.3 window (" + last_glfw_error() + ")");
  glfwSetWindowUserPointer(w->window_, w.get());
  set_icon(w->window_);
  glfwMakeContextCurrent(w->window_);
  glfwSwapInterval(options.vsync ? 1 : 0);
  glfwSetDropCallback(w->window_, &Window::drop_callback);
  glfwSetWindowSizeLimits(w->window_, 640, 400, GLFW_DONT_CARE, GLFW_DONT_CARE);
  if (options.prefer_secondary_monitor) w->place_on_secondary_monitor();
  w->scale_ = monitor_scale * options.ui_scale;

  IMGUI_CHECKVERSION();
  ImGuiContext* context = ImGui::CreateContext();
  ImGui::SetCurrentContext(context);
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // layout is fixed; settings live in settings.toml
  io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
  // Our own callbacks feed the backend (install_input_callbacks): its own ones would feed
  // whichever ImGui context is current when GLFW polls, wrong for a second window.
  ImGui_ImplGlfw_InitForOpenGL(w->window_, false);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  w->imgui_ = context;
  w->install_input_callbacks();
  w->apply_theme();
  w->load_fonts();
  if (options.fullscreen) w->set_fullscreen(true);
  spdlog::info("window '{}': OpenGL {} ({}), scale {:.2f}", options.title,
               reinterpret_cast<const char*>(glGetString(GL_VERSION)),
               reinterpret_cast<const char*>(glGetString(GL_RENDERER)), w->scale_);
  return w;
}

Window::~Window() {
  // A second window going away hands the contexts back to the one that was drawing.
  GLFWwindow* previous_gl = glfwGetCurrentContext();
  ImGuiContext* previous_imgui = ImGui::GetCurrentContext();
  if (imgui_) {
    make_current();  // the backends free their GL objects in this context
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext(imgui_);
  }
  if (window_) glfwDestroyWindow(window_);
  if (previous_gl && previous_gl != window_) glfwMakeContextCurrent(previous_gl);
  ImGui::SetCurrentContext(previous_imgui != imgui_ ? previous_imgui : nullptr);
  if (--g_live_windows == 0) glfwTerminate();
}

void Window::make_current() const {
  glfwMakeContextCurrent(window_);
  ImGui::SetCurrentContext(imgui_);
}

void Window::place_on_secondary_monitor() {
  int count = 0;
  GLFWmonitor** monitors = glfwGetMonitors(&count);
  GLFWmonitor* primary = glfwGetPrimaryMonitor();
  for (int i = 0; i < count; ++i) {
    if (monitors[i] == primary) continue;
    int x = 0, y = 0, width = 0, height = 0;
    glfwGetMonitorWorkarea(monitors[i], &x, &y, &width, &height);
    glfwSetWindowPos(window_, x, y);
    glfwSetWindowSize(window_, width, height);
    spdlog::info("window: on monitor '{}'", glfwGetMonitorName(monitors[i]));
    return;
  }
}

void Window::drop_callback(GLFWwindow* window, int count, const char** paths) {
  auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window));
  if (!self || !self->drop_handler_) return;
  std::vector<std::string> list(paths, paths + count);
  self->drop_handler_(std::move(list));
}

template <class Forward>
void Window::route_input(GLFWwindow* window, Forward&& forward) {
  auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window));
  if (!self) return;
  self->last_input_ = glfwGetTime();
  ImGuiContext* previous = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(self->imgui_);
  forward();
  ImGui::SetCurrentContext(previous);
}

void Window::install_input_callbacks() {
  // Every event stamps the time (idle frame rate); those ImGui uses go on to the backend with
  // this window's ImGui context current. The backend reads the cursor position itself.
  last_input_ = glfwGetTime();
  glfwSetKeyCallback(window_, [](GLFWwindow* w, int key, int scancode, int action, int mods) {
    route_input(w, [&] { ImGui_ImplGlfw_KeyCallback(w, key, scancode, action, mods); });
  });
  glfwSetCharCallback(window_, [](GLFWwindow* w, unsigned int c) {
    route_input(w, [&] { ImGui_ImplGlfw_CharCallback(w, c); });
  });
  glfwSetMouseButtonCallback(window_, [](GLFWwindow* w, int button, int action, int mods) {
    route_input(w, [&] { ImGui_ImplGlfw_MouseButtonCallback(w, button, action, mods); });
  });
  glfwSetScrollCallback(window_, [](GLFWwindow* w, double x, double y) {
    route_input(w, [&] { ImGui_ImplGlfw_ScrollCallback(w, x, y); });
  });
  glfwSetCursorEnterCallback(window_, [](GLFWwindow* w, int entered) {
    route_input(w, [&] { ImGui_ImplGlfw_CursorEnterCallback(w, entered); });
  });
  glfwSetWindowFocusCallback(window_, [](GLFWwindow* w, int focused) {
    route_input(w, [&] { ImGui_ImplGlfw_WindowFocusCallback(w, focused); });
  });
  glfwSetCursorPosCallback(window_, [](GLFWwindow* w, double, double) { stamp_input(w); });
  glfwSetFramebufferSizeCallback(window_, [](GLFWwindow* w, int, int) { stamp_input(w); });
  glfwSetWindowRefreshCallback(window_, [](GLFWwindow* w) { stamp_input(w); });
}

void Window::stamp_input(GLFWwindow* window) {
  if (auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window)))
    self->last_input_ = glfwGetTime();
}

double Window::seconds_since_input() const {
  return glfwGetTime() - last_input_;
}

void Window::load_fonts() {
  ImGuiIO& io = ImGui::GetIO();
  const std::string dir = kFontDir;
  auto add = [&](const char* file, float size, const ImWchar* ranges = kTextRanges) -> ImFont* {
    const std::string path = dir + file;
    if (!std::filesystem::exists(path)) {
      spdlog::warn("font {} not found (install fonts-dejavu-core); using ImGui's default", path);
      ImFontConfig config;
      config.SizePixels = size;
      return io.Fonts->AddFontDefault(&config);
    }
    ImFontConfig config;
    config.OversampleH = 2;
    config.OversampleV = 1;
    return io.Fonts->AddFontFromFileTTF(path.c_str(), size, &config, ranges);
  };
  const float s = scale_;
  fonts_.regular = add("DejaVuSans.ttf", 16.f * s);
  fonts_.bold = add("DejaVuSans-Bold.ttf", 17.f * s);
  fonts_.mono = add("DejaVuSansMono.ttf", 14.f * s);
  fonts_.large = add("DejaVuSans-Bold.ttf", 40.f * s);
  fonts_.huge = add("DejaVuSans-Bold.ttf", 72.f * s, kDisplayRanges);
  io.FontDefault = fonts_.regular;
}

void Window::apply_theme() {
  ImGui::StyleColorsDark();
  ImGuiStyle& st = ImGui::GetStyle();
  st.WindowRounding = 8.f;
  st.ChildRounding = 8.f;
  st.FrameRounding = 5.f;
  st.PopupRounding = 6.f;
  st.GrabRounding = 5.f;
  st.ScrollbarRounding = 8.f;
  st.TabRounding = 5.f;
  st.WindowBorderSize = 0.f;
  st.FrameBorderSize = 0.f;
  st.WindowPadding = {14, 12};
  st.FramePadding = {9, 5};
  st.ItemSpacing = {9, 7};
  st.ItemInnerSpacing = {7, 5};
  st.ScrollbarSize = 12.f;
  ImVec4* c = st.Colors;
  const ImVec4 accent{0.20f, 0.74f, 0.67f, 1.f};  // teal, the overlay's "match" colour
  c[ImGuiCol_WindowBg] = {0.085f, 0.090f, 0.105f, 0.97f};
  c[ImGuiCol_ChildBg] = {0.11f, 0.115f, 0.135f, 1.f};
  c[ImGuiCol_PopupBg] = {0.10f, 0.105f, 0.12f, 0.98f};
  c[ImGuiCol_MenuBarBg] = {0.07f, 0.075f, 0.09f, 1.f};
  c[ImGuiCol_FrameBg] = {0.16f, 0.17f, 0.20f, 1.f};
  c[ImGuiCol_FrameBgHovered] = {0.21f, 0.22f, 0.26f, 1.f};
  c[ImGuiCol_FrameBgActive] = {0.24f, 0.26f, 0.30f, 1.f};
  c[ImGuiCol_Header] = {0.18f, 0.20f, 0.24f, 1.f};
  c[ImGuiCol_HeaderHovered] = {0.22f, 0.36f, 0.36f, 1.f};
  c[ImGuiCol_HeaderActive] = {0.20f, 0.50f, 0.47f, 1.f};
  c[ImGuiCol_Button] = {0.17f, 0.19f, 0.22f, 1.f};
  c[ImGuiCol_ButtonHovered] = {0.20f, 0.45f, 0.43f, 1.f};
  c[ImGuiCol_ButtonActive] = {0.18f, 0.58f, 0.53f, 1.f};
  c[ImGuiCol_CheckMark] = accent;
  c[ImGuiCol_SliderGrab] = accent;
  c[ImGuiCol_SliderGrabActive] = {0.30f, 0.85f, 0.78f, 1.f};
  c[ImGuiCol_PlotHistogram] = accent;
  c[ImGuiCol_Separator] = {0.22f, 0.23f, 0.27f, 1.f};
  c[ImGuiCol_Text] = {0.90f, 0.91f, 0.93f, 1.f};
  c[ImGuiCol_TextDisabled] = {0.52f, 0.54f, 0.58f, 1.f};
  c[ImGuiCol_TitleBg] = c[ImGuiCol_TitleBgActive] = {0.07f, 0.075f, 0.09f, 1.f};
  c[ImGuiCol_ModalWindowDimBg] = {0.f, 0.f, 0.f, 0.55f};
  st.ScaleAllSizes(scale_);
}

bool Window::should_close() const {
  return glfwWindowShouldClose(window_);
}
void Window::request_close() {
  glfwSetWindowShouldClose(window_, GLFW_TRUE);
}

void Window::begin_frame(double timeout_s) {
  make_current();
  if (timeout_s > 0)
    glfwWaitEventsTimeout(timeout_s);
  else
    glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

void Window::render() {
  ImGui::Render();
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  glViewport(0, 0, w, h);
  glClearColor(0.045f, 0.05f, 0.06f, 1.f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Window::swap() {
  glfwSwapBuffers(window_);
}

cv::Size Window::framebuffer_size() const {
  int w = 0, h = 0;
  glfwGetFramebufferSize(window_, &w, &h);
  return {w, h};
}

cv::Mat Window::read_back() const {
  const cv::Size size = framebuffer_size();
  cv::Mat rgba(size, CV_8UC4);
  // Read the back buffer (what was just drawn): under Xvfb the front buffer reads black.
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, size.width, size.height, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data);
  cv::Mat bgr;
  cv::cvtColor(rgba, bgr, cv::COLOR_RGBA2BGR);
  cv::flip(bgr, bgr, 0);  // GL rows are bottom-up
  return bgr;
}

void Window::set_fullscreen(bool fullscreen) {
  if (fullscreen == fullscreen_) return;
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  if (fullscreen && monitor) {
    glfwGetWindowPos(window_, &windowed_x_, &windowed_y_);
    glfwGetWindowSize(window_, &windowed_w_, &windowed_h_);
    const GLFWvidmode* mode = glfwGetVideoMode(monitor);
    glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
    fullscreen_ = true;
  } else if (!fullscreen) {
    glfwSetWindowMonitor(window_, nullptr, windowed_x_, windowed_y_,
                         windowed_w_ > 0 ? windowed_w_ : 1280, windowed_h_ > 0 ? windowed_h_ : 720,
                         0);
    fullscreen_ = false;
  }
}

}  // namespace lookalike::ui

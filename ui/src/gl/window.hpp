// Window: the GLFW window, its OpenGL 3.3 core context and the Dear ImGui context with the
// GLFW + OpenGL3 backends, fonts and theme.
//
// Contract: main thread only. Several may live at once (the kiosk's guest and operator
// windows): each has its own ImGui context (fonts, input, backend data), and a window created
// with WindowOptions::share shares the other's OpenGL objects, so one camera texture draws in
// both. GLFW delivers every window's input from one event poll; each window's callbacks make
// its own ImGui context current while they feed the backend, so input reaches the right UI.
// begin_frame() makes this window's GL and ImGui contexts current; everything up to swap()
// draws into it. GLFW is initialised with the first window and terminated with the last.
// create() throws std::runtime_error saying what failed (no display, no OpenGL 3.3). Frame protocol
// per display frame: begin_frame() (poll events, ImGui::NewFrame), build the UI, render()
// (ImGui::Render + GL draw into the back buffer), optionally read_back(), then swap().
// begin_frame() sleeps in glfwWaitEventsTimeout until input, glfwPostEmptyEvent (any thread:
// workers wake the loop with it) or the timeout. seconds_since_input() tells the idle frame rate
// when the user last did something (keys, mouse, scroll, focus, resize, expose). The destructor
// shuts ImGui down and destroys the window; every Texture must be gone before the last window goes.
// Destroying a second window restores the GL and ImGui contexts that were current before.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

struct GLFWwindow;
struct ImFont;
struct ImGuiContext;

namespace lookalike::ui {

struct WindowOptions {
  int width = 1280;  // logical size (scaled by the monitor content scale)
  int height = 720;
  std::string title = "Lookalike";
  bool fullscreen = false;
  bool vsync = true;
  float ui_scale = 1.0f;  // multiplies the monitor's content scale
  // Share this window's OpenGL objects (textures); null: a context of its own.
  const class Window* share = nullptr;
  // Open on a monitor other than the primary one when there is one, filling its work area
  // (the kiosk operator's screen); else a normal window where the window manager puts it.
  bool prefer_secondary_monitor = false;
  // A fullscreen window minimises itself when it loses focus (GLFW's default); the kiosk's
  // guest window must stay up while the operator works in the other window.
  bool auto_iconify = true;
};

struct Fonts {
  ImFont* regular = nullptr;  // body text
  ImFont* bold = nullptr;     // names
  ImFont* large = nullptr;    // kiosk names and titles
  ImFont* huge = nullptr;     // kiosk percentages
  ImFont* mono = nullptr;     // status bar numbers
};

// The font files the UI uses (Debian package fonts-dejavu-core).
inline constexpr const char* kFontDir = "/usr/share/fonts/truetype/dejavu/";

class Window {
 public:
  static std::unique_ptr<Window> create(const WindowOptions& options);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool should_close() const;
  void request_close();
  // This window's GL and ImGui contexts become the current ones.
  void make_current() const;
  // Makes this window current, waits for an event at most `timeout_s` (0 = just poll), then
  // starts an ImGui frame.
  void begin_frame(double timeout_s);
  double seconds_since_input() const;
  void render();
  void swap();
  // The back buffer as BGR, bottom-up rows flipped (call after render(), before swap()).
  cv::Mat read_back() const;
  cv::Size framebuffer_size() const;

  void set_fullscreen(bool fullscreen);
  bool fullscreen() const { return fullscreen_; }
  float scale() const { return scale_; }  // content scale x ui_scale: multiply sizes by it
  const Fonts& fonts() const { return fonts_; }
  GLFWwindow* handle() const { return window_; }
  // Called (main thread, inside begin_frame's event polling) with the dropped paths.
  void on_drop(std::function<void(std::vector<std::string>)> handler) {
    drop_handler_ = std::move(handler);
  }

 private:
  Window() = default;
  void load_fonts();
  void apply_theme();
  static void drop_callback(GLFWwindow* window, int count, const char** paths);
  void install_input_callbacks();  // before ImGui's, which chain to them
  static void stamp_input(GLFWwindow* window);
  // Stamps the input time and runs `forward` with the window's ImGui context current.
  template <class Forward>
  static void route_input(GLFWwindow* window, Forward&& forward);
  void place_on_secondary_monitor();

  double last_input_ = 0;  // glfwGetTime() of the last user event
  GLFWwindow* window_ = nullptr;
  ImGuiContext* imgui_ = nullptr;  // set once the backends are initialised
  bool fullscreen_ = false;
  int windowed_x_ = 0, windowed_y_ = 0, windowed_w_ = 0, windowed_h_ = 0;
  float scale_ = 1.f;
  Fonts fonts_;
  std::function<void(std::vector<std::string>)> drop_handler_;
};

}  // namespace lookalike::ui

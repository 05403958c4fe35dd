# Glue for the system packages Lookalike builds against. Everything comes from Debian 12's apt
# (third_party/install-packages installs it); nothing is vendored. Each dependency is exposed
# as an imported target so the rest of the build never touches raw flags.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(OpenCV 4 REQUIRED COMPONENTS core imgproc imgcodecs videoio dnn objdetect highgui)
find_package(dlib 19.24 REQUIRED)
find_package(dnnl REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(OpenMP REQUIRED)
pkg_check_modules(tomlplusplus REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(matio REQUIRED IMPORTED_TARGET matio)
find_package(CURL REQUIRED)
# GIF photos (first frame): OpenCV 4.6 has no GIF reader.
find_package(GIF 5 REQUIRED)
# The declared size of TIFF and WebP photos, read before OpenCV decodes them (image_header.cpp).
find_package(TIFF 4.5 REQUIRED)
pkg_check_modules(libwebp REQUIRED IMPORTED_TARGET libwebp)
pkg_check_modules(libarchive REQUIRED IMPORTED_TARGET libarchive)
# The kiosk's take-home QR: an HTTP server inside the app (cpp-httplib, also the tests' server)
# and the QR code of its URL (libqrencode).
pkg_check_modules(cpp_httplib REQUIRED IMPORTED_TARGET cpp-httplib)
pkg_check_modules(libqrencode REQUIRED IMPORTED_TARGET libqrencode)

# hnswlib is header-only and ships no CMake or pkg-config file.
find_path(HNSWLIB_INCLUDE_DIR hnswlib/hnswlib.h REQUIRED)
add_library(lookalike_hnswlib INTERFACE)
target_include_directories(lookalike_hnswlib SYSTEM INTERFACE ${HNSWLIB_INCLUDE_DIR})
add_library(third_party::hnswlib ALIAS lookalike_hnswlib)

if(LOOKALIKE_BUILD_UI)
  find_package(OpenGL REQUIRED)
  pkg_check_modules(glfw3 REQUIRED IMPORTED_TARGET glfw3)
  # Debian's libimgui-dev is a static library that already contains the GLFW and OpenGL3
  # backends; it needs GLFW, GL and stb at link time.
  pkg_check_modules(imgui REQUIRED IMPORTED_TARGET imgui)
  add_library(lookalike_imgui INTERFACE)
  target_include_directories(lookalike_imgui SYSTEM INTERFACE ${imgui_INCLUDEDIR}
    ${imgui_INCLUDEDIR}/backends)
  target_link_libraries(lookalike_imgui INTERFACE PkgConfig::imgui PkgConfig::glfw3 OpenGL::GL ${CMAKE_DL_LIBS})
  add_library(third_party::imgui ALIAS lookalike_imgui)
endif()

if(LOOKALIKE_BUILD_TESTS)
  find_package(GTest REQUIRED)
  find_package(benchmark REQUIRED)
endif()

find_package(OpenSSL REQUIRED)

// The OpenGL entry points the UI calls itself (texture upload, framebuffer read-back). All are
// OpenGL 1.x-3.3 core functions exported by libGL; ImGui's OpenGL3 backend loads its own.
#pragma once

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <GLFW/glfw3.h>

#ifndef GL_TEXTURE_SWIZZLE_RGBA
#define GL_TEXTURE_SWIZZLE_RGBA 0x8E46
#endif
#ifndef GL_R8
#define GL_R8 0x8229
#endif

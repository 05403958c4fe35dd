# Shared compile options, warnings and sanitizers as INTERFACE targets: every project target
# links lookalike::options and lookalike::warnings instead of setting flags itself.
add_library(lookalike_options INTERFACE)
add_library(lookalike::options ALIAS lookalike_options)
add_library(lookalike_warnings INTERFACE)
add_library(lookalike::warnings ALIAS lookalike_warnings)

target_compile_features(lookalike_options INTERFACE cxx_std_20)
# Local builds tune for the machine's CPU (AVX-512 here); the hot loops are written to vectorize.
# Packages run on other machines and keep the distribution's baseline (x86-64): a package built
# with -march=native on an AVX-512 machine dies with SIGILL on an AVX2 one. oneDNN and OpenCV
# pick their kernels at run time either way.
option(LOOKALIKE_NATIVE_ARCH "Compile for this machine's CPU (-march=native); OFF for packages" ON)
target_compile_options(lookalike_options INTERFACE $<$<CONFIG:Release,RelWithDebInfo>:-O3>
  $<$<BOOL:${LOOKALIKE_NATIVE_ARCH}>:-march=native>)
if(LOOKALIKE_NATIVE_ARCH)
  # ccache 4.7 hashes the text "-march=native", not the CPU it stands for: an object compiled
  # on an AVX-512 machine would be reused on an AVX2 one (SIGILL; ccache issue #824). The flags
  # the compiler derives for this CPU go into the command line as a key.
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -march=native "-###" -E -x c++ /dev/null
    ERROR_VARIABLE native_flags OUTPUT_QUIET)
  string(REGEX MATCH "(cc1plus|-cc1)[^\n]*" native_flags "${native_flags}")
  string(MD5 native_key "${native_flags}")
  string(SUBSTRING "${native_key}" 0 12 native_key)
  target_compile_definitions(lookalike_options INTERFACE LOOKALIKE_NATIVE_CPU_KEY=${native_key})
endif()
configure_file(${CMAKE_CURRENT_LIST_DIR}/build_config.hpp.in
  ${PROJECT_BINARY_DIR}/generated/lookalike/build_config.hpp @ONLY)
target_include_directories(lookalike_options INTERFACE ${PROJECT_BINARY_DIR}/generated)

# ccache, when installed: paths are rewritten relative to the source tree so that fresh
# clones (CI) reuse earlier compilations. Precompiled headers are off then: a .gch records the
# checkout's absolute paths, so every object built with one missed the cache in any other clone
# (measured: a fresh clone recompiled all of them). Without ccache they speed up the build.
find_program(LOOKALIKE_CCACHE ccache)
if(LOOKALIKE_CCACHE)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env CCACHE_BASEDIR=${PROJECT_SOURCE_DIR}
    CCACHE_SLOPPINESS=time_macros,include_file_mtime,include_file_ctime
    CCACHE_NOHASHDIR=1 ${LOOKALIKE_CCACHE})
  set(CMAKE_DISABLE_PRECOMPILE_HEADERS ON)
endif()

target_compile_options(lookalike_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow
  -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  # C++20 designated initializers leave defaulted members out on purpose.
  -Wno-missing-field-initializers)
if(LOOKALIKE_WARNINGS_AS_ERRORS)
  target_compile_options(lookalike_warnings INTERFACE -Werror)
endif()

if(LOOKALIKE_SANITIZER STREQUAL "address")
  target_compile_options(lookalike_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(lookalike_options INTERFACE -fsanitize=address,undefined)
elseif(LOOKALIKE_SANITIZER STREQUAL "thread")
  target_compile_options(lookalike_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(lookalike_options INTERFACE -fsanitize=thread)
  target_compile_definitions(lookalike_options INTERFACE LOOKALIKE_TSAN=1)
elseif(LOOKALIKE_SANITIZER STREQUAL "fuzzer")
  # libFuzzer (clang only): coverage instrumentation everywhere, ASan+UBSan with UB fatal so the
  # fuzzer sees it; only the fuzz executables link the fuzzer runtime (-fsanitize=fuzzer).
  # -O1 -gline-tables-only (after the -O3 above) as OSS-Fuzz builds: half the compile time on
  # two cores, and stack traces keep their lines.
  target_compile_options(lookalike_options INTERFACE -fsanitize=fuzzer-no-link,address,undefined
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer -O1 -gline-tables-only)
  target_link_options(lookalike_options INTERFACE -fsanitize=address,undefined)
elseif(NOT LOOKALIKE_SANITIZER STREQUAL "")
  message(FATAL_ERROR "LOOKALIKE_SANITIZER must be empty, 'address', 'thread' or 'fuzzer'")
endif()

# Installed layout and the Debian package (cpack -G DEB, or `cpack --preset package` after
# `cmake --preset package && cmake --build --preset package`). app/CMakeLists.txt installs the
# executables and their man pages; this file installs what they read at run time and the desktop
# integration, then configures CPack. Layout under PREFIX (/usr for the package):
#   bin/lookalike, bin/lookalike-cli, bin/lookalike-convert
#   share/lookalike/assets/...            everything in assets/ except assets/desktop/
#   share/lookalike/models/manifest.json  the pinned model manifest (weights are fetched later)
#   share/applications/ID.desktop, share/metainfo/ID.metainfo.xml, share/icons/hicolor/...
#   share/man/man1/*.1.gz, share/doc/lookalike/{copyright,changelog.gz}
# lookalike::resource_path() finds the shipped files as PREFIX/share/lookalike/<path in the
# source tree>, so the layout under share/lookalike mirrors the source tree.
include(GNUInstallDirs)
set(LOOKALIKE_APP_ID io.github.lookalike.Lookalike)
set(LOOKALIKE_DESKTOP_DIR ${PROJECT_SOURCE_DIR}/assets/desktop)
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE
  GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Run-time files: the folder is copied at install time, so files added to assets/ later ship
# without editing this list. assets/desktop/ holds packaging sources, installed below.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/assets/ DESTINATION ${CMAKE_INSTALL_DATADIR}/lookalike/assets
  PATTERN desktop EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/models/manifest.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/lookalike/models)

# Desktop integration (freedesktop.org menu entry, icon theme, AppStream).
install(FILES ${LOOKALIKE_DESKTOP_DIR}/${LOOKALIKE_APP_ID}.desktop
  DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${LOOKALIKE_DESKTOP_DIR}/${LOOKALIKE_APP_ID}.metainfo.xml
  DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${LOOKALIKE_DESKTOP_DIR}/${LOOKALIKE_APP_ID}.svg
  DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)
install(FILES ${LOOKALIKE_DESKTOP_DIR}/${LOOKALIKE_APP_ID}.png
  DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/256x256/apps)

# Debian documentation: DEP-5 copyright and the (native package) changelog, gzip -9n.
set(LOOKALIKE_CHANGELOG_GZ ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
add_custom_command(OUTPUT ${LOOKALIKE_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/packaging
  COMMAND sh -c "gzip -9nc '${LOOKALIKE_DESKTOP_DIR}/changelog' > '${LOOKALIKE_CHANGELOG_GZ}'"
  DEPENDS ${LOOKALIKE_DESKTOP_DIR}/changelog
  VERBATIM)
add_custom_target(lookalike_changelog ALL DEPENDS ${LOOKALIKE_CHANGELOG_GZ})
install(FILES ${LOOKALIKE_DESKTOP_DIR}/copyright ${LOOKALIKE_CHANGELOG_GZ}
  DESTINATION ${CMAKE_INSTALL_DOCDIR})

# A release bumps project(VERSION), the changelog and the metainfo <release> together.
file(STRINGS ${LOOKALIKE_DESKTOP_DIR}/changelog _changelog_top LIMIT_COUNT 1)
file(READ ${LOOKALIKE_DESKTOP_DIR}/${LOOKALIKE_APP_ID}.metainfo.xml _metainfo)
if(NOT _changelog_top MATCHES "^lookalike \\(${PROJECT_VERSION}\\) "
   OR NOT _metainfo MATCHES "<release version=\"${PROJECT_VERSION}\"")
  message(WARNING "Version ${PROJECT_VERSION} has no entry in assets/desktop/changelog or "
    "no <release> in assets/desktop/${LOOKALIKE_APP_ID}.metainfo.xml: add one before packaging")
endif()

# CPack: one .deb, lookalike_VERSION_amd64.deb, native Debian version (no -revision).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lookalike)
set(CPACK_PACKAGE_VENDOR "Lookalike contributors")
set(CPACK_PACKAGE_CONTACT "Lookalike maintainers <maintainers@lookalike.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "webcam celebrity look-alike finder")
set(CPACK_PACKAGE_DESCRIPTION [=[
Lookalike detects the faces in a live webcam picture, a video or a photo, fits
68 landmarks, embeds each face with dlib's ResNet face descriptor and ranks a
gallery of labelled celebrity photos by distance: the nearest identity is the
look-alike, shown as an overlay in a desktop window.

This package contains the desktop app (lookalike), a command-line tool for
embedding, comparing, building and searching galleries (lookalike-cli) and the
weight converter (lookalike-convert). The face descriptor weights are not
included: they are downloaded and verified against the pinned manifest on
first use. The 68-point landmark model comes from libdlib-data and is not
licensed for commercial use.]=])
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
# Shared libraries come from dpkg-shlibdeps; these are data files and tools it cannot see:
# the landmark model (libdlib-data), the Haar cascade (opencv-data), the GUI font.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libdlib-data, opencv-data, fonts-dejavu-core")
# npm only downloads the face descriptor weights (`lookalike-cli models fetch` runs npm pack of
# the pinned face-api release; `--tarball FILE` works without it), and Debian's npm drags in
# hundreds of node packages. Recommends: apt installs it by default, minimal installs may leave
# it out. NodeSource's nodejs (which bundles npm) Provides: npm, so either satisfies it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS npm)
# A package is for other machines: refuse to pack a -march=native or sanitizer build (use the
# `package` preset). CPack reads this file when it runs; CPACK_* variables reach it.
set(CPACK_LOOKALIKE_NATIVE_ARCH ${LOOKALIKE_NATIVE_ARCH})
set(CPACK_LOOKALIKE_SANITIZER "${LOOKALIKE_SANITIZER}")
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/packaging/CPackProjectConfig.cmake)
file(WRITE ${CPACK_PROJECT_CONFIG_FILE} [=[
if(CPACK_LOOKALIKE_NATIVE_ARCH OR NOT CPACK_LOOKALIKE_SANITIZER STREQUAL "")
  message(FATAL_ERROR "This build tree uses -march=native or a sanitizer: its package would not "
    "run on other machines. Build the package with: cmake --preset package && "
    "cmake --build --preset package && cpack --preset package")
endif()
]=])
include(CPack)

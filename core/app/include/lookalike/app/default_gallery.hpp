// The default gallery: the one `lookalike-cli match`/`live` and the app open when none is named.
//
// Contract: stored as one line (an absolute path) in user_gallery_dir()/default, written
// atomically. default_gallery() never throws: nullopt when nothing is set or the file it names
// is gone. set_default_gallery() throws std::runtime_error naming the file when it cannot write.
#pragma once

#include <filesystem>
#include <optional>

namespace lookalike::app {

std::filesystem::path default_gallery_record();
std::optional<std::filesystem::path> default_gallery();
void set_default_gallery(const std::filesystem::path& gallery);

// `explicit_path` when given, else the default gallery; throws std::runtime_error saying how to
// get one (`lookalike-cli gallery fetch lfw`, `gallery build`) when there is none.
std::filesystem::path resolve_gallery(const std::filesystem::path& explicit_path);

}  // namespace lookalike::app

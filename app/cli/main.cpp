// lookalike-cli: the headless front end over lookalike::core. Only wiring lives here; each
// subcommand is in its own cmd_*.cpp and registers itself.
#include <spdlog/cfg/env.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include "lookalike/build_config.hpp"

#include <exception>
#include <iostream>

#include "command.hpp"

namespace lookalike::cli {
std::vector<Command>& command_registry() {
  static std::vector<Command> commands;
  return commands;
}
}  // namespace lookalike::cli

int main(int argc, char** argv) {
  // Logs go to stderr so that --json output on stdout stays machine-readable.
  auto logger = spdlog::stderr_color_mt("lookalike");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::warn);
  spdlog::cfg::load_env_levels();  // SPDLOG_LEVEL=debug

  CLI::App app{"lookalike-cli: which celebrity do you look like? (headless tools)"};
  app.set_version_flag("--version", std::string("lookalike-cli ") + LOOKALIKE_VERSION);
  app.require_subcommand(1);
  std::string log_level;
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.parse_complete_callback([&] {
    if (!log_level.empty()) spdlog::set_level(spdlog::level::from_str(log_level));
  });

  std::vector<std::pair<CLI::App*, std::function<int()>>> runners;
  for (auto& command : lookalike::cli::command_registry()) {
    std::size_t before = app.get_subcommands({}).size();
    auto run = command.setup(app);
    auto subs = app.get_subcommands({});
    if (subs.size() > before) runners.emplace_back(subs.back(), std::move(run));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    for (auto& [sub, run] : runners)
      if (sub->parsed()) return run();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    std::cerr << "error: " << e.what() << "\n";
    return 2;
  }
  return 2;
}

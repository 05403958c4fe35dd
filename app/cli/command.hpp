// Self-registering subcommands of lookalike-cli.
//
// Contract: each cmd_*.cpp defines one static CommandRegistration; main() adds every
// registered command to the CLI11 app before parsing. A command's run function returns the
// process exit code (0 ok, 1 some input failed, 2 usage or setup error).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace lookalike::cli {

struct Command {
  // Adds the subcommand and its options to `app`; returns the callback that runs it.
  std::function<std::function<int()>(CLI::App& app)> setup;
};

std::vector<Command>& command_registry();

struct CommandRegistration {
  explicit CommandRegistration(Command command) {
    command_registry().push_back(std::move(command));
  }
};

}  // namespace lookalike::cli

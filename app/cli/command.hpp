// Self-registering subcommands of lookalike-cli.
//
// Contract: each cmd_*.cpp defines one static CommandRegistration; main() adds every
// registered command to the CLI11 app before parsing. A command's run function returns the
// process exit code (0 ok, 1 some input failed, 2 usage or setup error).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace lookalike::cli {

struct Command {
  // Adds the subcommand and its options to `app`; returns the callback that runs it.
  std::function<std::function<int()>(CLI::App& app)> setup;
};

std::vector<Command>& command_registry();

// The Command of a struct with `void setup(CLI::App&)` and `int run() const`, the shape every
// cmd_*.cpp uses: `const CommandRegistration registration{command_of<MatchCommand>()};`.
template <class Subcommand>
Command command_of() {
  return Command{[](CLI::App& app) -> std::function<int()> {
    auto command = std::make_shared<Subcommand>();
    command->setup(app);
    return [command] { return command->run(); };
  }};
}

struct CommandRegistration {
  explicit CommandRegistration(Command command) {
    command_registry().push_back(std::move(command));
  }
};

}  // namespace lookalike::cli

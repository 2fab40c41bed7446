#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

/// The console's commands as typed values: what a line (or the command line after the
/// console's own flags) asks for, checked before anything is sent to a node. Plain logic:
/// unit tests call it without a node.
namespace plexichat::tools::console {

struct console_command {
  std::string name;   ///< help, quit, nodes, actors, actor, sessions, channels, where, users,
                      ///< audit, audit-verify, grant, revoke, log-level, metrics, drain, undrain,
                      ///< backup, shards
  std::string node;   ///< --node N, or the NODE of log-level, drain, undrain; empty: the node
                      ///< connected to
  std::string kind;   ///< actors --kind K
  std::string id;     ///< actor ID, where CHANNEL, backup verify|repair|restore [ID]
  std::string verb;   ///< backup create, list, verify, repair, restore, rotate-key
  std::string into;   ///< backup restore --into DIR
  std::string user;   ///< grant / revoke USER
  std::string level;  ///< log-level LEVEL
  uint64_t after = 0;
  uint64_t limit = 0;  ///< 0: the node's default
};

/// A command that cannot run: one line for the operator.
struct command_error {
  std::string message;
};

/// Parses the words of one command (`words[0]` is its name).
std::variant<console_command, command_error> parse_command(const std::vector<std::string>& words);

/// Splits a line into words at whitespace ('"' quotes a word with spaces).
std::vector<std::string> split_words(const std::string& line);

/// Every command name, in the order `help` lists them (for tab completion).
const std::vector<std::string>& command_names();

/// The text of `help`: every command with its arguments and what it does.
std::string help_text();

}  // namespace plexichat::tools::console

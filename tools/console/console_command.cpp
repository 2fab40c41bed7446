#include "tools/console/console_command.hpp"

#include <charconv>
#include <map>
#include <set>

namespace plexichat::tools::console {

namespace {

struct command_spec {
  const char* name;
  const char* usage;
  const char* what;
  std::set<std::string> options;
  std::size_t min_args;
  std::size_t max_args;
};

const std::vector<command_spec>& specs() {
  static const std::vector<command_spec> all{
      {"help", "help", "list the commands", {}, 0, 0},
      {"nodes",
       "nodes",
       "every member of the cluster: state, addresses, uptime, counts, memory",
       {},
       0,
       0},
      {"actors",
       "actors [--node N] [--kind K]",
       "a node's actors: kind, id, mailbox depth, messages handled, age",
       {"--node", "--kind"},
       0,
       0},
      {"actor", "actor ID [--node N]", "one actor's detail", {"--node"}, 1, 1},
      {"sessions",
       "sessions [--node N]",
       "WebSocket sessions: user, address, since, channels",
       {"--node"},
       0,
       0},
      {"channels",
       "channels [--node N]",
       "channels: members, last seq, whether the actor runs",
       {"--node"},
       0,
       0},
      {"where",
       "where CHANNEL [--node N]",
       "a channel's owner node, epoch, last seq, and each replica's position",
       {"--node"},
       1,
       1},
      {"users",
       "users [--node N] [--limit N]",
       "the users a node holds, their roles, and which it holds whole (account)",
       {"--node", "--limit"},
       0,
       0},
      {"audit",
       "audit [--after N] [--limit N] | audit verify",
       "audit log records (paged), or check its hash chain",
       {"--after", "--limit", "--node"},
       0,
       1},
      {"grant", "grant USER", "make USER a node admin (audited)", {"--node"}, 1, 1},
      {"revoke", "revoke USER", "make USER a plain user again (audited)", {"--node"}, 1, 1},
      {"log-level",
       "log-level NODE LEVEL",
       "set a node's log level: trace, debug, info, warn, error, critical, off",
       {},
       2,
       2},
      {"metrics", "metrics [--node N]", "a node's Prometheus metrics", {"--node"}, 0, 0},
      {"drain",
       "drain NODE",
       "move a node's channels and users to the others (before maintenance)",
       {},
       1,
       1},
      {"undrain", "undrain NODE", "let a drained node take its share back", {}, 1, 1},
      {"backup",
       "backup create|list|verify [ID]|repair [ID]|restore [ID] --into DIR|rotate-key "
       "[--node N]",
       "a node's backups on its peers: start one, list them (size, chunks, new bytes, state, "
       "progress), check or repair every shard, restore one into an empty directory on the "
       "node's machine, or rotate the master key",
       {"--node", "--into"},
       1,
       2},
      {"shards",
       "shards [--node N]",
       "the backup shards each node holds for its peers: count, bytes, last scrub, corrupt",
       {"--node"},
       0,
       0},
      {"quit", "quit", "leave the console", {}, 0, 0},
  };
  return all;
}

std::optional<uint64_t> parse_number(const std::string& s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) {
    return std::nullopt;
  }
  return v;
}

/// Fills the command from its options; an error for a bad value.
std::optional<command_error> apply_option(console_command& c, const std::string& opt,
                                          const std::string& value) {
  if (opt == "--node") {
    c.node = value;
  } else if (opt == "--into") {
    c.into = value;
  } else if (opt == "--kind") {
    c.kind = value;
  } else {
    auto n = parse_number(value);
    if (!n) {
      return command_error{c.name + ": " + opt + " needs a number, not '" + value + "'"};
    }
    (opt == "--after" ? c.after : c.limit) = *n;
  }
  return std::nullopt;
}

/// backup VERB [ID]: which verbs take an id, and restore's --into.
std::optional<command_error> backup_args(console_command& c, const std::vector<std::string>& args) {
  static const std::set<std::string> verbs{"create", "list",    "verify",
                                           "repair", "restore", "rotate-key"};
  static const std::set<std::string> with_id{"verify", "repair", "restore"};
  c.verb = args[0];
  if (verbs.count(c.verb) == 0) {
    return command_error{"backup: unknown command '" + c.verb +
                         "' (create, list, verify, repair, restore, rotate-key)"};
  }
  if (args.size() > 1) {
    if (with_id.count(c.verb) == 0) {
      return command_error{"backup " + c.verb + " takes no backup id"};
    }
    c.id = args[1];
  }
  if (c.verb == "restore" && c.into.empty()) {
    return command_error{
        "backup restore: give --into DIR, an empty directory on the node's machine"};
  }
  if (c.verb != "restore" && !c.into.empty()) {
    return command_error{"backup " + c.verb + ": --into is for restore"};
  }
  return std::nullopt;
}

std::optional<command_error> apply_args(console_command& c, const std::vector<std::string>& args) {
  if (c.name == "actor" || c.name == "where") {
    c.id = args[0];
  } else if (c.name == "drain" || c.name == "undrain") {
    c.node = args[0];
  } else if (c.name == "grant" || c.name == "revoke") {
    c.user = args[0];
  } else if (c.name == "log-level") {
    c.node = args[0];
    c.level = args[1];
  } else if (c.name == "backup") {
    return backup_args(c, args);
  } else if (c.name == "audit" && !args.empty()) {
    if (args[0] != "verify") {
      return command_error{"audit: unknown argument '" + args[0] + "' (audit verify?)"};
    }
    c.name = "audit-verify";
  }
  return std::nullopt;
}

}  // namespace

std::variant<console_command, command_error> parse_command(const std::vector<std::string>& words) {
  if (words.empty()) {
    return command_error{"no command (try `help`)"};
  }
  const command_spec* spec = nullptr;
  for (const auto& s : specs()) {
    if (words[0] == s.name) {
      spec = &s;
    }
  }
  if (spec == nullptr) {
    return command_error{"unknown command '" + words[0] + "' (try `help`)"};
  }
  console_command c;
  c.name = spec->name;
  std::vector<std::string> args;
  for (std::size_t i = 1; i < words.size(); ++i) {
    const auto& w = words[i];
    if (w.rfind("--", 0) != 0) {
      args.push_back(w);
      continue;
    }
    if (spec->options.count(w) == 0) {
      return command_error{c.name + ": unknown option '" + w + "' (usage: " + spec->usage + ")"};
    }
    if (i + 1 >= words.size()) {
      return command_error{c.name + ": " + w + " needs a value"};
    }
    if (auto err = apply_option(c, w, words[++i])) {
      return *err;
    }
  }
  if (args.size() < spec->min_args || args.size() > spec->max_args) {
    return command_error{c.name + ": wrong arguments (usage: " + spec->usage + ")"};
  }
  if (auto err = apply_args(c, args)) {
    return *err;
  }
  return c;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool quoted = false;
  bool in_word = false;
  for (char ch : line) {
    if (ch == '"') {
      quoted = !quoted;
      in_word = true;
    } else if (!quoted && (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')) {
      if (in_word) {
        words.push_back(std::move(word));
        word.clear();
        in_word = false;
      }
    } else {
      word += ch;
      in_word = true;
    }
  }
  if (in_word) {
    words.push_back(std::move(word));
  }
  return words;
}

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& s : specs()) {
      out.emplace_back(s.name);
    }
    return out;
  }();
  return names;
}

std::string help_text() {
  std::string out = "commands:\n";
  for (const auto& s : specs()) {
    std::string usage = s.usage;
    usage.resize(std::max<std::size_t>(usage.size(), 46), ' ');
    out += "  " + usage + " " + s.what + "\n";
  }
  out += "--node N names a member (see `nodes`); without it, the node connected to.\n";
  return out;
}

}  // namespace plexichat::tools::console

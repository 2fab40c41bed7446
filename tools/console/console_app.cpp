#include "tools/console/console_app.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include <editline/readline.h>
#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include "actors/cluster/cluster_actor.hpp"
#include "actors/inspector/inspector_query.hpp"
#include "runtime/actor_system_config.hpp"
#include "runtime/certs.hpp"
#include "runtime/files.hpp"
#include "tools/console/console_command.hpp"
#include "tools/console/console_link.hpp"
#include "tools/console/console_render.hpp"

namespace plexichat::tools::console {

namespace {

namespace fs = std::filesystem;
using actors::inspector::inspector_query;
using nlohmann::json;

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_usage = 2;

struct console_options {
  std::string node;
  std::string certs_dir;
  bool insecure = false;
  bool json_output = false;
};

/// One line on stderr.
int fail(const std::string& message, int code = exit_failed) {
  std::cerr << "plexichat-console: " << message << "\n";
  return code;
}

/// The console's certificate files, checked before CAF reads them: one clear line if wrong.
std::optional<std::string> check_certs(const std::string& dir) {
  std::string error;
  auto ca = runtime::read_whole_file((fs::path{dir} / "ca.crt").string(), error);
  auto cert =
      ca ? runtime::read_whole_file((fs::path{dir} / "node.crt").string(), error) : std::nullopt;
  auto key =
      cert ? runtime::read_whole_file((fs::path{dir} / "node.key").string(), error) : std::nullopt;
  if (!key) {
    return "--certs-dir " + dir + ": " + error +
           " (make one with `plexichat-node cert create-node console`)";
  }
  try {
    if (auto why = runtime::verify_certificate(*ca, *cert); !why.empty()) {
      return "--certs-dir " + dir + ": node.crt is not signed by ca.crt: " + why;
    }
    if (!runtime::key_matches_certificate(*key, *cert)) {
      return "--certs-dir " + dir + ": node.key is not the key of node.crt";
    }
  } catch (const std::exception& e) {
    return "--certs-dir " + dir + ": " + e.what();
  }
  return std::nullopt;
}

/// Runs commands against the cluster reached through one node.
class console {
 public:
  console(caf::actor_system& sys, const console_options& opts)
      : link_(sys, !opts.insecure), entry_(opts.node), json_(opts.json_output) {}

  /// Connects to the entry node; the error line if it cannot.
  std::optional<std::string> connect() {
    auto got = link_.inspector_at(entry_);
    if (auto* err = std::get_if<std::string>(&got)) {
      return *err;
    }
    return std::nullopt;
  }

  /// Runs one parsed command, prints its answer; the exit code.
  int run(const console_command& cmd) {
    if (cmd.name == "help") {
      std::cout << help_text();
      return exit_ok;
    }
    if (cmd.name == "quit") {
      return exit_ok;
    }
    auto got = cmd.name == "nodes"                        ? nodes()
               : cmd.name == "shards" && cmd.node.empty() ? every_holder()
                                                          : on_target(cmd);
    if (auto* err = std::get_if<std::string>(&got)) {
      return fail(*err);
    }
    const auto& answer = std::get<json>(got);
    std::cout << (json_ ? answer.dump(2) + "\n" : render_answer(cmd, answer));
    std::cout.flush();
    if (cmd.name == "audit-verify" && !answer.value("ok", false)) {
      return exit_failed;
    }
    // A backup job that ran but did not end well: verify found damage, a repair could not
    // mend everything.
    if (cmd.name == "backup" && cmd.verb == "verify" && !answer.value("clean", false)) {
      return exit_failed;
    }
    if (cmd.name == "backup" && cmd.verb == "repair" &&
        answer.value("repaired", std::size_t{0}) <
            answer.value("missing", json::array()).size() +
                answer.value("corrupt", json::array()).size()) {
      return exit_failed;
    }
    return exit_ok;
  }

 private:
  answer_or_error members() { return link_.ask(entry_, {"members", "", 0, 0, {}}); }

  /// The cluster address of member `name` ("" = the entry node), or why there is none.
  std::variant<std::string, std::string> address_of(const std::string& name) {
    using result = std::variant<std::string, std::string>;
    if (name.empty()) {
      return result{std::in_place_index<0>, entry_};
    }
    auto view = members();
    if (auto* err = std::get_if<std::string>(&view)) {
      return result{std::in_place_index<1>, *err};
    }
    const auto& v = std::get<json>(view);
    std::string known;
    for (const auto& m : v["members"]) {
      auto n = m.value("name", "");
      known += (known.empty() ? "" : ", ") + n;
      if (n != name) {
        continue;
      }
      if (n == v.value("self", "")) {
        return result{std::in_place_index<0>, entry_};
      }
      if (m.value("state", "") == "down") {
        return result{std::in_place_index<1>, "node " + name + " is down"};
      }
      return result{std::in_place_index<0>, m.value("cluster_address", "")};
    }
    return result{std::in_place_index<1>, "unknown node '" + name + "' (members: " + known + ")"};
  }

  /// Every member with its summary; a down member, or one that cannot be reached, without.
  answer_or_error nodes() {
    auto view = members();
    if (auto* err = std::get_if<std::string>(&view)) {
      return *err;
    }
    const auto& v = std::get<json>(view);
    json list = json::array();
    for (const auto& m : v["members"]) {
      json row = m;
      bool self = m.value("name", "") == v.value("self", "");
      if (m.value("state", "") != "down") {
        auto address = self ? entry_ : m.value("cluster_address", "");
        auto summary = link_.ask(address, {"summary", "", 0, 0, {}});
        if (auto* s = std::get_if<json>(&summary)) {
          auto node = (*s)["node"];
          node["state"] = m["state"];  // as the connected node's failure detector sees it
          node["draining"] = m.value("draining", false);
          row = node;
        } else {
          row["error"] = std::get<std::string>(summary);
        }
      }
      list.push_back(row);
    }
    return json{{"connected_to", v.value("self", "")}, {"nodes", list}};
  }

  /// The shard holder of every member that is not down.
  answer_or_error every_holder() {
    auto view = members();
    if (auto* err = std::get_if<std::string>(&view)) {
      return *err;
    }
    const auto& v = std::get<json>(view);
    json list = json::array();
    for (const auto& m : v["members"]) {
      json row = {{"node", m.value("name", "")}};
      if (m.value("state", "") == "down") {
        row["error"] = "down";
      } else {
        bool self = m.value("name", "") == v.value("self", "");
        auto got =
            link_.ask(self ? entry_ : m.value("cluster_address", ""), {"shards", "", 0, 0, {}});
        if (auto* a = std::get_if<json>(&got)) {
          row = *a;
        } else {
          row["error"] = std::get<std::string>(got);
        }
      }
      list.push_back(row);
    }
    return json{{"holders", list}};
  }

  answer_or_error on_target(const console_command& cmd) {
    auto address = address_of(cmd.node);
    if (address.index() == 1) {
      return std::get<1>(address);
    }
    bool job = cmd.name == "backup" && cmd.verb != "list" && cmd.verb != "create";
    return link_.ask(std::get<0>(address), query_of(cmd), job);
  }

  static inspector_query query_of(const console_command& cmd) {
    inspector_query q{cmd.name, "", cmd.after, cmd.limit, {}};
    if (cmd.name == "actors") {
      q.arg = cmd.kind;
    } else if (cmd.name == "actor" || cmd.name == "where") {
      q.arg = cmd.id;
    } else if (cmd.name == "drain" || cmd.name == "undrain") {
      q.what = "drain";
      q.arg = cmd.name == "drain" ? "on" : "off";
    } else if (cmd.name == "grant" || cmd.name == "revoke") {
      q.arg = cmd.user;
    } else if (cmd.name == "log-level") {
      q.what = "log_level";
      q.arg = cmd.level;
    } else if (cmd.name == "audit-verify") {
      q.what = "audit_verify";
    } else if (cmd.name == "backup") {
      q.arg = cmd.verb;
      q.args = {cmd.id, cmd.into};
    }
    return q;
  }

  console_link link_;
  std::string entry_;
  bool json_;
};

int run_words(console& c, const std::vector<std::string>& words) {
  auto parsed = parse_command(words);
  if (auto* err = std::get_if<command_error>(&parsed)) {
    return fail(err->message, exit_usage);
  }
  return c.run(std::get<console_command>(parsed));
}

char* complete_command(const char* text, int state) {
  static std::size_t next = 0;
  if (state == 0) {
    next = 0;
  }
  std::string_view prefix{text};
  const auto& names = command_names();
  while (next < names.size()) {
    const auto& n = names[next++];
    if (n.compare(0, prefix.size(), prefix) == 0) {
      return strdup(n.c_str());
    }
  }
  return nullptr;
}

/// Completes command names at the start of a line; nothing (no file names) elsewhere.
char** complete_line(const char* text, int start, int /*end*/) {
  rl_attempted_completion_over = 1;
  return start == 0 ? rl_completion_matches(text, complete_command) : nullptr;
}

int interactive(console& c) {
  rl_attempted_completion_function = complete_line;
  std::cout << "connected; `help` lists the commands, tab completes them\n";
  for (;;) {
    char* raw = readline("plexichat> ");
    if (raw == nullptr) {
      std::cout << "\n";
      return exit_ok;
    }
    std::string line{raw};
    free(raw);
    auto words = split_words(line);
    if (words.empty()) {
      continue;
    }
    add_history(line.c_str());
    if (words[0] == "quit" || words[0] == "exit") {
      return exit_ok;
    }
    run_words(c, words);
  }
}

std::optional<console_options> parse_options(int argc, const char* const* argv, int& code) {
  console_options o;
  CLI::App app{"plexichat-console: inspect and steer a PlexiChat cluster"};
  app.add_option("--node", o.node, "a node's cluster listener, HOST:PORT")->required();
  auto* certs = app.add_option("--certs-dir", o.certs_dir,
                               "ca.crt, node.crt, node.key (cert create-node console)");
  auto* insecure = app.add_flag("--insecure", o.insecure, "no TLS (a cluster run --insecure)");
  certs->excludes(insecure);
  app.add_flag("--json", o.json_output, "print answers as JSON");
  app.footer(
      "COMMAND [ARGS...] after the flags runs one command (`help` lists them); "
      "without one, an interactive prompt.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    code = app.exit(e);
    return std::nullopt;
  }
  if (!o.insecure && o.certs_dir.empty()) {
    code =
        fail("give --certs-dir DIR (a certificate of the cluster's CA) or --insecure", exit_usage);
    return std::nullopt;
  }
  return o;
}

/// Splits argv into the console's own flags and the command (from its first word on), so
/// that the command's options (`--node`, `--kind`) are not taken for the console's.
std::pair<std::vector<const char*>, std::vector<std::string>> split_argv(int argc,
                                                                         const char* const* argv) {
  std::vector<const char*> own{argv[0]};
  std::vector<std::string> command;
  for (int i = 1; i < argc; ++i) {
    std::string_view a{argv[i]};
    if (!command.empty() || (a.rfind("-", 0) != 0)) {
      command.emplace_back(a);
      continue;
    }
    own.push_back(argv[i]);
    bool takes_value = a == "--node" || a == "--certs-dir";
    if (takes_value && i + 1 < argc) {
      own.push_back(argv[++i]);
    }
  }
  return {own, command};
}

}  // namespace

int run_console(int argc, const char* const* argv) {
  auto [own, command] = split_argv(argc, argv);
  int code = exit_ok;
  auto opts = parse_options(static_cast<int>(own.size()), own.data(), code);
  if (!opts) {
    return code;
  }
  if (!command.empty()) {
    auto parsed = parse_command(command);
    if (auto* err = std::get_if<command_error>(&parsed)) {
      return fail(err->message, exit_usage);
    }
  }
  if (!opts->insecure) {
    if (auto err = check_certs(opts->certs_dir)) {
      return fail(*err);
    }
  }
  runtime::node_actor_config cfg{2};
  cfg.load<caf::io::middleman>();
  actors::cluster::add_cluster_types(cfg);
  actors::inspector::add_inspector_types(cfg);
  if (!opts->insecure) {
    fs::path dir{opts->certs_dir};
    cfg.openssl_cafile = (dir / "ca.crt").string();
    cfg.openssl_certificate = (dir / "node.crt").string();
    cfg.openssl_key = (dir / "node.key").string();
    cfg.load<caf::openssl::manager>();
  }
  caf::actor_system sys{cfg};
  console c{sys, *opts};
  if (auto err = c.connect()) {
    return fail(*err);
  }
  if (command.empty()) {
    return interactive(c);
  }
  return run_words(c, command);
}

}  // namespace plexichat::tools::console
